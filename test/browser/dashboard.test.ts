/**
 * The dashboard in a real Chromium against a real gateway with demo data: each view shows what the GraphQL
 * API answers, costs one request, keeps its state in the URL, zooms with a refined fetch, follows a running
 * run live, asks for an API key when needed, and never reaches past loopback.
 */
import type { Page } from 'puppeteer-core';
import { rmSync } from 'node:fs';
import { isLoopback, openBrowser, type BrowserSession } from '../support/browser';
import { SIM_KEY, startSim } from '../support/comet-backend';
import type { CometSim } from '../support/comet-sim';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { createKey, type CreatedKey } from '../support/keys';

jest.setTimeout(30_000);

const WS = 'demo';
const PROJECT = 'image-classification';
/** What Chromium logs for the expected 401 of the first, keyless request. */
const EXPECTED_401 = /Failed to load resource: the server responded with a status of 401/;

type Metric = { name: string; last: number | null; min: number | null; max: number | null };
type Row = { key: string; name: string; status: string; parameters: { name: string; value: string }[]; metrics: Metric[] };

/** The same text as web/src/format.ts formatNumber, for finite values. */
function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

describe('the dashboard', () => {
  let dir: string;
  let gateway: ChildGateway;
  let key: CreatedKey;
  let session: BrowserSession;
  let page: Page;
  const api = <T = any>(query: string, variables: Record<string, unknown> = {}) => gqlOk<T>(gateway.url, query, variables, { authorization: `Bearer ${key.secret}` });
  const runsOf = async (filter?: unknown, orderBy?: unknown, first = 25): Promise<Row[]> => (await api(`query($f: ExperimentFilterInput, $o: [ExperimentOrderInput!], $n: Int!) {
    project(workspace: "${WS}", name: "${PROJECT}") { experiments(first: $n, filter: $f, orderBy: $o) {
      nodes { key name status parameters { name value } metrics { name last min max } } } } }`, { f: filter, o: orderBy, n: first })).project.experiments.nodes;
  const byName = async (name: string): Promise<Row> => (await runsOf({ nameContains: name }))[0] ?? (await api(`{ project(workspace: "${WS}", name: "text-sentiment") {
    experiments(filter: {nameContains: "${name}"}) { nodes { key name status parameters { name value } metrics { name last min max } } } } }`)).project.experiments.nodes[0];

  /** Opens a view and waits until it has drawn `ready` and the network is quiet; returns its GraphQL calls. */
  async function open(hash: string, ready: string) {
    session.resetCalls();
    await page.goto(`${gateway.url}/${hash}`);
    await page.waitForSelector(ready);
    await session.idle();
    return [...session.calls];
  }
  const texts = (selector: string) => page.$$eval(selector, (nodes) => nodes.map((n) => (n.textContent ?? '').trim()));
  const attrs = (selector: string, name: string) => page.$$eval(selector, (nodes, a) => nodes.map((n) => n.getAttribute(a) ?? ''), name);

  beforeAll(async () => {
    dir = tempDir('trackql-dashboard-');
    key = createKey(dir, WS, 'write', 'dashboard test');
    // Both start at once; whichever started is stopped again if the other failed (afterAll sees it).
    const [g, b] = await Promise.allSettled([startChildGateway({ TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'notice' }, ['demo']), openBrowser()]);
    if (g.status === 'fulfilled') gateway = g.value;
    if (b.status === 'fulfilled') session = b.value;
    if (g.status === 'rejected') throw g.reason;
    if (b.status === 'rejected') throw b.reason;
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await gateway?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for an API key on UNAUTHENTICATED, keeps it in sessionStorage and sends it only as a header', async () => {
    await page.goto(`${gateway.url}/`);
    await page.waitForSelector('dialog[open] #api-key');
    expect(session.calls.map((c) => c.authorization)).toEqual([undefined]);
    // Escape closes the prompt; the view then says why it is empty and offers the prompt again.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('dialog[open]') === null);
    await page.click('main [role=alert] button');
    await page.waitForSelector('dialog[open] #api-key');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key');
    await page.type('#api-key', key.secret);
    session.resetCalls();
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('table[data-testid=projects]');
    expect(session.calls.map((c) => c.authorization)).toEqual([`Bearer ${key.secret}`]);
    expect(await page.evaluate(() => sessionStorage.getItem('trackql.apiKey'))).toBe(key.secret);
    expect(await page.$('dialog[open]')).toBeNull();
    // Only the keyless first request failed (Chromium logs its 401); nothing else went wrong.
    expect(session.errors.every((e) => EXPECTED_401.test(e))).toBe(true);
    session.errors.length = 0;
  });

  it('lists projects with their run counts and last activity from one request', async () => {
    const calls = await open('', 'table[data-testid=projects] tbody tr');
    expect(calls.map((c) => c.operationName)).toEqual(['DashboardProjects']);
    const { workspace } = await api(`{ workspace(name: "${WS}") { projects { nodes { name experimentCount } } } }`);
    const shown = await page.$$eval('tr[data-project]', (rows) => rows.map((r) => [r.getAttribute('data-project'), Number(r.querySelector('[data-value]')?.getAttribute('data-value'))]));
    expect(shown).toEqual(workspace.projects.nodes.map((p: { name: string; experimentCount: number }) => [p.name, p.experimentCount]));
    await session.screenshot('projects');
  });

  it('shows the runs table with metric summaries, sorted and filtered by the schema, its state in the URL', async () => {
    let calls = await open(`#/p/${WS}/${PROJECT}?cols=p:optimizer,p:learning_rate,m:loss`, 'table[data-testid=runs] tbody tr');
    expect(calls.map((c) => c.operationName)).toEqual(['DashboardRuns']);
    const expected = await runsOf();
    expect(await attrs('tbody tr[data-key]', 'data-key')).toEqual(expected.map((r) => r.key));
    const loss = (r: Row) => r.metrics.find((m) => m.name === 'loss')!;
    expect((await attrs('td[data-metric=loss][data-aggregate=last]', 'data-value')).map(Number)).toEqual(expected.map((r) => loss(r).last));
    expect(await texts('td[data-metric=loss][data-aggregate=min]')).toEqual(expected.map((r) => formatNumber(loss(r).min!)));
    expect(await page.$eval('.count', (n) => n.getAttribute('data-total'))).toBe(String(expected.length));
    await session.screenshot('runs');

    // Sort by the minimum of loss, descending: two clicks on its "min" header.
    for (const direction of ['ascending', 'descending']) {
      session.resetCalls();
      const [, min] = await page.$$('button[aria-describedby="metric-loss"]'); // last, min, max
      await min.click();
      await page.waitForFunction((d) => document.querySelector(`tr.sub th[aria-sort="${d}"]`) !== null, {}, direction);
      await session.idle();
      expect(session.calls).toHaveLength(1);
    }
    expect(page.url()).toContain('sort=METRIC%3Aloss%3AMIN%3ADESC');
    const sorted = await runsOf(undefined, [{ field: 'METRIC', metric: 'loss', aggregate: 'MIN', direction: 'DESC' }]);
    expect(await attrs('tbody tr[data-key]', 'data-key')).toEqual(sorted.map((r) => r.key));

    // A filter with and/not, a metric and a parameter comparison, compiled to ExperimentFilterInput.
    session.resetCalls();
    await page.type('#run-filter', 'loss < 0.25 and not param.optimizer = adam');
    await page.click('form[role=search] button[type=submit]');
    await page.waitForFunction(() => window.location.hash.includes('q='));
    await session.idle();
    calls = [...session.calls];
    const filter = { and: [{ metric: { name: 'loss', aggregate: 'LAST', op: 'LT', value: 0.25 } }, { not: { parameter: { name: 'optimizer', op: 'EQ', value: 'adam' } } }] };
    expect(calls.map((c) => c.variables.filter)).toEqual([filter]);
    const filtered = await runsOf(filter, [{ field: 'METRIC', metric: 'loss', aggregate: 'MIN', direction: 'DESC' }]);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.length).toBeLessThan(expected.length);
    expect(await attrs('tbody tr[data-key]', 'data-key')).toEqual(filtered.map((r) => r.key));

    // Select two rows: the selection joins the URL, and the shared URL shows the same table.
    await page.click(`tr[data-key="${filtered[0].key}"] input[type=checkbox]`);
    await page.waitForFunction(() => window.location.hash.includes('sel='));
    const shared = page.url();
    await page.goto('about:blank'); // a fresh load of the link, as someone it was sent to would do
    calls = await open(shared.slice(gateway.url.length + 1), 'table[data-testid=runs] tbody tr');
    expect(calls).toHaveLength(1);
    expect(await attrs('tbody tr[data-key]', 'data-key')).toEqual(filtered.map((r) => r.key));
    expect(await attrs('tbody tr[aria-selected=true]', 'data-key')).toEqual([filtered[0].key]);
    expect(await page.$eval('#run-filter', (n) => (n as HTMLInputElement).value)).toBe('loss < 0.25 and not param.optimizer = adam');
  });

  it('pages through runs with cursors', async () => {
    for (let i = 0; i < 12; i += 1) {
      await api(`mutation($n: String!) { createExperiment(input: {workspace: "${WS}", project: "paging", name: $n}) { experiment { key } } }`, { n: `run-${i}` });
    }
    await open(`#/p/${WS}/paging?n=10`, 'table[data-testid=runs] tbody tr');
    expect(await page.$$eval('tbody tr[data-key]', (r) => r.length)).toBe(10);
    session.resetCalls();
    await page.click('nav[aria-label=Pages] button:nth-child(3)');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-key]').length === 2);
    expect(session.calls.map((c) => typeof c.variables.after)).toEqual(['string']);
    expect(page.url()).toContain('after=');
    await page.click('nav[aria-label=Pages] button:nth-child(2)');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-key]').length === 10);
  });

  it('shows a run: charts sampled to their pixel width, a refined fetch on zoom, parameters, assets and child runs', async () => {
    const parent = await byName('resnet50-lr0.03');
    const calls = await open(`#/run/${parent.key}`, '.chart canvas');
    expect(calls.map((c) => c.operationName)).toEqual(['DashboardRun']);
    const samples = calls[0].variables.samples as number;
    const canvasWidth = await page.$eval('section[data-metric=loss] canvas', (c) => (c as HTMLCanvasElement).getBoundingClientRect().width);
    expect(Math.abs(canvasWidth - samples)).toBeLessThanOrEqual(1);
    // One chart per series: a metric logged in two contexts has two, each named by its context.
    expect(await attrs('section[data-metric]', 'data-metric')).toEqual(parent.metrics.map((m) => m.name).sort());
    const titled = (await texts('section[data-metric] h3')).filter((t) => t.startsWith('epoch_loss'));
    expect(titled).toEqual(['epoch_loss · train', 'epoch_loss · validate']);
    const loss = parent.metrics.find((m) => m.name === 'loss')!;
    expect(await page.$eval('section[data-metric=loss] [data-field=last]', (n) => n.textContent)).toBe(formatNumber(loss.last!));
    expect(await page.$eval('section[data-metric=loss] figure', (n) => n.getAttribute('data-last-step'))).toBe('299');
    expect(await page.$$eval('table.kv tr', (rows) => rows.length)).toBe(parent.parameters.length + 2); // + the two others
    const assets = await page.$$eval('table[data-testid=assets] a', (links) => links.map((a) => [a.textContent, (a as HTMLAnchorElement).href]));
    // The demo's run details give this run a git patch too (src/demo-details.ts).
    expect(assets.map(([name]) => name).sort()).toEqual(['git_diff.patch', 'model/weights.json', 'plots/confusion.csv']);
    const csv = assets.find(([name]) => name === 'plots/confusion.csv')![1]!;
    expect(isLoopback(csv)).toBe(true);
    expect(await (await fetch(csv, { headers: { authorization: `Bearer ${key.secret}` } })).text()).toContain('cat,91,9');
    expect(await texts('ul.children li a')).toEqual(['resnet50-seed1', 'resnet50-seed2']);
    await session.screenshot('run');

    // Drag across the middle of the loss chart: one fetch of that step range, at the same resolution.
    session.resetCalls();
    const over = (await page.$('section[data-metric=loss] .u-over'))!;
    await over.scrollIntoView(); // below the fold when the run has many series
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('section[data-metric=loss] button:nth-of-type(2)')?.hasAttribute('disabled') === false);
    expect(session.calls.map((c) => c.operationName)).toEqual(['DashboardZoom']);
    const { after, before, samples: zoomSamples, name } = session.calls[0].variables as { after: number; before: number; samples: number; name: string };
    expect(name).toBe('loss');
    expect(zoomSamples).toBe(samples);
    expect(after).toBeGreaterThan(100);
    expect(before).toBeLessThan(170);
    const first = Number(await page.$eval('section[data-metric=loss] figure', (n) => n.getAttribute('data-first-step')));
    const last = Number(await page.$eval('section[data-metric=loss] figure', (n) => n.getAttribute('data-last-step')));
    expect(first).toBe(after + 1);
    expect(last).toBe(before - 1);
    const refined = (await api(`query($k: String!) { experiment(key: $k) { metric(name: "loss") { history(afterStep: ${after}, beforeStep: ${before}) { points { step } } } } }`, { k: parent.key }))
      .experiment.metric.history.points.length;
    expect(Number(await page.$eval('section[data-metric=loss] figure', (n) => n.getAttribute('data-points')))).toBe(refined);
    await page.click('section[data-metric=loss] .chart-tools button:nth-of-type(2)'); // Reset zoom: no request
    expect(await page.$eval('section[data-metric=loss] figure', (n) => n.getAttribute('data-last-step'))).toBe('299');
    expect(session.calls).toHaveLength(1);
  });

  it('downsamples a long series to the chart width and keeps its spike', async () => {
    const { createExperiment } = await api(`mutation { createExperiment(input: {workspace: "${WS}", project: "spikes", name: "spiky"}) { experiment { key } } }`);
    const steps = Array.from({ length: 5000 }, (_, i) => i);
    const values = steps.map((i) => (i === 3217 ? 100 : 1 + Math.sin(i / 50) * 0.1));
    await api(`mutation($k: String!, $s: [SafeInt!]!, $v: [Float]!) { logMetrics(input: {experimentKey: $k, series: [{name: "loss", steps: $s, values: $v}]}) { accepted } }`,
      { k: createExperiment.experiment.key, s: steps, v: values });
    const calls = await open(`#/run/${createExperiment.experiment.key}`, 'section[data-metric=loss] canvas');
    const samples = calls[0].variables.samples as number;
    const figure = await page.$eval('section[data-metric=loss] figure', (n) => ({ points: Number(n.getAttribute('data-points')), max: Number(n.getAttribute('data-max')) }));
    expect(figure.points).toBeLessThanOrEqual(samples);
    expect(figure.points).toBeGreaterThan(samples / 2);
    expect(figure.max).toBe(100);
  });

  it('moves the chart of a RUNNING run when points are logged, over graphql-ws', async () => {
    const running = await byName('distilbert-lr0.003');
    expect(running.status).toBe('RUNNING');
    const calls = await open(`#/run/${running.key}`, '.chart canvas');
    expect(calls).toHaveLength(1);
    await page.waitForFunction(() => document.querySelector('.live')?.textContent?.includes('Live:'));
    const lastStep = () => page.$eval('section[data-metric=loss] figure', (n) => n.getAttribute('data-last-step'));
    expect(await lastStep()).toBe('299');
    const points = Array.from({ length: 20 }, (_, i) => ({ name: 'loss', step: 300 + i, value: 3 - i * 0.1 }));
    await api(`mutation($k: String!, $p: [MetricPointInput!]!) { logMetrics(input: {experimentKey: $k, points: $p}) { accepted } }`, { k: running.key, p: points });
    await page.waitForFunction(() => document.querySelector('section[data-metric=loss] figure')?.getAttribute('data-last-step') === '319');
    expect(await page.$eval('section[data-metric=loss] [data-field=last]', (n) => n.textContent)).toBe(formatNumber(1.1));
    expect(session.calls).toHaveLength(1); // the live points came over the WebSocket, not by polling
    expect(session.urls.some((u) => u.startsWith('ws://') && u.endsWith('/graphql'))).toBe(true);
    await session.screenshot('live');
  });

  it('overlays one metric of the selected runs and shows the parameters that differ', async () => {
    const runs = (await runsOf()).slice(0, 3);
    const calls = await open(`#/compare?keys=${runs.map((r) => r.key).join(',')}&metric=loss`, '.chart canvas');
    expect(calls.map((c) => c.operationName)).toEqual(['DashboardCompare']);
    expect(await attrs('table[data-testid=diff] tbody tr', 'data-key')).toEqual(runs.map((r) => r.key));
    expect((await attrs('table[data-testid=diff] td[data-value]', 'data-value')).map(Number)).toEqual(runs.map((r) => r.metrics.find((m) => m.name === 'loss')!.last));
    const differing = ['architecture', 'batch_size', 'learning_rate', 'optimizer'].filter((p) => new Set(runs.map((r) => r.parameters.find((x) => x.name === p)?.value)).size > 1);
    expect(await attrs('table[data-testid=diff] th[data-param]', 'data-param')).toEqual(differing);
    expect(await page.$$eval('.u-legend .u-series', (s) => s.length)).toBe(runs.length + 1); // the step axis, then one per run
    await session.screenshot('compare');
  });

  it('lists registered models with versions, stages, aliases and the run each came from', async () => {
    const calls = await open('#/models', 'section[data-model]');
    expect(calls.map((c) => c.operationName)).toEqual(['DashboardModels']);
    const { registeredModel } = await api(`{ registeredModel(workspace: "${WS}", name: "cifar-classifier") { versions { version stage aliases experiment { key } } } }`);
    const [version] = registeredModel.versions;
    const row = 'section[data-model=cifar-classifier] tr[data-version="1.0.0"]';
    expect(await page.$eval(`${row} td:nth-of-type(1)`, (n) => n.textContent)).toBe(version.stage);
    expect(await texts(`${row} td:nth-of-type(3) li`)).toEqual(version.aliases);
    expect(await page.$eval(`${row} a`, (a) => a.getAttribute('href'))).toBe(`#/run/${version.experiment.key}`);
    await session.screenshot('models');
  });

  it('works from the keyboard, and names every control', async () => {
    await open(`#/p/${WS}/${PROJECT}`, 'table[data-testid=runs] tbody tr');
    const unnamed = await page.$$eval('input, select, button, a[href]', (controls) => controls
      .filter((c) => !((c as HTMLInputElement).labels?.length || c.getAttribute('aria-label') || (c.textContent ?? '').trim()))
      .map((c) => c.outerHTML.slice(0, 80)));
    expect(unnamed).toEqual([]);
    // Tab from the page's heading into the filter, type, Enter; then sort with the keyboard.
    await page.focus('main h1');
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== 'run-filter'; i += 1) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('run-filter');
    await page.keyboard.type('tag:baseline');
    await page.keyboard.press('Enter');
    const baseline = await runsOf({ tag: 'baseline' });
    await page.waitForFunction((n) => document.querySelectorAll('tbody tr[data-key]').length === n, {}, baseline.length);
    await page.focus('thead button.sort'); // "Run": by name
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('thead th[aria-sort=ascending]') !== null);
    await session.idle();
    const byNameAsc = await runsOf({ tag: 'baseline' }, [{ field: 'NAME', direction: 'ASC' }]);
    expect(await attrs('tbody tr[data-key]', 'data-key')).toEqual(byNameAsc.map((r) => r.key));
    await page.keyboard.press('Space'); // the same button: descending
    await page.waitForFunction(() => document.querySelector('thead th[aria-sort=descending]') !== null);
  });

  it('follows the dark colour scheme, made no request past loopback and logged no console error', async () => {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await open(`#/p/${WS}/${PROJECT}`, 'table[data-testid=runs] tbody tr');
    const [bg, fg] = await page.evaluate(() => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.documentElement).color]);
    expect(bg).toBe('rgb(15, 18, 23)');
    expect(fg).toBe('rgb(230, 237, 243)');
    await session.screenshot('runs-dark');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
    expect(session.urls.length).toBeGreaterThan(10);
    expect(session.urls.filter((u) => !isLoopback(u))).toEqual([]);
    expect(session.urls.filter((u) => u.includes(key.secret))).toEqual([]);
    expect(session.errors).toEqual([]);
  });
});

describe('the dashboard over the Comet backend', () => {
  let sim: CometSim;
  let gateway: ChildGateway;
  let session: BrowserSession;

  beforeAll(async () => {
    sim = await startSim([WS]);
    // Runs as Comet holds them (`trackql demo` writes only into an empty store, and a Comet key always has a workspace).
    sim.seed({
      experiments: Array.from({ length: 6 }, (_, i) => ({
        workspace: WS, project: PROJECT, name: `comet-run-${i}`, startTimeMillis: Date.UTC(2026, 0, 5 + i),
        tags: [i % 2 ? 'sweep' : 'baseline'], parameters: { learning_rate: [0.1, 0.03, 0.01][i % 3], optimizer: i % 2 ? 'adam' : 'sgd' },
        metrics: Array.from({ length: 300 }, (_, step) => ({
          metricName: 'loss', metricValue: 2 * Math.exp(-step / (60 + i * 20)) + 0.05, step, timestamp: Date.UTC(2026, 0, 5 + i) + step * 1000,
        })),
      })),
    });
    const [g, b] = await Promise.allSettled([
      startChildGateway({ TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url, COMET_API_KEY: SIM_KEY, TRACKQL_LOG_LEVEL: 'notice' }),
      openBrowser(),
    ]);
    if (g.status === 'fulfilled') gateway = g.value;
    if (b.status === 'fulfilled') session = b.value;
    if (g.status === 'rejected') throw g.reason;
    if (b.status === 'rejected') throw b.reason;
  });

  afterAll(async () => {
    await session?.close();
    await gateway?.dispose();
    await sim?.stop();
  });

  it('shows the same projects, runs and charts as the GraphQL API, one request per view', async () => {
    const { page } = session;
    const open = async (hash: string, ready: string) => {
      session.resetCalls();
      await page.goto(`${gateway.url}/${hash}`);
      await page.waitForSelector(ready);
      await session.idle();
      return session.calls.map((c) => c.operationName);
    };
    expect(await open('', 'tr[data-project]')).toEqual(['DashboardProjects']);
    const { workspace } = await gqlOk(gateway.url, `{ workspace(name: "${WS}") { projects { nodes { name experimentCount } } } }`);
    const counts = await page.$$eval('tr[data-project]', (rows) => rows.map((r) => [r.getAttribute('data-project'), Number(r.querySelector('[data-value]')?.getAttribute('data-value'))]));
    expect(counts).toEqual(workspace.projects.nodes.map((p: { name: string; experimentCount: number }) => [p.name, p.experimentCount]));

    expect(await open(`#/p/${WS}/${PROJECT}?cols=m:loss`, 'table[data-testid=runs] tbody tr')).toEqual(['DashboardRuns']);
    const { project } = await gqlOk(gateway.url, `{ project(workspace: "${WS}", name: "${PROJECT}") { experiments(first: 25) { nodes { key metric(name: "loss") { last } } } } }`);
    const nodes = project.experiments.nodes as { key: string; metric: { last: number } | null }[];
    expect(await page.$$eval('tbody tr[data-key]', (rows) => rows.map((r) => r.getAttribute('data-key')))).toEqual(nodes.map((n) => n.key));
    expect(await page.$$eval('td[data-metric=loss][data-aggregate=last]', (cells) => cells.map((c) => Number(c.getAttribute('data-value')))))
      .toEqual(nodes.map((n) => n.metric?.last ?? 0));

    expect(await open(`#/run/${nodes[0].key}`, 'section[data-metric=loss] canvas')).toEqual(['DashboardRun']);
    expect(Number(await page.$eval('section[data-metric=loss] figure', (n) => n.getAttribute('data-points')))).toBeGreaterThan(100);
    expect(session.urls.filter((u) => !isLoopback(u))).toEqual([]);
    expect(session.errors).toEqual([]);
  });
});
