/**
 * GraphQL overhead: requests per second and latency for a small query (`experiment(key)` with ten scalar
 * fields and one nested list) under load, against bare graphql-js `execute` behind `node:http` answering the
 * same query from the same SQLite file with hand-written resolvers. Load from autocannon on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { buildSchema, execute, parse, validate } from 'graphql';
import { createSqliteBackend } from '../src/backends/sqlite';
import { ANONYMOUS } from '../src/server/identity';
import { startChildGateway, tempDir } from '../test/support/gateway';
import { round } from './lib/stats';
import type { BenchResult, Benchmark } from './lib/types';

const QUERY = `query Small($key: String!) { experiment(key: $key) {
  key name status startedAt endedAt archived durationMs url workspace id
  parameters { name value } } }`;

const BARE_SDL = `
type Parameter { name: String! value: String! }
type Experiment { key: String! name: String status: String! startedAt: String endedAt: String archived: Boolean!
  durationMs: Float url: String workspace: String! id: ID! parameters: [Parameter!]! }
type Query { experiment(key: String!): Experiment }`;

interface Row { key: string; name: string | null; status: string; started_at: number | null; ended_at: number | null; archived: number; workspace: string }

/** The baseline: graphql-js with hand-written resolvers over the same SQLite file, parse and validate per request. */
async function startBare(dbFile: string): Promise<{ url: string; server: Server; db: Database.Database }> {
  const db = new Database(dbFile, { readonly: true });
  const byKey = db.prepare(`SELECT e.key, e.name, e.status, e.started_at, e.ended_at, e.archived, p.workspace
    FROM experiments e JOIN projects p ON p.id = e.project_id WHERE e.key = ?`);
  const params = db.prepare('SELECT name, value FROM parameters WHERE experiment_key = ? ORDER BY name');
  const schema = buildSchema(BARE_SDL);
  const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
  const rootValue = {
    experiment: ({ key }: { key: string }) => {
      const r = byKey.get(key) as Row | undefined;
      if (!r) return null;
      return {
        key: r.key, name: r.name, status: r.status, startedAt: iso(r.started_at), endedAt: iso(r.ended_at), archived: r.archived === 1,
        durationMs: r.started_at == null ? null : (r.ended_at ?? Date.now()) - r.started_at, url: null, workspace: r.workspace,
        id: Buffer.from(JSON.stringify(['Experiment', r.key])).toString('base64url'),
        parameters: () => params.all(r.key),
      };
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
      const document = parse(body.query);
      const errors = validate(schema, document);
      const result = errors.length > 0 ? { errors } : execute({ schema, document, rootValue, variableValues: body.variables });
      void Promise.resolve(result).then((r) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(r));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, db };
}

async function load(url: string, body: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/graphql`, method: 'POST', connections: 10, duration: seconds,
    headers: { 'content-type': 'application/json' }, body,
  });
}

export const overheadBenchmark: Benchmark = {
  name: 'overhead',
  title: 'GraphQL overhead',
  async run(ctx): Promise<BenchResult> {
    const seconds = ctx.quick ? 3 : 15;
    const dataDir = tempDir('trackql-bench-overhead-');
    try {
      const backend = createSqliteBackend({ dataDir });
      const e = await backend.experiments.create(ANONYMOUS, {
        workspace: 'bench', project: 'overhead', name: 'small', tags: ['a'],
        parameters: Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, value: String(i / 10) })),
      });
      await backend.close();
      const body = JSON.stringify({ query: QUERY, variables: { key: e.key } });
      ctx.progress(0.05, 'bare graphql-js warm-up');
      const bare = await startBare(path.join(dataDir, 'trackql.db'));
      let bareResult: autocannon.Result;
      try {
        await load(bare.url, body, 1);
        ctx.progress(0.1, `bare graphql-js: ${seconds} s of load`);
        bareResult = await load(bare.url, body, seconds);
      } finally {
        bare.server.close();
        bare.db.close();
      }
      const gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
      let gwResult: autocannon.Result;
      try {
        const check = (await (await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as { data?: { experiment?: { parameters: unknown[] } } };
        if (check.data?.experiment?.parameters.length !== 10) throw new Error(`unexpected answer: ${JSON.stringify(check)}`);
        await load(gw.url, body, 1);
        ctx.progress(0.55, `TrackQL: ${seconds} s of load`);
        gwResult = await load(gw.url, body, seconds);
      } finally {
        await gw.stop();
      }
      if (bareResult.non2xx > 0 || gwResult.non2xx > 0 || bareResult.errors > 0 || gwResult.errors > 0) {
        throw new Error(`load produced errors: bare ${bareResult.non2xx}/${bareResult.errors}, TrackQL ${gwResult.non2xx}/${gwResult.errors}`);
      }
      const ratio = gwResult.requests.average / bareResult.requests.average;
      const row = (label: string, r: autocannon.Result) => ({
        label, values: { 'requests/s': round(r.requests.average, 0), 'p50 ms': r.latency.p50, 'p99 ms': r.latency.p99, requests: r.requests.total },
      });
      return {
        name: 'overhead',
        title: 'GraphQL overhead',
        setup: `\`experiment(key)\` with ten scalar fields and a nested list of ten parameters, POSTed by autocannon (10 connections, ${seconds} s, after a 1 s warm-up) to each server on loopback; the load generator shares the machine's cores. The baseline parses, validates and executes with graphql-js behind \`node:http\`, reading the same SQLite file with hand-written SQL.`,
        tables: [{
          title: 'Throughput and latency',
          columns: ['requests/s', 'p50 ms', 'p99 ms', 'requests'],
          rows: [row('bare graphql-js + node:http', bareResult), row('TrackQL (Apollo Server 5 + type-graphql)', gwResult)],
          verdict: `TrackQL serves ${round(ratio, 2)}× the bare throughput.`,
        }],
        goals: [{ goal: 'throughput ≥ 0.7× bare graphql-js', met: ratio >= 0.7, measured: `${round(ratio, 2)}×` }],
      };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
