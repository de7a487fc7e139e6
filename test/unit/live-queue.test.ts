/** The pieces of the live feed that decide what a subscriber gets: queue, coalescing, dedup, budget, wire codec. */
import type { MetricPoint } from '../../src/backends/port';
import { RateBudget } from '../../src/live/budget';
import { decodeEnvelope, encodeEnvelope } from '../../src/live/codec';
import { RecentPoints } from '../../src/live/dedup';
import { metricEventsOf, type ExperimentEvent, type MetricEvent } from '../../src/live/events';
import { experimentPolicy, metricPolicy } from '../../src/live/policies';
import { SubscriberQueue } from '../../src/live/queue';
import { reconnectDelay, RECONNECT_MAX_MS } from '../../src/live/redis-bus';

const pt = (step: number, value = step): MetricPoint => ({ step, epoch: null, value, timestamp: 1000 + step, context: null });
const ev = (name: string, steps: number[]): MetricEvent => ({ experimentKey: 'k', name, points: steps.map((s) => pt(s)), dropped: 0 });

function queue(bound: number, clock = { now: 0 }, pressure = false) {
  return new SubscriberQueue(bound, metricPolicy, { pressure: () => pressure, now: () => clock.now });
}

describe('SubscriberQueue', () => {
  it('hands an event straight to a waiting reader', async () => {
    const q = queue(10);
    const next = q.next();
    expect(q.offer(ev('loss', [1, 2])).offer).toBe('delivered');
    expect((await next).value).toEqual(ev('loss', [1, 2]));
  });

  it('queues within the bound, then coalesces to the newest point per metric, counting the dropped ones', async () => {
    const q = queue(4);
    expect(q.offer(ev('loss', [1, 2])).offer).toBe('queued');
    expect(q.offer(ev('acc', [1])).offer).toBe('queued');
    expect(q.offer(ev('loss', [3, 4]))).toEqual({ offer: 'coalesced', dropped: 3 });
    expect(q.weight).toBe(2);
    expect((await q.next()).value).toEqual({ experimentKey: 'k', name: 'acc', points: [pt(1)], dropped: 0 });
    expect((await q.next()).value).toEqual({ experimentKey: 'k', name: 'loss', points: [pt(4)], dropped: 3 });
  });

  it('keeps adding up dropped points over repeated coalescing', async () => {
    const q = queue(2);
    q.offer(ev('loss', [1, 2]));
    q.offer(ev('loss', [3]));
    q.offer(ev('loss', [4, 5, 6]));
    expect(q.weight).toBeLessThanOrEqual(2);
    const event = (await q.next()).value as MetricEvent;
    expect(event.points).toEqual([pt(6)]);
    expect(event.points.length + event.dropped).toBe(6);
  });

  it('coalesces early when the socket is backed up, and overflows when even one point per metric does not fit', () => {
    const pressed = queue(100, { now: 0 }, true);
    expect(pressed.offer(ev('loss', [1, 2, 3])).offer).toBe('coalesced');
    const tiny = queue(1);
    tiny.offer(ev('a', [1]));
    expect(tiny.offer(ev('b', [1])).offer).toBe('overflow');
    expect(tiny.weight).toBe(1);
  });

  it('is stuck when queued items wait for stuckMs with no pull, and not while the reader makes progress', async () => {
    const clock = { now: 0 };
    const q = queue(100, clock);
    q.offer(ev('a', [1]));
    q.offer(ev('a', [2]));
    clock.now = 900;
    expect(q.isStuck(1000)).toBe(false);
    await q.next(); // progress: the clock restarts
    clock.now = 1800;
    expect(q.isStuck(1000)).toBe(false);
    clock.now = 1900;
    expect(q.isStuck(1000)).toBe(true);
    await q.next();
    expect(q.isStuck(1000)).toBe(false); // empty
  });

  it('ends the iteration and runs its cleanup once on return()', async () => {
    const q = queue(10);
    const cleanup = jest.fn();
    q.onReturn(cleanup);
    const pending = q.next();
    await q.return();
    await q.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(q.offer(ev('a', [1])).offer).toBe('closed');
  });

  it('never coalesces experiment events: a full queue overflows', () => {
    const q = new SubscriberQueue<ExperimentEvent>(1, experimentPolicy, { pressure: () => false, now: () => 0 });
    const e: ExperimentEvent = { kind: 'CREATED', experimentKey: 'k', workspace: 'w', project: 'p', experiment: null, tags: null };
    expect(q.offer(e).offer).toBe('queued');
    expect(q.offer(e).offer).toBe('overflow');
  });
});

describe('metricEventsOf', () => {
  it('makes one event per metric with its points in logged order', () => {
    const events = metricEventsOf('k', [
      { name: 'loss', value: 1, step: 0, timestamp: 5 }, { name: 'acc', value: 2, step: 0, timestamp: 5 }, { name: 'loss', value: 3, step: 1, timestamp: 6 },
    ]);
    expect(events.map((e) => [e.name, e.points.map((p) => p.value)])).toEqual([['loss', [1, 3]], ['acc', [2]]]);
  });
});

describe('RecentPoints', () => {
  it('passes each point once, whichever source brings it first', () => {
    const recent = new RecentPoints();
    expect(recent.admit(ev('loss', [1, 2]))).toEqual(ev('loss', [1, 2]));
    expect(recent.admit(ev('loss', [2, 3]))?.points).toEqual([pt(3)]);
    expect(recent.admit(ev('loss', [1, 2, 3]))).toBeNull();
    expect(recent.admit({ ...ev('loss', []), points: [pt(3, Number.NaN)] })?.points).toHaveLength(1); // same step, other value
  });

  it('forgets the oldest points beyond its capacity', () => {
    const recent = new RecentPoints(2);
    recent.admit(ev('loss', [1, 2, 3]));
    expect(recent.admit(ev('loss', [1]))).not.toBeNull();
  });
});

describe('RateBudget', () => {
  it('allows a burst of perMinute calls per key, then refills continuously', () => {
    const clock = { now: 0 };
    const budget = new RateBudget(60, () => clock.now);
    expect(budget.take('k', 60)).toBe(true);
    expect(budget.take('k')).toBe(false);
    expect(budget.take('other')).toBe(true);
    clock.now = 1000;
    expect(budget.available('k')).toBe(1);
    expect(budget.take('k', 2)).toBe(false);
    expect(budget.take('k')).toBe(true);
  });
});

describe('reconnectDelay', () => {
  it('doubles from the base up to the cap, with jitter in the upper half', () => {
    expect([1, 2, 3].map((n) => reconnectDelay(n, () => 1))).toEqual([100, 200, 400]);
    expect(reconnectDelay(1, () => 0)).toBe(50);
    expect(reconnectDelay(50, () => 1)).toBe(RECONNECT_MAX_MS);
  });
});

describe('the Redis envelope', () => {
  it('carries NaN and infinities faithfully', () => {
    const event: MetricEvent = { experimentKey: 'k', name: 'loss', dropped: 0, points: [pt(0, Number.NaN), pt(1, Infinity), pt(2, -Infinity), pt(3, 0.5)] };
    const decoded = decodeEnvelope(encodeEnvelope({ origin: 'a', message: { kind: 'metric', event } }));
    expect(decoded).toEqual({ origin: 'a', message: { kind: 'metric', event } });
    const values = (decoded.message.event as MetricEvent).points.map((p) => p.value);
    expect(Number.isNaN(values[0])).toBe(true);
  });

  it('round-trips experiment events', () => {
    const event: ExperimentEvent = {
      kind: 'ENDED', experimentKey: 'k', workspace: 'w', project: 'p', tags: null,
      experiment: { key: 'k', workspace: 'w', project: 'p', projectId: 'pid', name: null, status: 'FINISHED', startedAt: 1, endedAt: 2, archived: false, parentKey: null, url: null },
    };
    expect(decodeEnvelope(encodeEnvelope({ origin: 'a', message: { kind: 'experiment', event } })).message).toEqual({ kind: 'experiment', event });
  });

  it.each([
    ['not json', 'Unexpected token'],
    [JSON.stringify({ v: 2, origin: 'a', message: {} }), 'envelope version must be 1'],
    [JSON.stringify({ v: 1, origin: 'a', message: { kind: 'other', event: {} } }), "message kind must be 'metric' or 'experiment'"],
    [JSON.stringify({ v: 1, origin: 'a', message: { kind: 'metric', event: { experimentKey: 'k', name: 'n', dropped: 0, points: [{ step: 0, value: 'oops', timestamp: 1 }] } } }), 'metric value must be'],
  ])('refuses %s', (raw, message) => {
    expect(() => decodeEnvelope(raw)).toThrow(message);
  });
});
