/**
 * The dashboard over MLflow ("each run with name, tags, parameters and every metric's last value"), through
 * the MLflow simulator with a round-trip latency, done as MLflow users write it (list the runs, then
 * `runs/get` per run: sequential, or every call at once) and through TrackQL, cold. Same rules as the
 * Comet dashboard (dashboard.ts): wall time (median and range of interleaved runs), upstream calls and
 * round-trip depth, for several project sizes.
 */
import { rmSync } from 'node:fs';
import { startMlflowSim } from '../test/support/mlflow-sim';
import { seedRuns } from '../test/support/mlflow-seed';
import { gqlOk, startChildGateway, tempDir } from '../test/support/gateway';
import { combine, measure, routesOf, sizeTable, type Measured, type Run } from './dashboard';
import { startRecordingProxy, type RecordingProxy } from './lib/recording-proxy';
import { round } from './lib/stats';
import type { BenchContext, BenchResult, Benchmark } from './lib/types';

const WS = 'bench';
const LATENCY_MS = 20;

const DASHBOARD = `query($ws: String!, $p: String!, $n: Int!) { project(workspace: $ws, name: $p) { experiments(first: $n) {
  totalCount nodes { key name tags parameters { name value } metrics { name last } } } } }`;

type NaiveMode = 'sequential' | 'all-at-once';

/** What MLflow users write: find the experiment, list its runs' ids, then `runs/get` per run (MlflowClient.get_run). */
async function naive(base: string, project: string, mode: NaiveMode): Promise<number> {
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/2.0/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const { experiment } = (await call(`mlflow/experiments/get-by-name?experiment_name=${project}`)) as { experiment: { experiment_id: string } };
  const listing = (await call('mlflow/runs/search', { experiment_ids: [experiment.experiment_id], max_results: 50_000 })) as { runs?: { info: { run_id: string } }[] };
  const ids = (listing.runs ?? []).map((r) => r.info.run_id);
  const get = (id: string) => call(`mlflow/runs/get?run_id=${id}`);
  if (mode === 'all-at-once') await Promise.all(ids.map(get));
  else for (const id of ids) await get(id);
  return ids.length;
}

const CLIENTS = ['sequential', 'allAtOnce', 'cold'] as const;
type Client = (typeof CLIENTS)[number];

async function runSize(proxy: RecordingProxy, n: number, repetitions: number, ctx: BenchContext, frac: [number, number]): Promise<Record<Client, Measured>> {
  const project = `dash-${n}`;
  const runs: Record<Client, Run[]> = { sequential: [], allAtOnce: [], cold: [] };
  const steps = repetitions * 3;
  let done = 0;
  const step = (what: string) => {
    ctx.progress(frac[0] + ((frac[1] - frac[0]) * done) / steps, `N=${n}, run ${Math.floor(done / 3) + 1}/${repetitions}: ${what}`);
    done += 1;
  };
  for (let run = 0; run < repetitions; run += 1) {
    step('naive client, sequential runs/get');
    runs.sequential.push(await measure(proxy, () => naive(proxy.url, project, 'sequential')));
    step('naive client, every runs/get at once');
    runs.allAtOnce.push(await measure(proxy, () => naive(proxy.url, project, 'all-at-once')));
    const dataDir = tempDir('trackql-bench-mlflow-');
    const gw = await startChildGateway({
      TRACKQL_DATA_DIR: dataDir, TRACKQL_BACKEND: 'mlflow', TRACKQL_MLFLOW_URL: proxy.url, TRACKQL_MLFLOW_WORKSPACE: WS, TRACKQL_LOG_LEVEL: 'notice',
    });
    try {
      step('TrackQL cold');
      runs.cold.push(await measure(proxy, async () => {
        const data = await gqlOk(gw.url, DASHBOARD, { ws: WS, p: project, n: Math.min(n, 1000) });
        const nodes = data.project.experiments.nodes as { metrics: unknown[]; parameters: unknown[]; tags: unknown[] }[];
        if (nodes.length !== Math.min(n, 1000) || nodes.some((e) => e.metrics.length !== 1 || e.parameters.length !== 2 || e.tags.length !== 1)) {
          throw new Error(`TrackQL answered an incomplete dashboard for N=${n}`);
        }
      }));
    } finally {
      await gw.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return Object.fromEntries(CLIENTS.map((c) => [c, combine(c, runs[c])])) as Record<Client, Measured>;
}

/** Two round trips after finding the experiment (list, then everything about the listed runs at once). */
const FLOOR_MS = 3 * LATENCY_MS;

export const mlflowDashboardBenchmark: Benchmark = {
  name: 'dashboard-mlflow',
  title: 'Dashboard over MLflow',
  async run(ctx): Promise<BenchResult> {
    const sizes = ctx.quick ? [10, 100] : [10, 100, 1000];
    const repetitions = 3;
    const sim = await startMlflowSim();
    const proxy = await startRecordingProxy(sim.url);
    const bySize = new Map<number, Record<Client, Measured>>();
    try {
      // Seeded without latency (as other clients would have logged them over time), measured with it.
      for (const n of sizes) await seedRuns(sim, `dash-${n}`, n, 3);
      sim.setLatency(LATENCY_MS);
      for (const [i, n] of sizes.entries()) bySize.set(n, await runSize(proxy, n, repetitions, ctx, [i / sizes.length, (i + 1) / sizes.length]));
    } finally {
      await proxy.close();
      await sim.stop();
    }
    const labels: Record<Client, string> = {
      sequential: 'naive client, runs/get per run in sequence',
      allAtOnce: 'naive client, every runs/get at once',
      cold: 'TrackQL cold (fresh gateway)',
    };
    const at = (n: number) => bySize.get(n) as Record<Client, Measured>;
    const tables = sizes.map((n) => sizeTable(n, 'runs', at(n), CLIENTS, labels, repetitions,
      `TrackQL cold: ${round(at(n).allAtOnce.ms.median / at(n).cold.ms.median, 2)}× the speed of the fastest naive client, ${at(n).cold.calls} upstream calls against ${at(n).allAtOnce.calls}. Cold calls by route: ${routesOf(at(n).cold)}.`));
    const mid = at(100);
    return {
      name: 'dashboard-mlflow',
      title: 'Dashboard over MLflow',
      repetitions,
      setup: `The MLflow simulator answers every request after ${LATENCY_MS} ms. Each run has one tag, 2 parameters, one other and one metric of 3 steps. The query asks for a project's runs with name, tags, parameters and each metric's last value (TrackQL's summaries are exact: last by step, with min, max and count). Upstream calls and round-trip depth are recorded by a pass-through proxy in front of the simulator. TrackQL runs as its own process with the MLflow backend, a fresh gateway for every run; the naive clients run in the benchmark's process. ${repetitions} interleaved runs per client and size.`,
      tables,
      raw: { runs: Object.fromEntries(sizes.map((n) => [n, Object.fromEntries(CLIENTS.map((k) => [k, at(n)[k].runs]))])) },
      goals: [
        { goal: 'TrackQL cold faster than the naive client sending every runs/get at once (N=100)', met: mid.cold.ms.median < mid.allAtOnce.ms.median, measured: `${round(mid.cold.ms.median, 1)} ms vs ${round(mid.allAtOnce.ms.median, 1)} ms` },
        { goal: 'TrackQL cold ≤ 5 upstream calls (N=100)', met: mid.cold.calls <= 5, measured: `${mid.cold.calls}` },
        { goal: `TrackQL cold ≤ 3× the floor of 3 round trips, ${FLOOR_MS} ms (N=100)`, met: mid.cold.ms.median <= 3 * FLOOR_MS, measured: `${round(mid.cold.ms.median / FLOOR_MS, 1)}× (${round(mid.cold.ms.median, 1)} ms)` },
      ],
      notes: [
        '`runs/search` returns every run whole (params, tags, latest values), so a hand-written client that reads the search answer needs no per-run call at all; it gets MLflow\'s latest value by timestamp, though, not the last by step, and no min, max or count. TrackQL reads each metric\'s whole series for up to 100 runs per `get-history-bulk-interval` call to give exact summaries.',
      ],
    };
  },
};
