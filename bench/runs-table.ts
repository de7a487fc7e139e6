/**
 * The dashboard's runs table in a real headless Chromium: time to the first frame that shows the rows, and the
 * requests a load costs, for a project of 1,000 runs, cold (empty browser cache) and warm (a reload, when the
 * hashed files come from the cache and only the page is revalidated).
 */
import { rmSync } from 'node:fs';
import type { HTTPRequest, Page } from 'puppeteer-core';
import { openBrowser } from '../test/support/browser';
import { gqlOk, startChildGateway, tempDir } from '../test/support/gateway';
import { formatSpread, spreadOf, type Spread } from './lib/repeat';
import { round, summarize } from './lib/stats';
import type { BenchResult, Benchmark, Figure } from './lib/types';

const RUNS = 1000;
const WS = 'bench';
const PROJECT = 'runs-table';
const PARAMS = 10;
const METRICS = 5;
const POINTS = 50;

const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { experiment { key } } }`;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`;
/** Runs per page size, each a fresh gateway process and browser. */
const REPETITIONS = 3;
/** Writers at once while seeding. */
const SEED_CONCURRENCY = 8;

/** Writes the project through the public API (column-form metric batches), a few writers at once. */
async function seed(url: string): Promise<void> {
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < RUNS; i = next++) {
      const { createExperiment } = await gqlOk(url, CREATE, { input: {
        workspace: WS, project: PROJECT, name: `run-${String(i).padStart(4, '0')}`, tags: [['baseline', 'sweep', 'ablation'][i % 3]],
        parameters: Array.from({ length: PARAMS }, (_, p) => ({ name: `param_${p}`, value: ((i * 31 + p) % 97) / 10 })),
        startedAt: 1_767_225_600_000 + i * 60_000,
      } });
      const steps = Array.from({ length: POINTS }, (_, step) => step);
      await gqlOk(url, LOG, { input: {
        experimentKey: createExperiment.experiment.key,
        series: Array.from({ length: METRICS }, (_, m) => ({ name: `metric_${m}`, steps, values: steps.map((step) => 1 / (step + 1 + m + (i % 17))) })),
      } });
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, writer));
}

interface Load {
  /** From navigation start to the first frame drawn with the rows in the page, in ms (the page's own clock). */
  paintMs: number;
  /** The GraphQL request's own time, from sending to the last byte (resource timing). */
  graphqlMs: number;
  graphqlRequests: number;
  /** Requests that reached the gateway (not answered from the browser's cache). */
  httpRequests: number;
  /** Bytes received over the network (compressed), page and files included. */
  bytes: number;
}

/** Loads (or reloads) the runs table and waits for its first frame with rows. */
async function load(page: Page, url: string, rows: number, reload: boolean): Promise<Load> {
  let graphqlRequests = 0;
  let httpRequests = 0;
  let bytes = 0;
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.loadingFinished', (event) => { bytes += event.encodedDataLength; });
  const onRequest = (req: HTTPRequest) => {
    if (!req.response()?.fromCache()) httpRequests += 1;
    if (req.method() === 'POST' && req.url().endsWith('/graphql')) graphqlRequests += 1;
  };
  page.on('requestfinished', onRequest);
  try {
    if (reload) await page.reload({ waitUntil: 'domcontentloaded' });
    else await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(`document.querySelectorAll('table[data-testid=runs] tbody tr').length === ${rows}`, { timeout: 60_000, polling: 'mutation' });
    // performance.now() counts from navigation start: the frame after the rows are in is when a person sees them.
    const paintMs = (await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))')) as number;
    await page.waitForNetworkIdle({ idleTime: 100 });
    const graphqlMs = (await page.evaluate(`performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/graphql')).map((e) => e.responseEnd - e.startTime).pop() ?? -1`)) as number;
    return { paintMs, graphqlMs, graphqlRequests, httpRequests, bytes };
  } finally {
    page.off('requestfinished', onRequest);
    await cdp.detach();
  }
}

export const runsTableBenchmark: Benchmark = {
  name: 'runs-table',
  title: 'Dashboard runs table in a browser',
  async run(ctx): Promise<BenchResult> {
    // Quick mode only proves the harness runs (in CI, beside other work): a page of 1,000 rows waits for the full run.
    const pageSizes = ctx.quick ? [25, 200] : [25, 200, 1000];
    // Each run is a fresh gateway process and a fresh browser over the same data; loads within a run are timed alike.
    const loadsPerRun = ctx.quick ? 1 : 3;
    const dataDir = tempDir('trackql-bench-runs-table-');
    const runs: Map<number, { cold: Load[]; warm: Load[] }>[] = [];
    try {
      const seeding = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
      ctx.progress(0, `seeding ${RUNS} runs`);
      try {
        await seed(seeding.url);
      } finally {
        await seeding.dispose();
      }
      for (let run = 0; run < REPETITIONS; run += 1) {
        const gateway = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
        const session = await openBrowser();
        const results = new Map<number, { cold: Load[]; warm: Load[] }>();
        try {
          for (const [i, n] of pageSizes.entries()) {
            const url = `${gateway.url}/#/p/${WS}/${PROJECT}${n === 25 ? '' : `?n=${n}`}`;
            const cold: Load[] = [];
            const warm: Load[] = [];
            for (let r = 0; r < loadsPerRun; r += 1) {
              ctx.progress((run + (i + r / loadsPerRun) / pageSizes.length) / REPETITIONS, `run ${run + 1}/${REPETITIONS}: ${n} rows per page, load ${r + 1}/${loadsPerRun}`);
              // A fresh browser context has an empty cache: the cold load fetches every file.
              const context = await session.browser.createBrowserContext();
              const page = await context.newPage();
              await page.setViewport({ width: 1280, height: 900 });
              try {
                cold.push(await load(page, url, n, false));
                warm.push(await load(page, url, n, true));
              } finally {
                await context.close();
              }
            }
            results.set(n, { cold, warm });
          }
        } finally {
          await session.close();
          await gateway.dispose();
        }
        runs.push(results);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    /** Every load of one page size and kind, over all runs; and the per-run medians of one figure. */
    const loadsOf = (n: number, kind: 'cold' | 'warm'): Load[] => runs.flatMap((r) => r.get(n)![kind]);
    const perRun = (n: number, kind: 'cold' | 'warm', f: (l: Load) => number): Spread =>
      spreadOf(runs.map((r) => summarize(r.get(n)![kind].map(f)).p50));

    const row = (label: string, n: number, kind: 'cold' | 'warm'): Figure => ({
      label,
      values: {
        'first paint p50 ms': formatSpread(perRun(n, kind, (l) => l.paintMs)),
        'first paint max ms': round(summarize(loadsOf(n, kind).map((l) => l.paintMs)).max, 0),
        'GraphQL p50 ms': formatSpread(perRun(n, kind, (l) => l.graphqlMs)),
        'GraphQL requests': Math.max(...loadsOf(n, kind).map((l) => l.graphqlRequests)),
        'HTTP requests': Math.max(...loadsOf(n, kind).map((l) => l.httpRequests)),
        'KiB received': round(summarize(loadsOf(n, kind).map((l) => l.bytes)).p50 / 1024, 0),
      },
    });
    const columns = ['first paint p50 ms', 'first paint max ms', 'GraphQL p50 ms', 'GraphQL requests', 'HTTP requests', 'KiB received'];
    const tables = pageSizes.map((n) => ({
      title: `${n} rows per page, of ${RUNS} runs (p50: median and range of ${REPETITIONS} runs' medians)`,
      columns,
      rows: [row('cold (empty cache)', n, 'cold'), row('warm (reload)', n, 'warm')],
      verdict: `First paint ${round(perRun(n, 'cold', (l) => l.paintMs).median, 0)} ms cold, ${round(perRun(n, 'warm', (l) => l.paintMs).median, 0)} ms warm, with ${Math.max(...loadsOf(n, 'cold').map((l) => l.graphqlRequests))} GraphQL request per load.`,
    }));
    const firstCold = perRun(25, 'cold', (l) => l.paintMs);
    const firstWarm = loadsOf(25, 'warm');
    const all = pageSizes.flatMap((n) => [...loadsOf(n, 'cold'), ...loadsOf(n, 'warm')]);
    return {
      name: 'runs-table',
      repetitions: REPETITIONS,
      raw: { runs: runs.map((r) => Object.fromEntries([...r].map(([n, loads]) => [n, loads]))) },
      title: 'Dashboard runs table in a browser',
      setup: `A project of ${RUNS} runs in the embedded store, written through the API (${PARAMS} parameters, ${METRICS} metrics of ${POINTS} points each), the gateway in its own process, Debian's headless Chromium (puppeteer-core) at 1280×900 on the same machine. Each load opens the runs table with its default columns (3 parameters, 2 metrics with last/min/max). ${REPETITIONS} runs, each a fresh gateway process and browser, of ${loadsPerRun} cold and warm loads per page size. First paint is the page's own clock from navigation start to the first animation frame after every row is in the page.`,
      tables,
      goals: [
        { goal: 'one GraphQL request per load of the runs table', met: all.every((l) => l.graphqlRequests === 1), measured: `${Math.max(...all.map((l) => l.graphqlRequests))} at most` },
        { goal: `first paint of 25 rows (of ${RUNS} runs) ≤ 1,000 ms cold`, met: firstCold.median <= 1000, measured: `${formatSpread(firstCold)} ms p50` },
        { goal: 'a warm load fetches no script or style again', met: firstWarm.every((l) => l.httpRequests <= 2), measured: `${Math.max(...firstWarm.map((l) => l.httpRequests))} HTTP requests (page revalidation + GraphQL)` },
      ],
      notes: ['Cold loads fetch the page, its style sheet, the entry module and the runs view chunk, gzipped; the hashed files are immutable, so a reload revalidates only the page (304) and asks GraphQL once.'],
    };
  },
};
