/**
 * The per-key call budget: Comet allows about 15,000 REST calls per hour per API key (§8 "Documented rate
 * limits"; the figure comes from a transcription of the limits page, so it is configurable). A sliding window
 * over the last hour, per key namespace: exact to the documented rule, and it tells how long until the next
 * call fits (the `retryAfter` of RATE_LIMITED).
 */

import { LruMap } from '../../lru';

const WINDOW_MS = 3_600_000;
/** Keys whose call windows are kept; past it the least recently used key's window is forgotten. */
export const MAX_BUDGET_KEYS = 10_000;

export interface BudgetOptions {
  /** Calls allowed per key in any one-hour window. */
  perHour: number;
  /** Clock in Unix ms (tests pin it). */
  now?: () => number;
  /** Keys remembered at once (default `MAX_BUDGET_KEYS`); a forgotten key starts with a full budget. */
  maxKeys?: number;
}

export class RateBudget {
  readonly #perHour: number;
  readonly #now: () => number;
  /** Call times per namespace, oldest first; bounded, so keys made up by callers cannot grow it. */
  readonly #calls: LruMap<string, number[]>;

  constructor({ perHour, now = Date.now, maxKeys = MAX_BUDGET_KEYS }: BudgetOptions) {
    if (!Number.isSafeInteger(perHour) || perHour < 1) throw new RangeError(`perHour must be a positive integer, got ${perHour}`);
    this.#perHour = perHour;
    this.#now = now;
    this.#calls = new LruMap(maxKeys);
  }

  /** Takes one call from `ns`'s budget; returns 0 when taken, else the seconds until one is free. */
  take(ns: string): number {
    const wait = this.waitSeconds(ns);
    if (wait === 0) this.#window(ns).push(this.#now());
    return wait;
  }

  /** Seconds until `ns` may make a call (0: now), without taking one. */
  waitSeconds(ns: string): number {
    const window = this.#window(ns);
    if (window.length < this.#perHour) return 0;
    return Math.max(1, Math.ceil((window[0] + WINDOW_MS - this.#now()) / 1000));
  }

  /** Calls left in the current window (for readiness detail and tests). */
  remaining(ns: string): number {
    return Math.max(0, this.#perHour - this.#window(ns).length);
  }

  #window(ns: string): number[] {
    let window = this.#calls.get(ns);
    if (window === undefined) {
      window = [];
      this.#calls.set(ns, window);
    }
    const cutoff = this.#now() - WINDOW_MS;
    let expired = 0;
    while (expired < window.length && window[expired] <= cutoff) expired++;
    if (expired > 0) window.splice(0, expired);
    return window;
  }
}
