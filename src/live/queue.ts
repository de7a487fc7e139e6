/**
 * One subscriber's bounded queue, read by graphql-ws as an async iterator.
 *
 * Why it bounds anything: graphql-ws pulls the next event only after the previous one's `socket.send`
 * completed, i.e. after ws handed it to the kernel. A consumer that reads slowly therefore stops pulling,
 * and its events wait here, not in ws buffers. Here they are bounded by weight (metric points, or events):
 * when the next event would not fit, the policy coalesces what waits (metric points: the newest per
 * metric survives, the event counts the rest in `dropped`); when even that cannot fit, or the consumer has
 * pulled nothing for the stuck timeout, the owner closes the subscriber.
 *
 * Nothing here knows sockets: the owner passes `pressure()` (the socket's own backlog) and acts on the
 * `Offer` results.
 */

export interface QueuePolicy<T> {
  /** What an item weighs against the bound: metric points, or 1 per event. */
  weight(item: T): number;
  /** The items merged into fewer, or null when they cannot be merged (the subscriber is then too slow). */
  coalesce(items: readonly T[]): { items: T[]; dropped: number } | null;
}

export interface QueueHooks {
  /** True when the transport is backed up on its own (several subscriptions share a socket): coalesce now. */
  pressure(): boolean;
  now(): number;
}

/** The results that carry no count, allocated once: offering runs for every subscriber of every event. */
const PLAIN = {
  delivered: { offer: 'delivered', dropped: 0 },
  queued: { offer: 'queued', dropped: 0 },
  overflow: { offer: 'overflow', dropped: 0 },
  closed: { offer: 'closed', dropped: 0 },
} as const satisfies Record<string, { offer: Offer; dropped: number }>;

export interface QueueListener {
  ready(): void;
  closed(): void;
}

/** What became of an offered item. `overflow`: it could not be kept even coalesced; the queue is unchanged. */
export type Offer = 'delivered' | 'queued' | 'coalesced' | 'overflow' | 'closed';

export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #weight = 0;
  #waiting: ((result: IteratorResult<T>) => void) | null = null;
  #closed = false;
  /** Since when items have waited with no pull; null while the queue is empty or the consumer keeps up. */
  #stalledSince: number | null = null;
  #onReturn: (() => void) | null = null;
  /** Push mode (`listen`): told synchronously when an item is queued, and when the queue closes. */
  #listener: QueueListener | null = null;

  constructor(
    readonly bound: number,
    private readonly policy: QueuePolicy<T>,
    private readonly hooks: QueueHooks,
  ) {
    if (!(bound >= 1)) throw new RangeError(`queue bound must be at least 1, got ${bound}`);
  }

  /** Current weight of the waiting items (never above `bound`). */
  get weight(): number {
    return this.#weight;
  }

  get length(): number {
    return this.#items.length;
  }

  /** Called once when the consumer stops (graphql-ws `return()` on complete or disconnect) or `close()`. */
  onReturn(cleanup: () => void): void {
    this.#onReturn = cleanup;
  }

  /**
   * Push mode, for a consumer that takes items synchronously (`take`) instead of awaiting `next`: `ready` is
   * called from `offer` each time an item is queued, `closed` once the queue closes. The consumer may stop
   * taking (its socket is congested) and resume later; items wait here meanwhile, bounded as always.
   */
  listen(listener: QueueListener): void {
    this.#listener = listener;
  }

  /** The next item, or undefined when none waits (push mode). */
  take(): T | undefined {
    const item = this.#items.shift();
    if (item === undefined) return undefined;
    this.#weight -= this.policy.weight(item);
    this.#stalledSince = this.#items.length > 0 ? this.hooks.now() : null;
    return item;
  }

  offer(item: T): { readonly offer: Offer; readonly dropped: number } {
    const result = this.#offer(item);
    if (result.offer === 'queued' || result.offer === 'coalesced') this.#listener?.ready();
    return result;
  }

  #offer(item: T): { readonly offer: Offer; readonly dropped: number } {
    if (this.#closed) return PLAIN.closed;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve({ value: item, done: false });
      return PLAIN.delivered;
    }
    const weight = this.policy.weight(item);
    if (this.#weight + weight <= this.bound && !this.hooks.pressure()) {
      this.#items.push(item);
      this.#weight += weight;
      this.#stalledSince ??= this.hooks.now();
      return PLAIN.queued;
    }
    const merged = this.policy.coalesce([...this.#items, item]);
    const mergedWeight = merged ? merged.items.reduce((sum, i) => sum + this.policy.weight(i), 0) : Infinity;
    if (!merged || mergedWeight > this.bound) return PLAIN.overflow;
    this.#items = merged.items;
    this.#weight = mergedWeight;
    this.#stalledSince ??= this.hooks.now();
    return { offer: 'coalesced', dropped: merged.dropped };
  }

  /** True when items have waited `stuckMs` without the consumer taking any. */
  isStuck(stuckMs: number): boolean {
    return this.waitingMs() >= stuckMs;
  }

  /** How long items have waited without the consumer taking any, in ms (0 when it keeps up). */
  waitingMs(): number {
    return this.#stalledSince === null ? 0 : this.hooks.now() - this.#stalledSince;
  }

  next(): Promise<IteratorResult<T>> {
    // Progress: the stall clock restarts, or stops when nothing is left (take).
    const item = this.take();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(err);
  }

  /** Drops what waits, ends the iteration, and runs the cleanup. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#items = [];
    this.#weight = 0;
    this.#stalledSince = null;
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = null;
    const cleanup = this.#onReturn;
    this.#onReturn = null;
    cleanup?.();
    const listener = this.#listener;
    this.#listener = null;
    listener?.closed();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
