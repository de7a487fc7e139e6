/** Bounded concurrency: at most N calls in flight per key, the rest wait in arrival order. */
import { LruMap } from '../../lru';

export class Semaphore {
  readonly #max: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get active(): number {
    return this.#active;
  }

  /** Calls waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `work` once a slot is free; `signal` gives up waiting (not the work once it started). */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    if (this.#active < this.#max) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#active += 1;
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted while waiting for a slot'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #release(): void {
    this.#active -= 1;
    this.#waiting.shift()?.();
  }
}

/** Keys whose semaphores are kept; past it the least recently used idle one goes (it holds no state). */
export const MAX_LIMITER_KEYS = 10_000;

/** Per-namespace semaphores, created on first use; idle ones are evicted least recently used first. */
export class KeyedLimiter {
  readonly #max: number;
  /** A semaphore with calls in flight or waiting is never evicted: its key would get a second one. */
  readonly #byKey: LruMap<string, Semaphore>;

  constructor(max: number, maxKeys: number = MAX_LIMITER_KEYS) {
    this.#max = max;
    this.#byKey = new LruMap(maxKeys, { canEvict: (semaphore) => semaphore.active === 0 && semaphore.waiting === 0 });
  }

  for(ns: string): Semaphore {
    let semaphore = this.#byKey.get(ns);
    if (semaphore === undefined) {
      semaphore = new Semaphore(this.#max);
      this.#byKey.set(ns, semaphore);
    }
    return semaphore;
  }
}

/** Runs `work` over `items` with at most `limit` running at once; results in item order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
