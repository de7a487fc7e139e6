/** The poller over a fake port: which calls it makes, what it delivers, and how it shares work with the bus. */
import type { MetricHistoryRequest, MetricPoint, MetricSummary } from '../../src/backends/port';
import type { LivePort } from '../../src/live/hub';
import { RateBudget } from '../../src/live/budget';
import type { MetricEvent } from '../../src/live/events';
import { EMPTY_READ_GRACE_MS, ExperimentPoller } from '../../src/live/poller';
import { SubscriberQueue } from '../../src/live/queue';
import { metricPolicy } from '../../src/live/policies';
import { MetricTopic } from '../../src/live/topic';
import { ANONYMOUS } from '../../src/server/identity';

const pt = (step: number): MetricPoint => ({ step, epoch: null, value: step / 10, timestamp: 1000 + step, context: null });
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A store of series the test appends to, behind the two port reads the poller uses, recording each call. */
function fakePort() {
  const series = new Map<string, MetricPoint[]>();
  const calls: { method: string; arg: unknown }[] = [];
  let lagging = false;
  const port: Pick<LivePort, 'metrics'> = { metrics: {
    async summaries(_caller, keys, names) {
      calls.push({ method: 'summaries', arg: names ?? null });
      const summaries: MetricSummary[] = [...series].filter(([n]) => !names || names.includes(n)).map(([name, points]) => ({
        experimentKey: keys[0], name, context: null, last: 0, min: 0, max: 0, count: points.length, lastStep: points.at(-1)?.step ?? null, minStep: null, maxStep: null, lastTimestamp: null,
      }));
      return [summaries];
    },
    async histories(_caller, requests: readonly MetricHistoryRequest[]) {
      calls.push({ method: 'histories', arg: requests.map((r) => [r.name, r.afterStep ?? null]) });
      return requests.map((r) => {
        const points = lagging ? [] : (series.get(r.name) ?? []).filter((p) => r.afterStep == null || (p.step !== null && p.step > r.afterStep));
        return { points, cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: points.length, sampled: false };
      });
    },
  } };
  const log = (name: string, ...steps: number[]) => {
    const list = series.get(name) ?? [];
    list.push(...steps.map(pt));
    series.set(name, list);
  };
  return { port, calls, log, lag: (on: boolean) => void (lagging = on) };
}

function poller(port: Pick<LivePort, 'metrics'>, budget = new RateBudget(1000), clock = { now: 0 }) {
  const delivered: MetricEvent[] = [];
  const p = new ExperimentPoller(port, { experimentKey: 'k', caller: () => ANONYMOUS, names: () => null, deliver: (e) => delivered.push(e) }, { intervalMs: 1000, budget, logger: silent, now: () => clock.now });
  return { p, delivered };
}

describe('ExperimentPoller', () => {
  it('first records where each metric stands, then reads only metrics that moved, from the step seen', async () => {
    const { port, calls, log } = fakePort();
    log('loss', 0, 1);
    log('acc', 0);
    const { p, delivered } = poller(port);
    expect(await p.pollOnce()).toBe('primed');
    expect(await p.pollOnce()).toBe('unchanged');
    log('loss', 2, 3);
    log('f1', 0);
    expect(await p.pollOnce()).toBe('polled');
    expect(calls.filter((c) => c.method === 'histories').map((c) => c.arg)).toEqual([[['loss', 1], ['f1', null]]]);
    expect(delivered).toEqual([
      { experimentKey: 'k', name: 'loss', points: [pt(2), pt(3)], dropped: 0 },
      { experimentKey: 'k', name: 'f1', points: [pt(0)], dropped: 0 },
    ]);
  });

  it('does not read back points it was told about (published by a gateway)', async () => {
    const { port, calls, log } = fakePort();
    log('loss', 0);
    const { p, delivered } = poller(port);
    await p.pollOnce();
    log('loss', 1, 2);
    p.observe({ experimentKey: 'k', name: 'loss', points: [pt(1), pt(2)], dropped: 0 });
    expect(await p.pollOnce()).toBe('unchanged');
    expect(calls.some((c) => c.method === 'histories')).toBe(false);
    expect(delivered).toEqual([]);
  });

  it('retries a moved metric whose history lags, and believes the summary only after the grace period', async () => {
    const { port, calls, log, lag } = fakePort();
    log('loss', 0);
    const clock = { now: 0 };
    const { p, delivered } = poller(port, new RateBudget(1000), clock);
    await p.pollOnce();
    log('loss', 1);
    lag(true);
    expect(await p.pollOnce()).toBe('polled');
    clock.now = EMPTY_READ_GRACE_MS - 1;
    expect(await p.pollOnce()).toBe('polled'); // still retried: lagging reads are late, not lost
    lag(false);
    log('loss', 2);
    expect(await p.pollOnce()).toBe('polled');
    expect(delivered.map((e) => e.points.map((x) => x.step))).toEqual([[1, 2]]);
    log('loss', 3);
    lag(true);
    await p.pollOnce();
    clock.now += EMPTY_READ_GRACE_MS;
    await p.pollOnce(); // grace over: the summary is believed
    expect(await p.pollOnce()).toBe('unchanged');
    expect(calls.filter((c) => c.method === 'histories')).toHaveLength(5);
  });

  it('skips a poll the budget cannot afford, and reads only as many histories as it can', async () => {
    const { port, calls, log } = fakePort();
    log('a', 0);
    log('b', 0);
    const clock = { now: 0 };
    const budget = new RateBudget(3, () => clock.now);
    const { p, delivered } = poller(port, budget);
    await p.pollOnce(); // 1 call
    log('a', 1);
    log('b', 1);
    expect(await p.pollOnce()).toBe('polled'); // 1 summary call + 1 of the 2 histories
    expect(delivered.map((e) => e.name)).toEqual(['a']);
    expect(await p.pollOnce()).toBe('over-budget');
    expect(calls).toHaveLength(3);
  });
});

describe('MetricTopic with a poller', () => {
  it('delivers a point once when the poller reads it before the gateway publishes it', async () => {
    const { port, log } = fakePort();
    const received: MetricEvent[] = [];
    const topic = new MetricTopic('c', (_s, e) => received.push(e));
    const queue = new SubscriberQueue(100, metricPolicy, { pressure: () => false, now: () => 0 });
    topic.add({ queue, caller: ANONYMOUS, connection: { bufferedAmount: () => 0, close: () => undefined }, names: null });
    const p = new ExperimentPoller(port, { experimentKey: 'k', caller: () => ANONYMOUS, names: () => null, deliver: (e) => topic.receive(e) }, { intervalMs: 60_000, budget: new RateBudget(100), logger: silent });
    topic.startPoller(p); // its first tick, right away, primes; the next one is a minute away
    await new Promise((r) => setTimeout(r, 20));
    log('loss', 1, 2);
    await p.pollOnce(); // the poller wins the race…
    topic.receive({ experimentKey: 'k', name: 'loss', points: [pt(1), pt(2), pt(3)], dropped: 0 }); // …then the gateway's event arrives
    await new Promise((r) => setImmediate(r)); // the topic fans out after the turn that received
    expect(received.map((e) => e.points.map((x) => x.step))).toEqual([[1, 2], [3]]);
    topic.dispose();
  });
});
