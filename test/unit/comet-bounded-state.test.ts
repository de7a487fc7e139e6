/** Per-key state of the Comet adapter is bounded: least recently used keys go first, keys in use never. */
import { RateBudget } from '../../src/backends/comet/budget';
import { KeyedLimiter } from '../../src/backends/comet/limiter';
import { LruMap } from '../../src/lru';

describe('LruMap', () => {
  it('evicts the least recently used entry, counting reads as use, and skips entries that may not go', () => {
    const evicted: string[] = [];
    const map = new LruMap<string, number>(2, { canEvict: (v) => v !== 0, onEvict: (_v, k) => evicted.push(k) });
    map.set('a', 1).set('b', 2);
    map.get('a');
    map.set('c', 3);
    expect(evicted).toEqual(['b']);
    map.set('pinned', 0);
    map.set('d', 4);
    expect(evicted).toEqual(['b', 'a', 'c']);
    expect([...map.values()]).toEqual([0, 4]);
  });
});

describe('the Comet call budget', () => {
  it('keeps the windows of the keys used most recently, and forgets the least recently used first', () => {
    const budget = new RateBudget({ perHour: 1, now: () => 0, maxKeys: 2 });
    expect(budget.take('a')).toBe(0);
    expect(budget.take('b')).toBe(0);
    expect(budget.take('a')).toBeGreaterThan(0); // spent, and now the most recent
    expect(budget.take('c')).toBe(0); // a third key pushes out 'b'
    expect(budget.take('a')).toBeGreaterThan(0); // still spent: never reset by others
    expect(budget.take('b')).toBe(0); // forgotten, so it starts over
  });
});

describe('the per-key concurrency limiter', () => {
  it('evicts idle semaphores least recently used first, and never one with calls in flight', async () => {
    const limiter = new KeyedLimiter(1, 2);
    const busy = limiter.for('busy');
    let release = (): void => undefined;
    const inFlight = busy.run(() => new Promise<void>((resolve) => { release = resolve; }));
    await new Promise((resolve) => setImmediate(resolve)); // the call takes its slot
    expect(busy.active).toBe(1);
    const idle = limiter.for('idle');
    limiter.for('other');
    limiter.for('more');
    expect(limiter.for('busy')).toBe(busy); // kept although least recently used: a call is in flight
    expect(limiter.for('idle')).not.toBe(idle); // evicted, so a fresh one
    release();
    await inFlight;
  });
});
