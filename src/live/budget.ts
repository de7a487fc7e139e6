/**
 * The share of an API key's upstream rate budget the pollers of this replica may spend: a token bucket per
 * key id, refilled continuously. Comet allows about 15,000 REST calls per hour per key (comet-rest-v2.md §8,
 * ~250 a minute); the default poll budget takes a quarter of that, so the key's owner keeps the rest.
 */
export class RateBudget {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Calls per minute per key; also the burst size. */
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perMinute > 0)) throw new RangeError(`perMinute must be positive, got ${perMinute}`);
  }

  /** Takes `calls` tokens for `keyId` when that many are left; false (and takes none) otherwise. */
  take(keyId: string, calls = 1): boolean {
    const bucket = this.#refilled(keyId);
    if (bucket.tokens < calls) return false;
    bucket.tokens -= calls;
    return true;
  }

  /** Whole calls `keyId` may make now. */
  available(keyId: string): number {
    return Math.floor(this.#refilled(keyId).tokens);
  }

  #refilled(keyId: string): { tokens: number; at: number } {
    const now = this.now();
    let bucket = this.#buckets.get(keyId);
    if (!bucket) this.#buckets.set(keyId, (bucket = { tokens: this.perMinute, at: now }));
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
    bucket.at = now;
    return bucket;
  }
}
