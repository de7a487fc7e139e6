/**
 * Comet-only behaviour of the backend, through the port against the simulator: identity and routing, the
 * call budget, retries and timeouts, de-duplication and concurrency, the cheaper batch plans, and the cache.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { Backend, Caller } from '../../../src/backends/port';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, cometBackend, startSim, tempDataDir } from '../../support/comet-backend';
import { eventually } from '../../support/live';

/** A TCP relay to `target` that counts the connections open through it: pools show as sockets here. */
async function countingRelay(target: string): Promise<{ url: string; open: () => number; close(): Promise<void> }> {
  const port = Number(new URL(target).port);
  let open = 0;
  const server = net.createServer((client) => {
    open += 1;
    const upstream = net.connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => {
      open -= 1;
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    open: () => open,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const WS = 'adapter-ws';
const ME: Caller = { apiKey: SIM_KEY, keyId: 'k_me' };
const ANON: Caller = { apiKey: null, keyId: 'anonymous' };
const OTHER_KEY = 'comet-test-other-workspace-key';

describe('comet backend: adapter behaviour', () => {
  let sim: CometSim;
  const backends: Backend[] = [];
  const dirs: string[] = [];

  beforeEach(async () => {
    sim = await startSim([WS], [{ apiKey: OTHER_KEY, workspaces: ['theirs'] }]);
  });

  afterEach(async () => {
    for (const b of backends.splice(0)) await b.close();
    await sim.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function make(options: Parameters<typeof cometBackend>[2] = {}): Backend {
    const dir = tempDataDir();
    dirs.push(dir);
    const b = cometBackend(sim, dir, options);
    backends.push(b);
    return b;
  }

  function seedRuns(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): string[] {
    return sim.seed({ experiments: Array.from({ length: n }, (_, i) => ({ workspace: WS, project: 'p', name: `r${i}`, ...extra(i) })) }).experimentKeys;
  }

  describe('identity and routing', () => {
    it('answers UNAUTHENTICATED when the caller has no key and no server key is set', async () => {
      const b = make({ fallbackApiKey: null });
      await expect(b.projects.listWorkspaces(ANON)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(b.metrics.log(ANON, 'a'.repeat(32), [{ name: 'm', value: 1, step: 0 }])).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(sim.totalRequests()).toBe(0);
    });

    it('maps a key Comet refuses to UNAUTHENTICATED and another workspace to FORBIDDEN', async () => {
      const b = make({ fallbackApiKey: null });
      await expect(b.projects.listWorkspaces({ apiKey: 'not-a-key', keyId: 'k_x' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const [theirs] = sim.seed({ experiments: [{ workspace: 'theirs', project: 'q' }] }).experimentKeys;
      expect(await b.experiments.get(ME, [theirs])).toEqual([null]);
      await expect(b.attributes.addTags(ME, theirs, ['x'])).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('routes an enhanced key to the baseUrl it carries and sends only its short part', async () => {
      const dir = tempDataDir();
      dirs.push(dir);
      const enhanced = `${SIM_KEY}*${Buffer.from(JSON.stringify({ baseUrl: sim.url })).toString('base64')}`;
      const b = cometBackend(sim, dir, { cometUrl: null, fallbackApiKey: null, allowedOrigins: [sim.url] });
      backends.push(b);
      expect((await b.projects.listWorkspaces({ apiKey: enhanced, keyId: 'k_enh' })).map((w) => w.name)).toContain(WS);
    });

    it('closes the least recently used origin pool once more origins than maxPools are in use', async () => {
      const relays = [await countingRelay(sim.url), await countingRelay(sim.url)];
      try {
        const b = make({ cometUrl: null, fallbackApiKey: null, allowedOrigins: relays.map((r) => r.url), maxPools: 1, cacheTtlMs: 0 });
        const via = (i: number) => ({ apiKey: `${SIM_KEY}*${Buffer.from(JSON.stringify({ baseUrl: relays[i].url })).toString('base64')}`, keyId: `k_${i}` });
        expect((await b.projects.listWorkspaces(via(0))).map((w) => w.name)).toContain(WS);
        expect(relays[0].open()).toBe(1); // kept alive for the next call
        expect((await b.projects.listWorkspaces(via(1))).map((w) => w.name)).toContain(WS);
        await eventually(() => relays[0].open() === 0, 5_000, 'the first pool to close');
        expect(relays[1].open()).toBe(1);
        // The evicted origin still works: it gets a new pool.
        expect((await b.projects.listWorkspaces(via(0))).map((w) => w.name)).toContain(WS);
      } finally {
        for (const b of backends.splice(0)) await b.close();
        for (const r of relays) await r.close();
      }
    });

    it("takes COMET_URL_OVERRIDE with its /clientlib/ tail when TRACKQL_COMET_URL is unset", async () => {
      const b = make({ cometUrl: null, cometUrlOverride: `${sim.url}/clientlib/` });
      expect((await b.projects.listWorkspaces(ME)).map((w) => w.name)).toContain(WS);
    });

    it('serves an asset-route caller known only by keyId with the key it used before', async () => {
      const b = make({ fallbackApiKey: null });
      await b.projects.listWorkspaces({ apiKey: SIM_KEY, keyId: 'k_seen' });
      expect((await b.projects.listWorkspaces({ apiKey: null, keyId: 'k_seen' })).map((w) => w.name)).toContain(WS);
      await expect(b.projects.listWorkspaces({ apiKey: null, keyId: 'k_never' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('budget, retries and timeouts', () => {
    it('fails reads fast with RATE_LIMITED once the hourly budget is spent, and queues writes', async () => {
      const [key] = seedRuns(1);
      const b = make({ budgetPerHour: 2, cacheTtlMs: 0 });
      await b.projects.listWorkspaces(ME);
      await b.projects.listWorkspaces(ME);
      const before = sim.totalRequests();
      const error = await b.projects.listWorkspaces(ME).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'RATE_LIMITED' });
      expect((error as { retryAfter: number }).retryAfter).toBeGreaterThan(0);
      expect(await b.metrics.log(ME, key, [{ name: 'm', value: 1, step: 0 }])).toBe('QUEUED');
      expect(b.pendingWrites?.()).toBe(1);
      expect(sim.totalRequests()).toBe(before);
    });

    it('retries a 429 after its Retry-After and gives up with RATE_LIMITED before the deadline', async () => {
      const b = make({ timeoutMs: 1_500 });
      sim.setFaults({ rate: 1, status: 429, retryAfterSeconds: 1, routes: /^GET workspaces$/ });
      const started = Date.now();
      await expect(b.projects.listWorkspaces(ME)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(sim.requestCounts()['GET workspaces']).toBe(2);
    });

    it('retries a failing read three times, then answers UPSTREAM_UNAVAILABLE', async () => {
      const b = make();
      sim.setFaults({ rate: 1, status: 503, routes: /^GET workspaces$/ });
      await expect(b.projects.listWorkspaces(ME)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(sim.requestCounts()['GET workspaces']).toBe(4);
      sim.setFaults({ rate: 0.5, status: 503, seed: 11, routes: /^GET workspaces$/ });
      expect((await b.projects.listWorkspaces(ME)).length).toBeGreaterThan(0);
    });

    it('never retries a create that may have been done, but does retry one Comet refused outright', async () => {
      const b = make();
      sim.setFaults({ rate: 1, status: 500, routes: /write\/experiment\/create/ });
      await expect(b.experiments.create(ME, { workspace: WS, project: 'p' })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(sim.requestCounts()['POST write/experiment/create']).toBe(1);
      sim.resetCounts();
      sim.setFaults({ rate: 1, status: 503, routes: /write\/experiment\/create/ });
      await expect(b.experiments.create(ME, { workspace: WS, project: 'p' })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(sim.requestCounts()['POST write/experiment/create']).toBe(4);
    });
  });

  describe('round trips', () => {
    it('sends identical GETs in flight at once only once', async () => {
      const [key] = seedRuns(1);
      const b = make({ cacheTtlMs: 0 });
      sim.setLatency(30);
      await Promise.all([b.attributes.tags(ME, [key]), b.attributes.tags(ME, [key]), b.attributes.others(ME, [key]), b.attributes.others(ME, [key])]);
      expect(sim.requestCounts()['GET experiment/log-other']).toBe(1);
      expect(sim.requestCounts()['GET experiment/metadata']).toBe(1);
    });

    it('keeps at most N calls in flight per key', async () => {
      const keys = seedRuns(10);
      const b = make({ cacheTtlMs: 0, concurrency: 2 });
      sim.setLatency(50);
      const started = Date.now();
      await b.metrics.summaries(ME, keys);
      expect(Date.now() - started).toBeGreaterThanOrEqual(240); // 10 calls, 2 at a time, 50 ms each
      expect(sim.requestCounts()['GET experiment/metrics/summary']).toBe(10);
    });

    it('reads the parameters of more runs than one chart call takes with all chart calls at once', async () => {
      const keys = seedRuns(250, (i) => ({ parameters: { lr: i / 1000 } }));
      const b = make();
      await b.experiments.list(ME, { project: { workspace: WS, name: 'p' }, page: { first: 1000 } });
      const { result, waves } = await sim.inWaves(() => b.attributes.parameters(ME, keys));
      expect(result[249]).toEqual([{ name: 'lr', value: '0.249' }]);
      // 100 runs per chart call: three calls, one round trip.
      expect(waves).toEqual([{ 'POST experiments/multi-metric-chart': 3 }]);
    });

    it('reads the histories of more runs than one chart call takes with all chart calls at once', async () => {
      const metrics = Array.from({ length: 3 }, (_, step) => ({ metricName: 'loss', metricValue: 3 - step, step }));
      const keys = seedRuns(150, () => ({ metrics }));
      const b = make();
      const { result, waves } = await sim.inWaves(() => b.metrics.histories(ME, keys.map((experimentKey) => ({ experimentKey, name: 'loss', samples: 10 }))));
      expect(result.every((h) => !(h instanceof Error) && h.totalCount === 3)).toBe(true);
      // 100 runs per chart call: two calls, one round trip.
      expect(waves).toEqual([{ 'POST experiments/multi-metric-chart': 2 }]);
    });

    it('reads tags with one query per tag when the project has fewer tags than runs asked for', async () => {
      const keys = seedRuns(30, (i) => ({ tags: i % 2 ? ['odd'] : ['even'] }));
      const b = make();
      await b.experiments.list(ME, { project: { workspace: WS, name: 'p' }, page: { first: 100 } });
      sim.resetCounts();
      const tags = await b.attributes.tags(ME, keys);
      expect(tags[0]).toEqual(['even']);
      expect(tags[1]).toEqual(['odd']);
      expect(sim.requestCounts()).toEqual({ 'POST project/query': 2 });
    });

    it('reads tags run by run when the project has as many tags as runs asked for', async () => {
      const keys = seedRuns(2, (i) => ({ tags: [`a${i}`, `b${i}`] }));
      const b = make();
      await b.experiments.list(ME, { project: { workspace: WS, name: 'p' }, page: { first: 100 } });
      sim.resetCounts();
      expect(await b.attributes.tags(ME, keys)).toEqual([['a0', 'b0'], ['a1', 'b1']]);
      expect(sim.requestCounts()).toEqual({ 'GET experiment/tags': 2 });
    });

    it('reads end statuses and parent links of a page with a few queries, not one call per run', async () => {
      const b = make();
      const runs = [];
      for (let i = 0; i < 10; i++) runs.push(await b.experiments.create(ME, { workspace: WS, project: 'facts', name: `r${i}` }));
      await b.experiments.end(ME, { experimentKey: runs[0].key, status: 'FAILED', endedAt: 5 });
      await b.experiments.end(ME, { experimentKey: runs[1].key, status: 'FINISHED', endedAt: 6 });
      const child = await b.experiments.create(ME, { workspace: WS, project: 'facts', parentKey: runs[2].key });
      const fresh = make(); // a cold cache
      sim.resetCounts();
      const page = await fresh.experiments.list(ME, { project: { workspace: WS, name: 'facts' }, page: { first: 100 } });
      const byKey = new Map(page.items.map((e) => [e.key, e]));
      expect(byKey.get(runs[0].key)).toMatchObject({ status: 'FAILED', endedAt: 5 });
      expect(byKey.get(runs[1].key)).toMatchObject({ status: 'FINISHED', endedAt: 6 });
      expect(byKey.get(runs[3].key)).toMatchObject({ status: 'RUNNING', parentKey: null });
      expect(byKey.get(child.key)?.parentKey).toBe(runs[2].key);
      expect(sim.requestCounts()).toEqual({
        'GET experiments': 1,
        'GET project/column-names': 1,
        'POST project/query': 3, // FAILED, CRASHED, has-a-parent
        'GET experiment/log-other': 1, // the one child's parent link
      });
    });

    it('finds the children of many parents with one query for the project', async () => {
      const b = make();
      const parents = [];
      const children = [];
      for (let i = 0; i < 4; i++) {
        const parent = await b.experiments.create(ME, { workspace: WS, project: 'tree', name: `p${i}` });
        parents.push(parent);
        children.push(await b.experiments.create(ME, { workspace: WS, project: 'tree', name: `c${i}`, parentKey: parent.key }));
      }
      sim.resetCounts();
      const found = await b.experiments.children(ME, parents.map((p) => p.key));
      expect(found.map((list) => (list as { key: string }[]).map((c) => c.key))).toEqual(children.map((c) => [c.key]));
      expect(sim.requestCounts()['POST project/query']).toBe(1);
    });

    it('reads the histories of many runs with one chart call, and one run with get-metric', async () => {
      const metrics = Array.from({ length: 20 }, (_, step) => ({ metricName: 'loss', metricValue: 20 - step, step }));
      const keys = seedRuns(5, () => ({ metrics }));
      const b = make();
      const many = await b.metrics.histories(ME, keys.map((experimentKey) => ({ experimentKey, name: 'loss', samples: 6 })));
      expect(many.every((h) => !(h instanceof Error) && h.totalCount === 20 && h.points.length <= 6)).toBe(true);
      expect(sim.requestCounts()).toEqual({ 'POST experiments/multi-metric-chart': 1 });
      sim.resetCounts();
      const b2 = make();
      const [one] = await b2.metrics.histories(ME, [{ experimentKey: keys[0], name: 'loss', first: 5 }]);
      expect(one).toMatchObject({ totalCount: 20, hasNextPage: true });
      expect(sim.requestCounts()).toEqual({ 'GET experiment/metrics/get-metric': 1 });
    });
  });

  describe('cache', () => {
    it('serves repeated reads from the cache and drops what a write changes', async () => {
      const [key] = seedRuns(1, () => ({ metrics: [{ metricName: 'loss', metricValue: 1, step: 0 }] }));
      const b = make();
      expect((await b.metrics.summaries(ME, [key]))[0]).toMatchObject([{ last: 1 }]);
      expect((await b.metrics.summaries(ME, [key]))[0]).toMatchObject([{ last: 1 }]);
      expect(sim.requestCounts()['GET experiment/metrics/summary']).toBe(1);
      expect(await b.metrics.log(ME, key, [{ name: 'loss', value: 0.5, step: 1 }])).toBe('ACCEPTED');
      expect((await b.metrics.summaries(ME, [key]))[0]).toMatchObject([{ last: 0.5, min: 0.5, max: 1 }]);
      expect(sim.requestCounts()['GET experiment/metrics/summary']).toBe(2);
    });

    it('keeps NaN and ±Infinity through the cache', async () => {
      const [key] = seedRuns(1, () => ({ metrics: [{ metricName: 'v', metricValue: 'NaN', step: 0 }, { metricName: 'v', metricValue: 'Infinity', step: 1 }] }));
      const b = make();
      await b.metrics.summaries(ME, [key]);
      const [[summary]] = (await b.metrics.summaries(ME, [key])) as { last: number; max: number }[][];
      expect(summary.last).toBe(Infinity);
      expect(summary.max).toBe(Infinity);
      expect(sim.requestCounts()['GET experiment/metrics/summary']).toBe(1);
    });
  });

  describe('what Comet cannot do', () => {
    it('reports its gaps as capabilities and refuses them with BAD_USER_INPUT', async () => {
      const [key] = seedRuns(1);
      const b = make();
      expect(b.capabilities()).toMatchObject({
        backend: 'comet', metrics: { pointCounts: false }, attributes: { removeTags: false }, registry: { aliases: false }, experiments: { orFilters: true },
      });
      await expect(b.attributes.removeTags(ME, key, ['x'])).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
      await expect(b.registry.updateVersion(ME, { workspace: WS, modelName: 'm', version: '1.0.0', addAliases: ['prod'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(b.attributes.logOthers(ME, key, [{ key: 'trackql.parentKey', value: 'x' }])).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });
});
