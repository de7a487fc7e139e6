/**
 * The poller, against the real server in process over the embedded store written to directly (as the Python
 * SDK writes to Comet behind the gateway's back), with `TRACKQL_LIVE_POLL=on`: it is written against the port
 * only, so the store does not matter. The port calls it makes are counted. Over Comet: live-comet.test.ts.
 */
import { rmSync } from 'node:fs';
import type { Backend } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { ANONYMOUS } from '../../src/server/identity';
import { countingBackend, type PortCall } from '../support/counting-backend';
import { gqlOk, tempDir } from '../support/gateway';
import { eventually, liveClient, record, sleep, type LiveClient } from '../support/live';

const POLL_MS = 100;
const METRICS = `subscription($key: String!, $names: [String!]) { metricLogged(experimentKey: $key, names: $names) { name dropped points { step value } } }`;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`;
type MetricEvent = { metricLogged: { name: string; dropped: number; points: { step: number; value: number | null }[] } };

describe('the poller', () => {
  let gateway: Gateway;
  let store: Backend;
  let calls: PortCall[];
  let dataDir: string;
  let live: LiveClient;

  beforeAll(async () => {
    dataDir = tempDir();
    store = await createSqliteBackend({ dataDir });
    const counted = countingBackend(store);
    calls = counted.calls;
    const config = loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent',
      TRACKQL_LIVE_POLL: 'on', TRACKQL_LIVE_POLL_MS: String(POLL_MS), TRACKQL_LIVE_POLL_CALLS_PER_MINUTE: '6000',
    });
    gateway = await startGateway(config, { backend: counted.backend });
    live = liveClient(gateway.url);
  });
  afterAll(async () => {
    await live.dispose();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function status(): Promise<{ subscribers: number; pollers: number }> {
    return ((await (await fetch(`${gateway.url}/readyz`)).json()) as { live: { subscribers: number; pollers: number } }).live;
  }

  async function experimentWithHistory(): Promise<string> {
    const e = await store.experiments.create(ANONYMOUS, { workspace: 'ml', project: 'poll' });
    await store.metrics.log(ANONYMOUS, e.key, [{ name: 'loss', value: 9, step: 0, timestamp: 1 }]);
    return e.key;
  }

  const summaryCalls = (key: string) => calls.filter((c) => c.method === 'metrics.summaries' && (c.args[1] as string[])[0] === key);

  it('delivers points written behind the gateway, from the subscription on, and stops with the last subscriber', async () => {
    const key = await experimentWithHistory();
    const feed = record<MetricEvent>(live.client, METRICS, { key });
    await eventually(async () => (await status()).pollers === 1, 5000, 'the poller');
    await eventually(() => summaryCalls(key).length >= 1, 5000, 'the first poll'); // it records where each metric stands
    await store.metrics.log(ANONYMOUS, key, [
      { name: 'loss', value: 0.5, step: 1, timestamp: 2 }, { name: 'loss', value: Number.NaN, step: 2, timestamp: 3 },
      { name: 'acc', value: 0.1, step: 1, timestamp: 2 },
    ]);
    const events = (await feed.waitFor(2)).map((r) => r.data!.metricLogged).sort((x, y) => x.name.localeCompare(y.name));
    expect(events).toEqual([
      { name: 'acc', dropped: 0, points: [{ step: 1, value: 0.1 }] },
      { name: 'loss', dropped: 0, points: [{ step: 1, value: 0.5 }, { step: 2, value: null }] }, // step 0 predates the subscription
    ]);
    // Histories are read only for metrics that moved, from the last step seen.
    const histories = calls.filter((c) => c.method === 'metrics.histories').flatMap((c) => c.args[1] as { name: string; afterStep: number | null }[]);
    expect(histories).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'loss', afterStep: 0 }), expect.objectContaining({ name: 'acc', afterStep: null })]));
    expect(histories).toHaveLength(2);

    feed.unsubscribe();
    await eventually(async () => (await status()).pollers === 0, 5000, 'the poller to stop');
    const after = summaryCalls(key).length;
    await sleep(POLL_MS * 4);
    expect(summaryCalls(key).length).toBe(after);
  });

  it('does not deliver twice the points the gateway published itself', async () => {
    const key = await experimentWithHistory();
    const feed = record<MetricEvent>(live.client, METRICS, { key });
    await eventually(() => summaryCalls(key).length >= 1, 5000, 'the first poll');
    for (let step = 1; step <= 5; step += 1) {
      await gqlOk(gateway.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: step, step }] } });
    }
    await store.metrics.log(ANONYMOUS, key, [{ name: 'loss', value: 6, step: 6, timestamp: 6 }]);
    await feed.waitFor(6);
    await sleep(POLL_MS * 5); // several more polls: nothing comes twice
    const steps = feed.results.flatMap((r) => r.data!.metricLogged.points.map((p) => p.step));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    feed.unsubscribe();
    await eventually(async () => (await status()).pollers === 0, 5000, 'the poller to stop');
  });

  it('shares one poller between the subscribers of an experiment and reads only the metrics they want', async () => {
    const key = await experimentWithHistory();
    const first = record<MetricEvent>(live.client, METRICS, { key, names: ['acc'] });
    const second = record<MetricEvent>(live.client, METRICS, { key, names: ['f1'] });
    await eventually(async () => (await status()).subscribers === 2, 5000, 'two subscribers');
    expect((await status()).pollers).toBe(1);
    await eventually(() => summaryCalls(key).length >= 2, 5000, 'polls');
    // Polls ask only for the union of the names wanted (once both subscribers are in).
    expect(summaryCalls(key).at(-1)!.args[2]).toEqual(['acc', 'f1']);
    await store.metrics.log(ANONYMOUS, key, [{ name: 'acc', value: 1, step: 1, timestamp: 5 }, { name: 'loss', value: 1, step: 1, timestamp: 5 }]);
    expect((await first.waitFor(1))[0].data!.metricLogged.name).toBe('acc');
    await sleep(POLL_MS * 3);
    expect(second.results).toEqual([]);
    first.unsubscribe();
    second.unsubscribe();
    await eventually(async () => (await status()).pollers === 0, 5000, 'the poller to stop');
  });
});

describe('the poll budget', () => {
  it('never spends more upstream calls per key than TRACKQL_LIVE_POLL_CALLS_PER_MINUTE allows', async () => {
    const dataDir = tempDir();
    const store = await createSqliteBackend({ dataDir });
    const { backend, calls } = countingBackend(store);
    const gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent',
      TRACKQL_LIVE_POLL: 'on', TRACKQL_LIVE_POLL_MS: '50', TRACKQL_LIVE_POLL_CALLS_PER_MINUTE: '5',
    }), { backend });
    const client = liveClient(gateway.url, { connectionParams: { authorization: 'budget-key' } });
    try {
      const keys: string[] = [];
      for (let i = 0; i < 3; i += 1) keys.push((await store.experiments.create(ANONYMOUS, { workspace: 'ml', project: 'budget' })).key);
      const feeds = keys.map((key) => record(client.client, METRICS, { key }));
      await sleep(1500); // 30 poll ticks per experiment without a budget
      const polls = calls.filter((c) => c.method === 'metrics.summaries').length;
      expect(polls).toBe(5); // the whole burst, shared by the three pollers of the key, then nothing until refill
      feeds.forEach((f) => f.unsubscribe());
    } finally {
      await client.dispose();
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
