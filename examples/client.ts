/**
 * A typed client in a few lines: the documents in examples/operations/ compiled by `npm run codegen` into
 * typed document nodes, so variables and results are checked by the compiler.
 *
 *   npm run codegen && npx tsc -p examples && node examples/dist/client.js http://127.0.0.1:4000
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { CreateRunDocument, EndRunDocument, LogMetricsDocument, MetricCurveDocument } from './generated/graphql';

export async function request<Result, Variables>(url: string, document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await res.json()) as { data?: Result; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('\n'));
  return body.data as Result;
}

/** Logs a short training run and reads its loss curve back, downsampled. */
export async function runExample(url: string): Promise<{ key: string; last: number | null | undefined; points: number }> {
  const created = await request(url, CreateRunDocument, { input: { workspace: 'examples', project: 'typed-client', name: 'typed-run' } });
  const key = created.createExperiment.experiment.key;
  const points = Array.from({ length: 1000 }, (_, step) => ({ name: 'loss', value: Math.exp(-step / 200), step }));
  const logged = await request(url, LogMetricsDocument, { input: { experimentKey: key, points } });
  if (logged.logMetrics.status !== 'ACCEPTED') throw new Error(`points were ${logged.logMetrics.status}`);
  await request(url, EndRunDocument, { input: { experimentKey: key, status: 'FINISHED' } });
  const curve = await request(url, MetricCurveDocument, { key, metric: 'loss', samples: 100 });
  const metric = curve.experiment?.metric;
  return { key, last: metric?.last, points: metric?.history.points.length ?? 0 };
}

if (require.main === module) {
  runExample(process.argv[2] ?? 'http://127.0.0.1:4000').then(
    (result) => console.log(result),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
