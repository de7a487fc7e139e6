/**
 * The headline: a project dashboard over Comet ("each experiment with name, tags, parameters and every
 * metric's last value"), through the Comet simulator with a round-trip latency, done the way users write it
 * today (one call per experiment and kind: sequential, per-experiment parallel, or every call at once) and
 * through TrackQL, cold and warm. Wall time (median of interleaved runs, with their range), upstream calls and
 * round-trip depth, for several project sizes.
 */
import { rmSync } from 'node:fs';
import { Limits } from '../src/backends/comet/protocol';
import { loadConfig } from '../src/config';
import { startCometSim, type CometSim } from '../test/support/comet-sim';
import { gqlOk, startChildGateway, tempDir } from '../test/support/gateway';
import { countByRoute, roundTripDepth, startRecordingProxy, type RecordingProxy } from './lib/recording-proxy';
import { formatSpread, spreadOf, type Spread } from './lib/repeat';
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

type NaiveMode = 'sequential' | 'per-experiment' | 'all-at-once';

/**
 * What users write today: list, then per experiment tags, parameters and metric summary, one call each, in
 * sequence, with Promise.all per experiment, or every call at once (the strongest naive client: two round
 * trips deep, the physical floor of any client that must list before it can ask about runs).
 */
async function naive(base: string, project: string, mode: NaiveMode): Promise<number> {
  const get = async (path: string) => {
    const res = await fetch(`${base}/api/rest/v2/${path}`, { headers: { authorization: KEY } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const listing = (await get(`experiments?workspaceName=${WS}&projectName=${project}`)) as { experiments: { experimentKey: string }[] };
  const callsOf = (key: string) => ['experiment/tags', 'experiment/parameters', 'experiment/metrics/summary'].map((p) => () => get(`${p}?experimentKey=${key}`));
  if (mode === 'all-at-once') {
    await Promise.all(listing.experiments.flatMap((e) => callsOf(e.experimentKey)).map((c) => c()));
    return listing.experiments.length;
  }
  for (const e of listing.experiments) {
    const calls = callsOf(e.experimentKey);
    if (mode === 'per-experiment') await Promise.all(calls.map((c) => c()));
    else for (const c of calls) await c();
  }
  return listing.experiments.length;
}

/**
 * One size's table of a dashboard benchmark: wall time (median and range), upstream calls and round-trip
 * depth per client, each against the naive client that sends every call at once.
 */
export function sizeTable<C extends string>(n: number, unit: string, m: Record<C | 'allAtOnce', Measured>, clients: readonly C[], labels: Record<C, string>, repetitions: number, verdict: string) {
  const rows: Figure[] = clients.map((k) => ({
    label: labels[k],
    values: {
      'wall ms': formatSpread(m[k].ms, 1), 'upstream calls': m[k].calls, 'round trips deep': m[k].depth,
      'vs every call at once': `${round(m.allAtOnce.ms.median / m[k].ms.median, 2)}×`,
    },
  }));
  return {
    title: `N = ${n} ${unit} (wall time: median and range of ${repetitions} runs)`,
    columns: ['wall ms', 'upstream calls', 'round trips deep', 'vs every call at once'],
    rows,
    verdict,
  };
}

export const routesOf = (m: Measured): string => Object.entries(m.routes).map(([r, c]) => `${r} ×${c}`).join(', ');

export interface Measured {
  /** Wall time of each run. */
  runs: number[];
  ms: Spread;
  calls: number;
  depth: number;
  routes: Record<string, number>;
}

export interface Run {
  ms: number;
  calls: number;
  depth: number;
  routes: Record<string, number>;
}

export async function measure(proxy: RecordingProxy, fn: () => Promise<unknown>): Promise<Run> {
  proxy.reset();
  const { ms } = await timed(fn);
  return { ms, calls: proxy.records.length, depth: roundTripDepth(proxy.records), routes: countByRoute(proxy.records) };
}

/** Runs of one client: wall time as median and range; calls and depth must not vary between runs. */
export function combine(label: string, runs: readonly Run[]): Measured {
  const [first] = runs;
  if (runs.some((r) => r.calls !== first.calls)) throw new Error(`${label}: upstream calls varied between runs (${runs.map((r) => r.calls).join(', ')})`);
  const ms = runs.map((r) => r.ms);
  return { runs: ms, ms: spreadOf(ms), calls: first.calls, depth: Math.max(...runs.map((r) => r.depth)), routes: first.routes };
}

const CLIENTS = ['sequential', 'parallel', 'allAtOnce', 'cold', 'warm'] as const;
type Client = (typeof CLIENTS)[number];

interface SizeResult {
  clients: Record<Client, Measured>;
  /**
   * TrackQL cold with the simulator's answers held a wave at a time (comet-sim/waves.ts): each wave's calls
   * by route. Its length is the number of dependent round trips, which no machine's speed changes.
   */
  waves: Record<string, number>[];
}

async function withGateway<T>(proxyUrl: string, use: (url: string) => Promise<T>): Promise<T> {
  // A fresh gateway per use: its first query starts with an empty cache.
  const dataDir = tempDir('trackql-bench-dash-');
  const gw = await startChildGateway({
    TRACKQL_DATA_DIR: dataDir, TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: proxyUrl, TRACKQL_LOG_LEVEL: 'notice', TRACKQL_CACHE_TTL_SECONDS: '60',
  });
  try {
    return await use(gw.url);
  } finally {
    await gw.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runSize(sim: CometSim, proxy: RecordingProxy, n: number, repetitions: number, ctx: BenchContext, frac: [number, number]): Promise<SizeResult> {
  const project = `dash-${n}`;
  seed(sim, project, n);
  const runs: Record<Client, Run[]> = { sequential: [], parallel: [], allAtOnce: [], cold: [], warm: [] };
  const steps = repetitions * 4 + 1;
  let done = 0;
  const step = (what: string) => {
    ctx.progress(frac[0] + ((frac[1] - frac[0]) * done) / steps, `N=${n}, run ${Math.floor(done / 4) + 1}/${repetitions}: ${what}`);
    done += 1;
  };
  // Interleaved: each run measures every client once, so a slow phase of the machine falls on all alike.
  for (let run = 0; run < repetitions; run += 1) {
    step('naive sequential client');
    runs.sequential.push(await measure(proxy, () => naive(proxy.url, project, 'sequential')));
    step('naive client with Promise.all per experiment');
    runs.parallel.push(await measure(proxy, () => naive(proxy.url, project, 'per-experiment')));
    step('naive client, every call at once');
    runs.allAtOnce.push(await measure(proxy, () => naive(proxy.url, project, 'all-at-once')));
    step('TrackQL cold, then warm');
    await withGateway(proxy.url, async (url) => {
      runs.cold.push(await measure(proxy, () => dashboard(url, project, n)));
      runs.warm.push(await measure(proxy, () => dashboard(url, project, n)));
    });
  }
  ctx.progress(frac[0] + ((frac[1] - frac[0]) * done) / steps, `N=${n}: TrackQL cold, answers held a wave at a time`);
  const { waves } = await withGateway(proxy.url, (url) => sim.inWaves(() => dashboard(url, project, n)));
  return { clients: Object.fromEntries(CLIENTS.map((c) => [c, combine(c, runs[c])])) as Record<Client, Measured>, waves };
}

async function dashboard(url: string, project: string, n: number): Promise<void> {
  const data = await gqlOk(url, DASHBOARD, { ws: WS, p: project, n: Math.min(n, 1000) }, { authorization: KEY });
  const nodes = data.project.experiments.nodes as { metrics: unknown[]; parameters: unknown[] }[];
  if (nodes.length !== Math.min(n, 1000) || nodes.some((e) => e.metrics.length !== 10 || e.parameters.length !== 20)) {
    throw new Error(`TrackQL answered an incomplete dashboard for N=${n}`);
  }
}

const callsIn = (wave: Record<string, number>): number => Object.values(wave).reduce((a, b) => a + b, 0);
const wavesOf = (waves: readonly Record<string, number>[]): string => waves.map(callsIn).join(' → ');

/** Why the largest size is as deep as it is: the per-key limit on calls in flight, and why it stays. */
function limitNote(bigN: number, second: number, perKey: number, dependent: number): string {
  if (dependent <= 3) return `At N=${bigN} the second wave (${second} calls) fits in the ${perKey} calls per key the gateway keeps in flight (\`TRACKQL_COMET_CONCURRENCY\`).`;
  return `At N=${bigN} the second wave is ${second} calls and the gateway sends at most ${perKey} at a time per key (\`TRACKQL_COMET_CONCURRENCY\`), so it takes ⌈${second} / ${perKey}⌉ rounds: ${dependent} dependent round trips in all. Three would need about ${Math.ceil(second / 2)} calls in flight per key. Comet documents call counts (15,000 REST calls per hour per key, per-minute limits per kind of data), not how many calls a key may have open at once, and more at once spends no fewer calls from the hourly budget; the default stays, and the N=${bigN} depth goal is not met for that reason.`;
}

/** Two round trips (list, then everything about the listed runs at once): no client can do better. */
const FLOOR_MS = 2 * LATENCY_MS;

export const dashboardBenchmark: Benchmark = {
  name: 'dashboard',
  title: 'Dashboard over Comet',
  async run(ctx): Promise<BenchResult> {
    const sizes = ctx.quick ? [10, 100] : [10, 100, 1000];
    const repetitions = 3;
    const sim = await startCometSim({ latencyMs: LATENCY_MS, apiKeys: [KEY] });
    sim.seed({ keys: [{ apiKey: KEY, workspaces: [WS] }] });
    const proxy = await startRecordingProxy(sim.url);
    const bySize = new Map<number, SizeResult>();
    try {
      for (const [i, n] of sizes.entries()) bySize.set(n, await runSize(sim, proxy, n, repetitions, ctx, [i / sizes.length, (i + 1) / sizes.length]));
    } finally {
      await proxy.close();
      await sim.stop();
    }
    const labels: Record<Client, string> = {
      sequential: 'naive client, sequential',
      parallel: 'naive client, Promise.all per experiment',
      allAtOnce: 'naive client, every call at once',
      cold: 'TrackQL cold (empty cache)',
      warm: 'TrackQL warm (same query again)',
    };
    const at = (n: number) => (bySize.get(n) as SizeResult).clients;
    const wavesAt = (n: number) => (bySize.get(n) as SizeResult).waves;
    const tables = sizes.map((n) => sizeTable(n, 'experiments', at(n), CLIENTS, labels, repetitions,
      `TrackQL cold: ${round(at(n).allAtOnce.ms.median / at(n).cold.ms.median, 2)}× the speed of the fastest naive client, ${round(at(n).cold.ms.median / FLOOR_MS, 1)}× the physical floor of ${FLOOR_MS} ms, ${at(n).cold.calls} upstream calls (N + ${at(n).cold.calls - n}); warm: ${at(n).warm.calls} upstream calls. Cold calls by route: ${routesOf(at(n).cold)}. Dependent round trips cold: ${wavesAt(n).length} (calls per wave: ${wavesOf(wavesAt(n))}).`));
    const mid = at(100);
    const bigN = sizes[sizes.length - 1];
    const big = at(bigN);
    // The default the gateway ran with: the second wave goes out at most this many calls at a time per key.
    const perKey = loadConfig({}).comet.concurrency;
    const secondWave = (n: number) => wavesAt(n).slice(1).reduce((sum, w) => sum + callsIn(w), 0);
    return {
      name: 'dashboard',
      title: 'Dashboard over Comet',
      repetitions,
      setup: `The project's Comet simulator answers every request after ${LATENCY_MS} ms. Each experiment has 1–2 tags, 20 parameters and 10 metrics. The query asks for a project's experiments with name, tags, parameters and each metric's last value. Upstream calls and round-trip depth (the longest chain of calls each starting after the previous one ended) are recorded by a pass-through proxy in front of the simulator. TrackQL runs as its own process with the Comet backend and a fresh gateway (empty cache) for every cold run; the naive clients run in the benchmark's process. ${repetitions} interleaved runs per client and size.`,
      tables,
      raw: { runs: Object.fromEntries(sizes.map((n) => [n, Object.fromEntries(CLIENTS.map((k) => [k, at(n)[k].runs]))])) },
      charts: [{
        file: 'dashboard-scaling.svg', title: 'Dashboard over Comet: wall time against project size (median)', xLabel: 'experiments in the project (log scale)', yLabel: 'milliseconds', logX: true,
        series: CLIENTS.map((k) => ({ name: labels[k], points: sizes.map((n) => ({ x: n, y: at(n)[k].ms.median })) })),
      }, {
        file: 'dashboard-calls.svg', title: 'Dashboard over Comet: upstream calls against project size', xLabel: 'experiments in the project (log scale)', yLabel: 'upstream calls', logX: true,
        series: CLIENTS.map((k) => ({ name: labels[k], points: sizes.map((n) => ({ x: n, y: at(n)[k].calls })) })),
      }],
      goals: [
        { goal: 'TrackQL cold faster than the naive client sending every call at once (N=100)', met: mid.cold.ms.median < mid.allAtOnce.ms.median, measured: `${round(mid.cold.ms.median, 1)} ms vs ${round(mid.allAtOnce.ms.median, 1)} ms` },
        { goal: 'TrackQL cold ≤ 3 round trips deep (N=100)', met: mid.cold.depth <= 3, measured: `${mid.cold.depth} (dependent: ${wavesAt(100).length})` },
        { goal: 'TrackQL cold ≤ 3 dependent round trips (N=100)', met: wavesAt(100).length <= 3, measured: `${wavesAt(100).length}` },
        { goal: 'TrackQL cold ≤ N + 10 upstream calls (N=100)', met: mid.cold.calls <= 110, measured: `${mid.cold.calls}` },
        { goal: `TrackQL cold ≤ 4× the physical floor of 2 round trips, ${FLOOR_MS} ms (N=100)`, met: mid.cold.ms.median <= 4 * FLOOR_MS, measured: `${round(mid.cold.ms.median / FLOOR_MS, 1)}× (${round(mid.cold.ms.median, 1)} ms)` },
        { goal: `TrackQL cold ≤ 3 round trips deep (N=${bigN})`, met: big.cold.depth <= 3, measured: `${big.cold.depth} (dependent: ${wavesAt(bigN).length})` },
        { goal: `TrackQL cold ≤ 3 dependent round trips (N=${bigN})`, met: wavesAt(bigN).length <= 3, measured: `${wavesAt(bigN).length}` },
        { goal: 'TrackQL warm makes 0 upstream calls', met: sizes.every((n) => at(n).warm.calls === 0), measured: sizes.map((n) => `${at(n).warm.calls} at N=${n}`).join(', ') },
      ],
      notes: [
        `Dependent round trips are counted exactly, apart from the machine's speed: one more cold run per size with the simulator holding every answer until the gateway has sent all it can without one, then releasing that wave (test/support/comet-sim/waves.ts). TrackQL's cold dashboard is ${wavesAt(100).length} dependent round trips deep at N=100: the project, its listing and its column names together, then every per-run read at once. Two is the floor of any client, which must list the runs before it can ask about them. The test suite asserts the same two waves and their calls (test/integration/comet/dashboard.test.ts).`,
        `The timed depth (the proxy's longest chain of calls each starting after the previous one ended: ${mid.cold.depth} at N=100) also counts calls of one wave that leave the gateway, or are taken in by the simulator's process, more than one latency (${LATENCY_MS} ms) apart: it measures how tightly a wave of ~N calls is sent and received on this shared machine, not waits; the naive client that sends every call at once measures ${mid.allAtOnce.depth} the same way. It can be no lower than the dependent count.`,
        `Changed in this round: the parameter chart calls of a page go out at once instead of one after another (a page of more than ${Limits.CHART_MAX_EXPERIMENTS} runs made one \`multi-metric-chart\` call per ${Limits.CHART_MAX_EXPERIMENTS} runs in sequence, each one more round trip behind the summaries). No read waited on another it could run beside at N=100: the project lookup already fetched the listing and column names beside it, and the tags, parameters and summaries batches leave on the same tick.`,
        limitNote(bigN, secondWave(bigN), perKey, wavesAt(bigN).length),
        `Comet has no multi-experiment read of metric summaries, so TrackQL still reads one summary per experiment; it sends them all at once (up to \`TRACKQL_COMET_CONCURRENCY\` per key), which keeps the depth flat while the call count grows with N. Tags come from one \`project/query\` per distinct tag, parameters from one \`experiments/multi-metric-chart\` call per ${Limits.CHART_MAX_EXPERIMENTS} experiments, all sent together.`,
      ],
    };
  },
};
