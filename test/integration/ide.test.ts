/**
 * The IDE at /graphql in a real browser (headless Chromium): it renders from the gateway alone, opens on the
 * starter query for the demo data, runs it, and runs a subscription that shows points as a mutation logs them.
 * No request leaves loopback. With TRACKQL_SCREENSHOTS=1 it stores what it saw under docs/img/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { IDE_STARTER_QUERY } from '../../src/server/ide-starter';
import { ROOT, gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';
import { eventually } from '../support/live';
import { describeWith } from '../support/tools';

const SCREENSHOTS = process.env.TRACKQL_SCREENSHOTS === '1' ? path.join(ROOT, 'docs', 'img') : null;

/** The text of one of GraphiQL's CodeMirror editors (query or response). */
function editorText(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

async function responseJson(page: Page): Promise<{ data?: Record<string, any>; errors?: unknown[] } | null> {
  const text = await editorText(page, '.result-window .CodeMirror');
  try {
    return JSON.parse(text) as { data?: Record<string, any> };
  } catch {
    return null; // still empty, or a stream of several results
  }
}

describeWith('chromium')('the IDE at /graphql', () => {
  let gw: ChildGateway;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' }, ['demo']);
    // Loaded here, not at the top: where Chromium is missing the suite is skipped without loading it.
    const puppeteer = (await import('puppeteer-core')).default;
    browser = await puppeteer.launch({
      executablePath: '/usr/bin/chromium',
      // Any host name the page might try resolves nowhere: the test itself never sends traffic off the machine.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    // Every request the page makes, WebSockets included (puppeteer's own request event does not show those).
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    cdp.on('Network.requestWillBeSent', (e) => requested.push(e.request.url));
    cdp.on('Network.webSocketCreated', (e) => requested.push(e.url));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('renders from the gateway alone and opens on the starter query for the demo data', async () => {
    const response = await page.goto(`${gw.url}/graphql`, { waitUntil: 'networkidle0' });
    expect(response?.status()).toBe(200);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15_000 });
    const query = await editorText(page, '.graphiql-query-editor .CodeMirror');
    expect(query).toBe(IDE_STARTER_QUERY);
    expect(query).toMatch(/^# Welcome to TrackQL/);
    expect(query).toContain('Then try:');
    expect(query).toContain('subscription { metricLogged');
  }, 30_000);

  it('runs the starter query and shows the answer', async () => {
    await page.click('.graphiql-execute-button');
    const body = await eventually(async () => (await responseJson(page))?.data ? responseJson(page) : null, 15_000, 'the answer');
    const project = body!.data!.project as { name: string; experimentCount: number; experiments: { nodes: { key: string; metric: { min: number } }[] } };
    expect(project.name).toBe('image-classification');
    expect(project.experiments.nodes).toHaveLength(5);
    const mins = project.experiments.nodes.map((n) => n.metric.min);
    expect(mins).toEqual([...mins].sort((a, b) => a - b)); // ordered by the lowest loss
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'ide.png') });
    }
  }, 30_000);

  it('runs a subscription over graphql-ws on the same path while a mutation logs points', async () => {
    const { project } = await gqlOk(gw.url, '{ project(workspace: "demo", name: "text-sentiment") { experiments(first: 1) { nodes { key } } } }');
    const key = project.experiments.nodes[0].key as string;
    const subscription = `subscription Live {\n  metricLogged(experimentKey: "${key}", names: ["live_loss"]) {\n    name\n    points { step value }\n  }\n}\n`;
    await page.$eval('.graphiql-query-editor .CodeMirror', (el, text) => (el as unknown as { CodeMirror: { setValue(t: string): void } }).CodeMirror.setValue(text), subscription);
    // GraphiQL takes an edit into its state after a debounce: a click before that runs the previous query.
    // It stores the tab's query in localStorage once it has taken it.
    await page.waitForFunction("Object.keys(localStorage).some((k) => k.startsWith('graphiql:') && (localStorage.getItem(k) || '').includes('live_loss'))", { timeout: 10_000 });
    await page.click('.graphiql-execute-button');
    // Log until the IDE shows a point: the subscription may still be starting when the first batch goes out.
    let step = 1000;
    const shown = await eventually(async () => {
      step += 1;
      await gqlOk(gw.url, `mutation($k: String!, $s: SafeInt!) { logMetrics(input: { experimentKey: $k, points: [{ name: "live_loss", value: 0.25, step: $s }] }) { accepted } }`, { k: key, s: step });
      const text = await editorText(page, '.result-window .CodeMirror');
      return text.includes('"live_loss"') ? text : null;
    }, 20_000, 'a live point in the IDE');
    expect(shown).toMatch(/"step": 10\d\d/);
    expect(shown).toContain('"value": 0.25');
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'ide-subscription.png') });
    await page.click('.graphiql-execute-button'); // stops the subscription
  }, 40_000);

  it('sends no request beyond loopback', () => {
    const origin = new URL(gw.url);
    const local = requested.filter((url) => url.startsWith('data:') || url.startsWith('blob:') || ['http:', 'ws:'].includes(new URL(url).protocol) && new URL(url).host === origin.host);
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((url) => !local.includes(url))).toEqual([]);
    expect(requested.some((url) => url.startsWith(`ws://${origin.host}/graphql`))).toBe(true);
  });
});
