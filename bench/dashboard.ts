/**
 * The headline: a project dashboard over Comet ("each experiment with name, tags, parameters and every
 * metric's last value"), through the Comet simulator with a round-trip latency, done the way users write it
 * today (one call per experiment and kind, sequential or per-experiment parallel) and through TrackQL, cold
 * and warm. Wall time, upstream calls and round-trip depth, for several project sizes.
 */
import { rmSync } from 'node:fs';
import { startCometSim, type CometSim } from '../test/support/comet-sim';
import { gqlOk, startChildGateway, tempDir } from '../test/support/gateway';
import { countByRoute, roundTripDepth, startRecordingProxy, type RecordingProxy } from './lib/recording-proxy';
import { round, timed } from './lib/stats';
import type { BenchContext, BenchResult, Benchmark, Figure } from './lib/types';

const KEY = 'bench-dashboard-key-0123456789';
const WS = 'bench';
const LATENCY_MS = 20;
const TAGS = ['baseline', 'sweep', 'gpu', 'ablation'];

const DASHBOARD = `query($ws: String!, $p: String!, $n: Int!) { project(workspace: $ws, name: $p) { experiments(first: $n) {
  totalCount nodes { key name tags parameters { name value } metrics { name last } } } } }`;

function seed(sim: CometSim, project: string, n: number): void {
  sim.seed({
    experiments: Array.from({ length: n }, (_, i) => ({
      workspace: WS, project, name: `run-${i}`, startTimeMillis: 1_700_000_000_000 + i * 1000,
      tags: [TAGS[i % TAGS.length], ...(i % 5 === 0 ? ['best'] : [])],
      parameters: Object.fromEntries(Array.from({ length: 20 }, (_, p) => [`param_${p}`, (i * 31 + p) % 97 / 10])),
      metrics: Array.from({ length: 10 }, (_, m) => Array.from({ length: 3 }, (_, step) => ({
        metricName: `metric_${m}`, metricValue: 1 / (step + 1 + m + i), step, timestamp: 1_700_000_000_000 + step,
      }))).flat(),
    })),
  });
}

/** What users write today: list, then per experiment tags, parameters and metric summary, one call each. */
async function naive(base: string, project: string, parallelPerExperiment: boolean): Promise<number> {
  const get = async (path: string) => {
    const res = await fetch(`${base}/api/rest/v2/${path}`, { headers: { authorization: KEY } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const listing = (await get(`experiments?workspaceName=${WS}&projectName=${project}`)) as { experiments: { experimentKey: string }[] };
  for (const e of listing.experiments) {
    const calls = ['experiment/tags', 'experiment/parameters', 'experiment/metrics/summary'].map((p) => () => get(`${p}?experimentKey=${e.experimentKey}`));
    if (parallelPerExperiment) await Promise.all(calls.map((c) => c()));
    else for (const c of calls) await c();
  }
  return listing.experiments.length;
}

interface Measured {
  ms: number;
  calls: number;
  depth: number;
  routes: Record<string, number>;
}

async function measure(proxy: RecordingProxy, fn: () => Promise<unknown>): Promise<Measured> {
  proxy.reset();
  const { ms } = await timed(fn);
  return { ms, calls: proxy.records.length, depth: roundTripDepth(proxy.records), routes: countByRoute(proxy.records) };
}

async function runSize(sim: CometSim, proxy: RecordingProxy, n: number, ctx: BenchContext, frac: [number, number]): Promise<Record<string, Measured>> {
  const project = `dash-${n}`;
  seed(sim, project, n);
  const step = (i: number, what: string) => ctx.progress(frac[0] + ((frac[1] - frac[0]) * i) / 4, `N=${n}: ${what}`);
  step(0, 'naive sequential client');
  const sequential = await measure(proxy, () => naive(proxy.url, project, false));
  step(1, 'naive client with Promise.all per experiment');
  const parallel = await measure(proxy, () => naive(proxy.url, project, true));
  // A fresh gateway per size: the cold run starts with an empty cache.
  const dataDir = tempDir('trackql-bench-dash-');
  const gw = await startChildGateway({
    TRACKQL_DATA_DIR: dataDir, TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: proxy.url, TRACKQL_LOG_LEVEL: 'notice', TRACKQL_CACHE_TTL_SECONDS: '60',
  });
  try {
    const query = async () => {
      const data = await gqlOk(gw.url, DASHBOARD, { ws: WS, p: project, n: Math.min(n, 1000) }, { authorization: KEY });
      const nodes = data.project.experiments.nodes as { metrics: unknown[]; parameters: unknown[] }[];
      if (nodes.length !== Math.min(n, 1000) || nodes.some((e) => e.metrics.length !== 10 || e.parameters.length !== 20)) {
        throw new Error(`TrackQL answered an incomplete dashboard for N=${n}`);
      }
    };
    step(2, 'TrackQL cold');
    const cold = await measure(proxy, query);
    step(3, 'TrackQL warm');
    const warm = await measure(proxy, query);
    return { sequential, parallel, cold, warm };
  } finally {
    await gw.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const dashboardBenchmark: Benchmark = {
  name: 'dashboard',
  title: 'Dashboard over Comet',
  async run(ctx): Promise<BenchResult> {
    const sizes = ctx.quick ? [10, 100] : [10, 100, 1000];
    const sim = await startCometSim({ latencyMs: LATENCY_MS, apiKeys: [KEY] });
    sim.seed({ keys: [{ apiKey: KEY, workspaces: [WS] }] });
    const proxy = await startRecordingProxy(sim.url);
    const bySize = new Map<number, Record<string, Measured>>();
    try {
      for (const [i, n] of sizes.entries()) bySize.set(n, await runSize(sim, proxy, n, ctx, [i / sizes.length, (i + 1) / sizes.length]));
    } finally {
      await proxy.close();
      await sim.stop();
    }
    const labels: Record<string, string> = {
      sequential: 'naive client, sequential', parallel: 'naive client, Promise.all per experiment', cold: 'TrackQL cold (empty cache)', warm: 'TrackQL warm (same query again)',
    };
    const tables = sizes.map((n) => {
      const m = bySize.get(n) as Record<string, Measured>;
      const rows: Figure[] = Object.entries(labels).map(([k, label]) => ({
        label,
        values: { 'wall ms': round(m[k].ms, 1), 'upstream calls': m[k].calls, 'round trips deep': m[k].depth, 'speed-up vs sequential': round(m.sequential.ms / m[k].ms, 1) },
      }));
      return {
        title: `N = ${n} experiments`,
        columns: ['wall ms', 'upstream calls', 'round trips deep', 'speed-up vs sequential'],
        rows,
        verdict: `TrackQL cold: ${round(m.sequential.calls / m.cold.calls, 1)}× fewer upstream calls and ${round(m.sequential.ms / m.cold.ms, 1)}× faster than the sequential client; warm: ${m.warm.calls} upstream calls. Cold calls by route: ${Object.entries(m.cold.routes).map(([r, c]) => `${r} ×${c}`).join(', ')}.`,
      };
    });
    const at100 = bySize.get(100) as Record<string, Measured>;
    return {
      name: 'dashboard',
      // One measured run (its percentiles come from many samples within it).
      repetitions: 1,
      title: 'Dashboard over Comet',
      setup: `The project's Comet simulator answers every request after ${LATENCY_MS} ms. Each experiment has 1–2 tags, 20 parameters and 10 metrics. The query asks for a project's experiments with name, tags, parameters and each metric's last value. Upstream calls and round-trip depth (the longest chain of calls each starting after the previous one ended) are recorded by a pass-through proxy in front of the simulator. TrackQL runs as its own process with the Comet backend and a fresh cache per size.`,
      tables,
      charts: [{
        file: 'dashboard-scaling.svg', title: 'Dashboard over Comet: wall time against project size', xLabel: 'experiments in the project (log scale)', yLabel: 'milliseconds', logX: true,
        series: Object.entries(labels).map(([k, label]) => ({ name: label, points: sizes.map((n) => ({ x: n, y: (bySize.get(n) as Record<string, Measured>)[k].ms })) })),
      }, {
        file: 'dashboard-calls.svg', title: 'Dashboard over Comet: upstream calls against project size', xLabel: 'experiments in the project (log scale)', yLabel: 'upstream calls', logX: true,
        series: Object.entries(labels).map(([k, label]) => ({ name: label, points: sizes.map((n) => ({ x: n, y: (bySize.get(n) as Record<string, Measured>)[k].calls })) })),
      }],
      goals: [
        { goal: 'TrackQL cold ≤ 3 round trips deep (N=100)', met: at100.cold.depth <= 3, measured: `${at100.cold.depth}` },
        { goal: 'TrackQL cold ≥ 20× fewer upstream calls than sequential (N=100)', met: at100.sequential.calls / at100.cold.calls >= 20, measured: `${round(at100.sequential.calls / at100.cold.calls, 1)}× (${at100.sequential.calls} vs ${at100.cold.calls})` },
        { goal: 'TrackQL cold ≥ 10× faster than sequential (N=100)', met: at100.sequential.ms / at100.cold.ms >= 10, measured: `${round(at100.sequential.ms / at100.cold.ms, 1)}×` },
        { goal: 'TrackQL warm makes 0 upstream calls', met: [...bySize.values()].every((m) => m.warm.calls === 0), measured: sizes.map((n) => `${(bySize.get(n) as Record<string, Measured>).warm.calls} at N=${n}`).join(', ') },
      ],
      notes: [
        'Comet has no multi-experiment read of metric summaries, so TrackQL still reads one summary per experiment; it sends them all at once (up to `TRACKQL_COMET_CONCURRENCY` per key), which keeps the depth flat while the call count grows with N. Tags come from one `project/query` per distinct tag, parameters from one `experiments/multi-metric-chart` call per 100 experiments.',
      ],
    };
  },
};
