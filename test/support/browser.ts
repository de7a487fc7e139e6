/**
 * Headless Chromium (Debian's `chromium`, driven by puppeteer-core) for the dashboard tests, recording what a
 * person's browser would do: every request and WebSocket it opens, every console error, every GraphQL POST.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { ROOT } from './gateway';

export const CHROMIUM = process.env.TRACKQL_CHROMIUM ?? '/usr/bin/chromium';

export interface GraphqlCall {
  operationName: string | null;
  variables: Record<string, unknown>;
  authorization: string | undefined;
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** Every URL the page requested, WebSockets included. */
  urls: string[];
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** GraphQL POSTs since the last `resetCalls()`. */
  calls: GraphqlCall[];
  resetCalls(): void;
  /** Waits until no request has been in flight for 150 ms; past the page's default timeout it fails naming those still in flight. */
  idle(): Promise<void>;
  /** Saves `docs/img/dashboard-<name>.png` when TRACKQL_SCREENSHOTS=1. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

function graphqlCall(req: HTTPRequest): GraphqlCall | null {
  if (req.method() !== 'POST' || !req.url().endsWith('/graphql')) return null;
  const body = JSON.parse(req.postData() ?? '{}') as { query?: string; variables?: Record<string, unknown> };
  const name = /^\s*(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? null;
  return { operationName: name, variables: body.variables ?? {}, authorization: req.headers().authorization };
}

export async function openBrowser(options: { dark?: boolean } = {}): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (or set TRACKQL_CHROMIUM)`);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.setDefaultTimeout(10_000); // a clear failure well before the test's own timeout
  if (options.dark) await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  const urls: string[] = [];
  const errors: string[] = [];
  let calls: GraphqlCall[] = [];
  const inFlight = new Map<HTTPRequest, number>();
  let lastActivity = Date.now();
  const settled = (req: HTTPRequest) => {
    inFlight.delete(req);
    lastActivity = Date.now();
  };
  page.on('requestfinished', settled);
  page.on('requestfailed', settled);
  page.on('request', (req) => {
    lastActivity = Date.now();
    inFlight.set(req, lastActivity);
    urls.push(req.url());
    const call = graphqlCall(req);
    if (call) calls.push(call);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err instanceof Error ? err.message : String(err)}`));
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', (event) => urls.push(event.url));
  return {
    browser, page, urls, errors,
    get calls() {
      return calls;
    },
    resetCalls() {
      calls = [];
    },
    async idle() {
      // Our own count of the page's requests, not page.waitForNetworkIdle, whose timeout says nothing of what
      // kept the network busy: a slow answer is then named, with how long it has been waiting.
      const timeout = page.getDefaultTimeout();
      const deadline = Date.now() + timeout;
      for (;;) {
        const now = Date.now();
        if (inFlight.size === 0 && now - lastActivity >= 150) return;
        if (now > deadline) {
          const open = [...inFlight].map(([req, since]) => `${req.method()} ${req.url()} (${now - since} ms)`);
          throw new Error(`The network did not go quiet within ${timeout} ms: ${open.length ? `in flight: ${open.join(', ')}` : 'requests kept starting'}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async screenshot(name) {
      if (process.env.TRACKQL_SCREENSHOTS !== '1') return;
      const dir = path.join(ROOT, 'docs', 'img');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: path.join(dir, `dashboard-${name}.png`) as `${string}.png`, fullPage: false });
    },
    close: () => browser.close(),
  };
}

/** True for the loopback addresses (and `data:` URLs, which never leave the page). */
export function isLoopback(url: string): boolean {
  if (url.startsWith('data:')) return true;
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
