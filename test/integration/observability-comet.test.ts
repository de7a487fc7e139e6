/**
 * Observability on the Comet backend, over the simulator seen through a recording proxy: upstream calls
 * counted by route template and status, cache hits, the outbox depth during an outage, and the request's
 * W3C trace sent upstream on every Comet call.
 */
import fs from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { createLogger } from '../../src/observability/logger';
import { SIM_KEY, startSim, tempDataDir } from '../support/comet-backend';
import type { CometSim } from '../support/comet-sim';
import { gqlOk } from '../support/gateway';
import { eventually } from '../support/live';
import { find, scrape, total } from '../support/prom';

const WS = 'obs-ws';
const AUTH = { authorization: SIM_KEY };
const TRACE = '5c1d0e8f2a3b4c5d6e7f8091a2b3c4d5';
const PARENT = '1a2b3c4d5e6f7081';

/** Forwards everything to the simulator byte for byte, keeping the headers each request came with. */
async function recordingProxy(target: string): Promise<{ url: string; seen: (IncomingHttpHeaders & { path?: string })[]; close(): Promise<void> }> {
  const seen: (IncomingHttpHeaders & { path?: string })[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ ...req.headers, path: req.url });
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('observability on the Comet backend', () => {
  let sim: CometSim;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    sim = await startSim([WS]);
    proxy = await recordingProxy(sim.url);
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: proxy.url,
      TRACKQL_COMET_TIMEOUT_MS: '1000', TRACKQL_LIVE_POLL: 'off',
    }), { logger: createLogger('silent') });
  });
  afterAll(async () => {
    await gateway?.stop();
    await proxy?.close();
    await sim?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts upstream calls by route and status, cache hits, and the outbox depth while Comet is away', async () => {
    await gqlOk(gateway.url, '{ workspaces { name } }', {}, AUTH);
    await gqlOk(gateway.url, '{ workspaces { name } }', {}, AUTH); // from the cache
    const { createExperiment } = await gqlOk(gateway.url, `mutation { createExperiment(input: {workspace: "${WS}", project: "obs"}) { experiment { key } } }`, {}, AUTH);
    const key: string = createExperiment.experiment.key;

    let s = await scrape(gateway.url);
    expect(total(s, 'trackql_upstream_requests_total', { route: 'workspaces', method: 'GET', status: '200' })).toBe(1);
    expect(total(s, 'trackql_upstream_requests_total', { route: 'write/experiment/create', method: 'POST', status: '200' })).toBe(1);
    expect(total(s, 'trackql_upstream_request_duration_seconds_count', { route: 'workspaces' })).toBe(1);
    expect(total(s, 'trackql_upstream_cache_lookups_total', { kind: 'workspaces', result: 'miss' })).toBe(1);
    expect(total(s, 'trackql_upstream_cache_lookups_total', { kind: 'workspaces', result: 'hit' })).toBe(1);
    const ratio = total(s, 'trackql_upstream_cache_hit_ratio');
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    // Route labels are templates: no experiment key, no API key, no query string anywhere in the output.
    for (const sample of find(s, 'trackql_upstream_requests_total')) expect(sample.labels.route).not.toMatch(/[?=]|experimentKey/);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).not.toContain(key);
    expect(text).not.toContain(SIM_KEY);

    // An outage: the write is queued, the outbox gauge shows it, and drains back to 0 when Comet returns.
    sim.setDown(true);
    const logged = await gqlOk(gateway.url, 'mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 1, step: 0}]}) { status } }', { k: key }, AUTH);
    expect(logged.logMetrics.status).toBe('QUEUED');
    s = await scrape(gateway.url);
    expect(total(s, 'trackql_outbox_pending_writes')).toBeGreaterThanOrEqual(1);
    expect(total(s, 'trackql_upstream_requests_total', { status: 'network_error' }) + total(s, 'trackql_upstream_requests_total', { status: 'timeout' })).toBeGreaterThanOrEqual(1);
    sim.setDown(false);
    await eventually(async () => total(await scrape(gateway.url), 'trackql_outbox_pending_writes') === 0, 15_000, 'the outbox to drain');
    s = await scrape(gateway.url);
    expect(total(s, 'trackql_upstream_requests_total', { route: 'batch/logger/experiment/metric', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(1);
  });

  it('sends the caller’s trace upstream, each Comet call as a child span of the gateway', async () => {
    proxy.seen.length = 0;
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'acme=7', ...AUTH },
      body: JSON.stringify({ query: `{ project(workspace: "${WS}", name: "obs") { experiments(first: 5) { nodes { key tags } } } }` }),
    });
    expect(res.status).toBe(200);
    expect(proxy.seen.length).toBeGreaterThan(0);
    for (const headers of proxy.seen) {
      expect(headers.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
      expect(String(headers.traceparent).split('-')[2]).not.toBe(PARENT);
      expect(headers.tracestate).toBe('acme=7');
      expect(headers.authorization).toBe(SIM_KEY); // the trace headers never displace the key
    }
  });

  it('starts a trace for a request that brings none, and Comet sees the trace id the caller was given', async () => {
    proxy.seen.length = 0;
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ query: `{ project(workspace: "${WS}", name: "never-seen-${Date.now()}") { name } }` }),
    });
    const traceId = (res.headers.get('traceparent') ?? '').split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(proxy.seen.length).toBeGreaterThan(0);
    for (const headers of proxy.seen) expect(String(headers.traceparent).split('-')[1]).toBe(traceId);
  });
});
