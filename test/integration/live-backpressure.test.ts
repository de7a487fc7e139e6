/**
 * Backpressure and shutdown of the live feed, against the real server: a slow reader gets coalesced events
 * whose `dropped` accounts for every point, never delays a fast reader, is closed with 4420 when it stays
 * stuck, and SIGTERM delivers what was queued before closing sockets with 1001.
 */
import WebSocket from 'ws';
import { gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';
import { eventually, liveClient, record, sleep, type LiveClient, type Recording } from '../support/live';

const QUEUE_POINTS = 2000;
/** Long for the reader that recovers (a loaded CI machine must not make it look stuck), short for the stuck one. */
const PATIENT_STUCK_MS = 30_000;
const STUCK_MS = 2000;
const BATCH = 1000;

const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`;
const METRICS = `subscription($key: String!) { metricLogged(experimentKey: $key) { name dropped points { step value } } }`;

interface LiveStatus {
  subscribers: number;
  queue: { boundPoints: number; highWaterPoints: number; coalesced: number; droppedPoints: number; closedTooSlow: number; longestWaitMs: number };
}

/** A ws client whose reads the test can pause: the kernel buffers fill, then the server's queue. */
const sockets: WebSocket[] = [];
class PausableWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols);
    sockets.push(this);
  }
}

type MetricEvent = { metricLogged: { name: string; dropped: number; points: { step: number; value: number }[] } };

async function liveStatus(url: string): Promise<LiveStatus> {
  return ((await (await fetch(`${url}/readyz`)).json()) as { live: LiveStatus }).live;
}

/** Points received plus points reported dropped: every logged point is one or the other. */
function accounted(feed: Recording<MetricEvent>): number {
  return feed.results.reduce((sum, r) => sum + (r.data?.metricLogged.points.length ?? 0) + (r.data?.metricLogged.dropped ?? 0), 0);
}

/** A gateway with a small queue, an experiment on it, and helpers; registered in the enclosing describe. */
function slowSetup(stuckMs: number) {
  const state = { gw: null as unknown as ChildGateway, key: '', step: 0 };
  beforeAll(async () => {
    state.gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_LIVE_QUEUE_POINTS: String(QUEUE_POINTS), TRACKQL_LIVE_STUCK_MS: String(stuckMs) });
    state.key = (await gqlOk(state.gw.url, `mutation { createExperiment(input: {workspace: "ml", project: "slow"}) { experiment { key } } }`)).createExperiment.experiment.key;
  });
  afterAll(() => state.gw.dispose());

  /** Logs batches until the server reports `coalesced` above `floor` (the slow reader's queue overflowed). */
  async function logUntilCoalesced(floor: number): Promise<number> {
    let logged = 0;
    while ((await liveStatus(state.gw.url)).queue.coalesced <= floor) {
      if (logged > 400 * BATCH) throw new Error('the slow reader never backed up');
      const points = Array.from({ length: BATCH }, () => ({ name: 'loss', value: state.step, step: state.step++ }));
      await gqlOk(state.gw.url, LOG, { input: { experimentKey: state.key, points } });
      logged += BATCH;
    }
    return logged;
  }

  async function subscribe(client: LiveClient, count: number): Promise<Recording<MetricEvent>> {
    const feed = record<MetricEvent>(client.client, METRICS, { key: state.key });
    await eventually(async () => (await liveStatus(state.gw.url)).subscribers >= count, 5000, 'subscription');
    return feed;
  }

  return { state, logUntilCoalesced, subscribe };
}

describe('a slow subscriber that recovers', () => {
  const { state, logUntilCoalesced, subscribe } = slowSetup(PATIENT_STUCK_MS);

  it('gets coalesced events whose dropped count accounts for every point, without slowing a fast reader', async () => {
    const { gw } = state;
    const fast = liveClient(gw.url);
    const slow = liveClient(gw.url, { webSocketImpl: PausableWebSocket });
    const fastFeed = await subscribe(fast, 1);
    const slowFeed = await subscribe(slow, 2);
    const slowSocket = sockets.at(-1)!;
    slowSocket.pause();
    const logged = await logUntilCoalesced(0);
    // The fast reader has everything already, point for point, while the slow one is still paused.
    await eventually(() => accounted(fastFeed) === logged, 10_000, 'the fast reader to catch up');
    expect(fastFeed.results.every((r) => r.data?.metricLogged.dropped === 0)).toBe(true);

    slowSocket.resume();
    await eventually(() => accounted(slowFeed) === logged, 10_000, 'the slow reader to account for every point');
    const coalesced = slowFeed.results.map((r) => r.data!.metricLogged).filter((e) => e.dropped > 0);
    expect(coalesced.length).toBeGreaterThan(0);
    expect(coalesced.every((e) => e.points.length === 1)).toBe(true); // the newest point of the metric survives
    const steps = slowFeed.results.flatMap((r) => r.data!.metricLogged.points.map((p) => p.step));
    expect(steps).toEqual([...steps].sort((a, b) => a - b)); // in order, gaps where points were dropped
    expect(steps.at(-1)).toBe(state.step - 1);

    const status = await liveStatus(gw.url);
    expect(status.queue.highWaterPoints).toBeLessThanOrEqual(QUEUE_POINTS);
    expect(status.queue.droppedPoints).toBe(logged - steps.length);
    expect(slow.closed).toEqual([]);
    process.stdout.write(`live: slow reader got ${steps.length} of ${logged} points, ${status.queue.droppedPoints} dropped; queue high water ${status.queue.highWaterPoints}/${QUEUE_POINTS} points\n`);
    await fast.dispose();
    await slow.dispose();
  }, 60_000);
});

describe('a slow subscriber that stays stuck', () => {
  const { state, logUntilCoalesced, subscribe } = slowSetup(STUCK_MS);

  it('is closed with 4420, and the others keep their feed', async () => {
    const { gw, key } = state;
    const fast = liveClient(gw.url);
    const stuck = liveClient(gw.url, { webSocketImpl: PausableWebSocket });
    const fastFeed = await subscribe(fast, 1);
    await subscribe(stuck, 2);
    const stuckSocket = sockets.at(-1)!;
    stuckSocket.pause();
    await logUntilCoalesced(0);
    // The delay it acts on is visible while the reader stalls: how long its events have waited untaken.
    await eventually(async () => (await liveStatus(gw.url)).queue.longestWaitMs > 0, STUCK_MS, 'events waiting untaken');
    await eventually(async () => (await liveStatus(gw.url)).queue.closedTooSlow > 0, STUCK_MS + 10_000, 'the stuck reader to be closed');
    // Its close frame waits behind what the kernel buffered: it sees it once it reads again.
    stuckSocket.resume();
    await eventually(() => stuck.closed.length > 0, 10_000, 'the close to reach the client');
    expect(stuck.closed[0]).toEqual({ code: 4420, reason: 'Subscriber too slow' });

    await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'after', value: 1, step: 0 }] } });
    await eventually(() => fastFeed.results.some((r) => r.data?.metricLogged.name === 'after'), 10_000, 'the fast reader to keep its feed');
    expect((await liveStatus(gw.url)).queue.highWaterPoints).toBeLessThanOrEqual(QUEUE_POINTS);
    await fast.dispose();
    await stuck.dispose();
  }, 60_000);
});

describe('shutdown', () => {
  it('delivers queued events on SIGTERM, then closes sockets with 1001, and exits 0', async () => {
    const gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
    try {
      const key = (await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "ml", project: "bye"}) { experiment { key } } }`)).createExperiment.experiment.key;
      const client = liveClient(gw.url);
      const feed = record<MetricEvent>(client.client, METRICS, { key });
      await eventually(async () => (await liveStatus(gw.url)).subscribers === 1, 5000, 'subscription');
      const batches = 10;
      for (let b = 0; b < batches; b += 1) {
        const points = Array.from({ length: 5000 }, (_, i) => ({ name: 'loss', value: i, step: b * 5000 + i }));
        await gqlOk(gw.url, LOG, { input: { experimentKey: key, points } });
      }
      const exited = gw.stop('SIGTERM');
      await eventually(() => client.closed.length > 0, 10_000, 'the close');
      expect(accounted(feed)).toBe(batches * 5000);
      expect(feed.results.every((r) => r.data?.metricLogged.dropped === 0)).toBe(true);
      expect(client.closed[0]).toEqual({ code: 1001, reason: 'Server shutting down' });
      expect(await exited).toBe(0);
      await client.dispose();
      await sleep(10);
    } finally {
      await gw.dispose();
    }
  }, 60_000);
});
