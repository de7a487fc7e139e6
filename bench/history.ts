/**
 * Metric history: a long series downsampled to 1,000 samples through the GraphQL API, against fetching the
 * raw points page by page through the same API. Latency percentiles and the server's extra peak RSS.
 */
import { rmSync } from 'node:fs';
import { createSqliteBackend } from '../src/backends/sqlite';
import { ANONYMOUS } from '../src/server/identity';
import { gqlOk, startChildGateway, tempDir } from '../test/support/gateway';
import { peakRssBytes, resetPeakRss, rssBytes } from './lib/rss';
import { formatSpread, spreadOf, type Spread } from './lib/repeat';
import { round, summarize, timed } from './lib/stats';
import type { BenchContext, BenchResult, Benchmark, Figure } from './lib/types';

const SAMPLES = 1000;
const PAGE = 10_000;
const MIB = 1024 * 1024;

async function seed(dataDir: string, points: number, ctx: BenchContext, label: string): Promise<string> {
  const backend = createSqliteBackend({ dataDir });
  const e = await backend.experiments.create(ANONYMOUS, { workspace: 'bench', project: 'history', name: 'long' });
  const batch = 10_000;
  for (let start = 0; start < points; start += batch) {
    const n = Math.min(batch, points - start);
    const rows = Array.from({ length: n }, (_, i) => {
      const step = start + i;
      // A decaying curve with noise and a rare spike, so min/max buckets matter.
      const value = Math.exp(-step / (points / 4)) + Math.sin(step / 37) * 0.01 + (step % 99_991 === 5_000 ? 10 : 0);
      return { name: 'loss', value, step, timestamp: 1_700_000_000_000 + step };
    });
    await backend.metrics.log(ANONYMOUS, e.key, rows);
    ctx.progress((start + n) / points / 3, `${label}: seeding ${(start + n).toLocaleString('en-US')} points`);
  }
  await backend.close();
  return e.key;
}

const SAMPLED = `query($k: String!, $n: Int!) { experiment(key: $k) { metric(name: "loss") { history(samples: $n) { totalCount points { step value } } } } }`;
const PAGED = `query($k: String!, $after: String) { experiment(key: $k) { metric(name: "loss") { history(first: ${PAGE}, after: $after) {
  pageInfo { hasNextPage endCursor } points { step value } } } } }`;

/** Repetitions: each a fresh gateway process over the same data, so one process's luck is not the figure. */
const REPETITIONS = 3;

interface RunResult {
  sampled: ReturnType<typeof summarize>;
  sampledExtraRssMiB: number;
  rawMs: number;
  rawExtraRssMiB: number;
  returned: number;
}

interface SizeResult {
  points: number;
  runs: RunResult[];
  p50: Spread;
  p95: Spread;
  p99: Spread;
  extraRss: Spread;
  raw: Spread;
  rawExtraRss: Spread;
  returned: number;
}

async function measureRun(dataDir: string, key: string, points: number, ctx: BenchContext, label: string, frac: [number, number]): Promise<RunResult> {
  const gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
  const pid = gw.process.pid as number;
  const at = (f: number) => frac[0] + (frac[1] - frac[0]) * f;
  try {
    const runs = ctx.quick ? 5 : 25;
    for (let i = 0; i < 3; i += 1) await gqlOk(gw.url, SAMPLED, { k: key, n: SAMPLES }); // warm-up
    const latencies: number[] = [];
    let extra = 0;
    let returned = 0;
    for (let i = 0; i < runs; i += 1) {
      const before = rssBytes(pid);
      resetPeakRss(pid);
      const { ms, value } = await timed(() => gqlOk(gw.url, SAMPLED, { k: key, n: SAMPLES }));
      extra = Math.max(extra, peakRssBytes(pid) - before);
      returned = value.experiment.metric.history.points.length;
      latencies.push(ms);
      ctx.progress(at(((i + 1) / runs) / 2), `${label}: sampled query ${i + 1}/${runs}`);
    }
    const before = rssBytes(pid);
    resetPeakRss(pid);
    const raw = await timed(async () => {
      let after: string | null = null;
      let fetched = 0;
      do {
        const data: any = await gqlOk(gw.url, PAGED, { k: key, after });
        const h = data.experiment.metric.history;
        fetched += h.points.length;
        after = h.pageInfo.hasNextPage ? h.pageInfo.endCursor : null;
        ctx.progress(at(0.5 + (fetched / points) / 2), `${label}: raw pages, ${fetched.toLocaleString('en-US')} points`);
      } while (after);
      return fetched;
    });
    if (raw.value !== points) throw new Error(`raw paging returned ${raw.value} of ${points} points`);
    return { sampled: summarize(latencies), sampledExtraRssMiB: extra / MIB, rawMs: raw.ms, rawExtraRssMiB: (peakRssBytes(pid) - before) / MIB, returned };
  } finally {
    await gw.stop();
  }
}

async function measureSize(points: number, ctx: BenchContext, frac: [number, number]): Promise<SizeResult> {
  const dataDir = tempDir('trackql-bench-history-');
  const label = `${points.toLocaleString('en-US')} points`;
  const span = frac[1] - frac[0];
  try {
    const key = await seed(dataDir, points, ctx, label);
    const runs: RunResult[] = [];
    for (let r = 0; r < REPETITIONS; r += 1) {
      const from = frac[0] + span * (1 / 3 + (2 / 3) * (r / REPETITIONS));
      runs.push(await measureRun(dataDir, key, points, ctx, `${label}, run ${r + 1}/${REPETITIONS}`, [from, from + (span * 2) / 3 / REPETITIONS]));
    }
    const of = (f: (r: RunResult) => number) => spreadOf(runs.map(f));
    return {
      points, runs, p50: of((r) => r.sampled.p50), p95: of((r) => r.sampled.p95), p99: of((r) => r.sampled.p99),
      extraRss: of((r) => r.sampledExtraRssMiB), raw: of((r) => r.rawMs), rawExtraRss: of((r) => r.rawExtraRssMiB), returned: runs[0].returned,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const historyBenchmark: Benchmark = {
  name: 'history',
  title: 'Metric history',
  async run(ctx): Promise<BenchResult> {
    const sizes = ctx.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
    const results: SizeResult[] = [];
    for (const [i, size] of sizes.entries()) results.push(await measureSize(size, ctx, [i / sizes.length, (i + 1) / sizes.length]));
    const largest = results[results.length - 1];
    const rows: Figure[] = results.flatMap((r) => [
      { label: `${r.points.toLocaleString('en-US')} points, samples: ${SAMPLES}`, values: {
        'points returned': r.returned, 'p50 ms': formatSpread(r.p50, 1), 'p95 ms': formatSpread(r.p95, 1), 'p99 ms': formatSpread(r.p99, 1), 'extra RSS MiB': formatSpread(r.extraRss, 1),
      } },
      { label: `${r.points.toLocaleString('en-US')} points, raw pages of ${PAGE.toLocaleString('en-US')} (total)`, values: {
        'points returned': r.points, 'p50 ms': formatSpread(r.raw, 0), 'p95 ms': null, 'p99 ms': null, 'extra RSS MiB': formatSpread(r.rawExtraRss, 1),
      } },
    ]);
    return {
      name: 'history',
      repetitions: REPETITIONS,
      title: 'Metric history',
      setup: `One series of N points on the embedded store, read through \`history(samples: ${SAMPLES})\` over HTTP (${ctx.quick ? 5 : 25} timed queries after 3 warm-ups, whose percentiles make one run), against paging through every raw point with \`history(first: ${PAGE})\`. ${REPETITIONS} runs per size, each in a fresh gateway process over the same data; figures are the median (and range) of the runs' percentiles. Extra RSS is the server's peak resident memory during the query minus its resident memory before it.`,
      raw: { runs: Object.fromEntries(results.map((r) => [r.points, r.runs])) },
      tables: [{
        title: `Downsampled vs raw, by series length (median and range of ${REPETITIONS} runs)`,
        columns: ['points returned', 'p50 ms', 'p95 ms', 'p99 ms', 'extra RSS MiB'],
        rows,
        verdict: `At ${largest.points.toLocaleString('en-US')} points the sampled query answers in ${round(largest.p50.median)} ms (p50), ${round(largest.raw.median / largest.p50.median, 1)}× faster than fetching the raw pages (${round(largest.raw.median)} ms).`,
      }],
      charts: [{
        file: 'history-scaling.svg', title: 'Metric history: latency against series length', xLabel: 'points in the series (log scale)', yLabel: 'milliseconds', logX: true,
        series: [
          { name: `samples: ${SAMPLES} (p50)`, points: results.map((r) => ({ x: r.points, y: r.p50.median })) },
          { name: 'raw pages (total)', points: results.map((r) => ({ x: r.points, y: r.raw.median })) },
        ],
      }],
      goals: [
        { goal: `${largest.points.toLocaleString('en-US')}-point series to ${SAMPLES} samples over HTTP: p50 < 15 ms`, met: largest.p50.median < 15, measured: `${formatSpread(largest.p50, 1)} ms` },
        { goal: `${largest.points.toLocaleString('en-US')}-point series to ${SAMPLES} samples over HTTP: p99 < 30 ms`, met: largest.p99.median < 30, measured: `${formatSpread(largest.p99, 1)} ms` },
        { goal: 'extra RSS < 50 MB', met: largest.extraRss.median * MIB < 50e6, measured: `${formatSpread(largest.extraRss, 1)} MiB` },
      ],
    };
  },
};
