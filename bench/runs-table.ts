/**
 * The dashboard's runs table in a real headless Chromium: time to the first frame that shows the rows, and the
 * requests a load costs, for a project of 1,000 runs, cold (empty browser cache) and warm (a reload, when the
 * hashed files come from the cache and only the page is revalidated).
 */
import { rmSync } from 'node:fs';
import type { HTTPRequest, Page } from 'puppeteer-core';
import { openBrowser } from '../test/support/browser';
import { gqlOk, startChildGateway, tempDir } from '../test/support/gateway';
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
    const repeats = ctx.quick ? 2 : 7;
    const dataDir = tempDir('trackql-bench-runs-table-');
    const gateway = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
    ctx.progress(0, `seeding ${RUNS} runs`);
    await seed(gateway.url);
    const session = await openBrowser();
    const results = new Map<number, { cold: Load[]; warm: Load[] }>();
    try {
      for (const [i, n] of pageSizes.entries()) {
        const url = `${gateway.url}/#/p/${WS}/${PROJECT}${n === 25 ? '' : `?n=${n}`}`;
        const cold: Load[] = [];
        const warm: Load[] = [];
        for (let r = 0; r < repeats; r += 1) {
          ctx.progress((i + r / repeats) / pageSizes.length, `${n} rows per page, load ${r + 1}/${repeats}`);
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
      rmSync(dataDir, { recursive: true, force: true });
    }

    const row = (label: string, loads: Load[]): Figure => ({
      label,
      values: {
        'first paint p50 ms': round(summarize(loads.map((l) => l.paintMs)).p50, 0),
        'first paint max ms': round(summarize(loads.map((l) => l.paintMs)).max, 0),
        'GraphQL p50 ms': round(summarize(loads.map((l) => l.graphqlMs)).p50, 0),
        'GraphQL requests': Math.max(...loads.map((l) => l.graphqlRequests)),
        'HTTP requests': Math.max(...loads.map((l) => l.httpRequests)),
        'KiB received': round(summarize(loads.map((l) => l.bytes)).p50 / 1024, 0),
      },
    });
    const columns = ['first paint p50 ms', 'first paint max ms', 'GraphQL p50 ms', 'GraphQL requests', 'HTTP requests', 'KiB received'];
    const tables = pageSizes.map((n) => {
      const { cold, warm } = results.get(n)!;
      return {
        title: `${n} rows per page, of ${RUNS} runs`,
        columns,
        rows: [row('cold (empty cache)', cold), row('warm (reload)', warm)],
        verdict: `First paint ${round(summarize(cold.map((l) => l.paintMs)).p50, 0)} ms cold, ${round(summarize(warm.map((l) => l.paintMs)).p50, 0)} ms warm, with ${Math.max(...cold.map((l) => l.graphqlRequests))} GraphQL request per load.`,
      };
    });
    const first = results.get(25)!;
    const all = [...results.values()].flatMap((r) => [...r.cold, ...r.warm]);
    return {
      name: 'runs-table',
      // One measured run (its percentiles come from many samples within it).
      repetitions: 1,
      title: 'Dashboard runs table in a browser',
      setup: `A project of ${RUNS} runs in the embedded store, written through the API (${PARAMS} parameters, ${METRICS} metrics of ${POINTS} points each), the gateway in its own process, Debian's headless Chromium (puppeteer-core) at 1280×900 on the same machine. Each load opens the runs table with its default columns (3 parameters, 2 metrics with last/min/max); ${repeats} loads per page size. First paint is the page's own clock from navigation start to the first animation frame after every row is in the page.`,
      tables,
      goals: [
        { goal: 'one GraphQL request per load of the runs table', met: all.every((l) => l.graphqlRequests === 1), measured: `${Math.max(...all.map((l) => l.graphqlRequests))} at most` },
        { goal: `first paint of 25 rows (of ${RUNS} runs) ≤ 1,000 ms cold`, met: summarize(first.cold.map((l) => l.paintMs)).p50 <= 1000, measured: `${round(summarize(first.cold.map((l) => l.paintMs)).p50, 0)} ms p50` },
        { goal: 'a warm load fetches no script or style again', met: first.warm.every((l) => l.httpRequests <= 2), measured: `${Math.max(...first.warm.map((l) => l.httpRequests))} HTTP requests (page revalidation + GraphQL)` },
      ],
      notes: ['Cold loads fetch the page, its style sheet, the entry module and the runs view chunk, gzipped; the hashed files are immutable, so a reload revalidates only the page (304) and asks GraphQL once.'],
    };
  },
};
