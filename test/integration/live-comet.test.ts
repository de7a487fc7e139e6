/**
 * The live feed on the Comet backend, over the simulator: the poller delivers points another client (the
 * Python SDK) logged straight to Comet, each once; a key sees only its own workspaces' experiments.
 */
import fs from 'node:fs';
import type { Backend, Caller } from '../../src/backends/port';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { SIM_KEY, cometBackend, startSim, tempDataDir } from '../support/comet-backend';
import type { CometSim } from '../support/comet-sim';
import { gqlOk } from '../support/gateway';
import { eventually, liveClient, record, sleep, type LiveClient } from '../support/live';

const WS = 'live-ws';
const OTHER_KEY = 'comet-test-other-workspace-key';
const SDK: Caller = { apiKey: SIM_KEY, keyId: 'k_sdk' };
const POLL_MS = 100;
const METRICS = `subscription($key: String!) { metricLogged(experimentKey: $key) { name dropped points { step value nonFinite } } }`;
type MetricEvent = { metricLogged: { name: string; dropped: number; points: { step: number; value: number | null; nonFinite: string | null }[] } };

describe('the live feed on Comet', () => {
  let sim: CometSim;
  let gateway: Gateway;
  let sdk: Backend; // another client writing straight to Comet, not through the gateway
  let mine: LiveClient;
  const dirs: string[] = [];

  beforeAll(async () => {
    sim = await startSim([WS], [{ apiKey: OTHER_KEY, workspaces: ['theirs'] }]);
    const dir = tempDataDir();
    const sdkDir = tempDataDir();
    dirs.push(dir, sdkDir);
    // The gateway keeps its usual cache (60 s here): the poller must read past it.
    const backend = cometBackend(sim, dir, { fallbackApiKey: null, cacheTtlMs: 60_000 });
    sdk = cometBackend(sim, sdkDir, { cacheTtlMs: 0 });
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_BACKEND: 'comet', TRACKQL_DATA_DIR: dir, TRACKQL_COMET_URL: sim.url,
      TRACKQL_LOG_LEVEL: 'silent', TRACKQL_LIVE_POLL_MS: String(POLL_MS), TRACKQL_LIVE_POLL_CALLS_PER_MINUTE: '6000',
    }), { backend });
    mine = liveClient(gateway.url, { connectionParams: { authorization: SIM_KEY } });
  });
  afterAll(async () => {
    await mine?.dispose();
    await gateway?.stop();
    await sdk?.close();
    await sim?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function pollers(): Promise<number> {
    return ((await (await fetch(`${gateway.url}/readyz`)).json()) as { live: { pollers: number } }).live.pollers;
  }

  it('delivers points the SDK logged straight to Comet, and points logged through the gateway once', async () => {
    const [key] = sim.seed({ experiments: [{ workspace: WS, project: 'p' }] }).experimentKeys;
    const feed = record<MetricEvent>(mine.client, METRICS, { key });
    await eventually(async () => (await pollers()) === 1, 5000, 'the poller');
    await eventually(() => (sim.requestCounts()['GET experiment/metrics/summary'] ?? 0) >= 1, 5000, 'the first poll');

    await sdk.metrics.log(SDK, key, [{ name: 'loss', value: 0.5, step: 1, timestamp: 1000 }, { name: 'loss', value: Number.POSITIVE_INFINITY, step: 2, timestamp: 2000 }]);
    const [fromSdk] = await feed.waitFor(1);
    expect(fromSdk.data?.metricLogged).toEqual({ name: 'loss', dropped: 0, points: [{ step: 1, value: 0.5, nonFinite: null }, { step: 2, value: null, nonFinite: 'INFINITY' }] });

    await gqlOk(gateway.url, `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.25, step: 3}]}) { status } }`, { k: key }, { authorization: SIM_KEY });
    await feed.waitFor(2);
    await sleep(POLL_MS * 6); // the poller sees the same point in Comet now: it must not come again
    const steps = feed.results.flatMap((r) => r.data!.metricLogged.points.map((p) => p.step));
    expect(steps).toEqual([1, 2, 3]);

    feed.unsubscribe();
    await eventually(async () => (await pollers()) === 0, 5000, 'the poller to stop');
    const polled = sim.requestCounts()['GET experiment/metrics/summary'];
    await sleep(POLL_MS * 4);
    expect(sim.requestCounts()['GET experiment/metrics/summary']).toBe(polled);
  });

  it("refuses a subscription to another key's experiment with NOT_FOUND", async () => {
    const [theirs] = sim.seed({ experiments: [{ workspace: 'theirs', project: 'q' }] }).experimentKeys;
    const feed = record<MetricEvent>(mine.client, METRICS, { key: theirs });
    await feed.done;
    expect(feed.results[0].errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // Its owner may watch it.
    const owner = liveClient(gateway.url, { connectionParams: { authorization: `Bearer ${OTHER_KEY}` } });
    try {
      const own = record<MetricEvent>(owner.client, METRICS, { key: theirs });
      await eventually(async () => (await pollers()) === 1, 5000, "the owner's poller");
      expect(own.results).toEqual([]);
      own.unsubscribe();
    } finally {
      await owner.dispose();
    }
  });

  it('refuses a caller without a key when the gateway has no server key', async () => {
    const anonymous = liveClient(gateway.url);
    try {
      const [key] = sim.seed({ experiments: [{ workspace: WS, project: 'p' }] }).experimentKeys;
      const feed = record<MetricEvent>(anonymous.client, METRICS, { key });
      await feed.done;
      expect(feed.results[0].errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await anonymous.dispose();
    }
  });
});
