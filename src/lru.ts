/**
 * A Map bounded to `capacity` entries that evicts the least recently used one: reading (`get`) and writing
 * (`set`) both count as a use. For per-key state kept for strangers (rate buckets, call budgets, pools), so a
 * flood of new keys pushes out the idle ones instead of growing memory or resetting everyone's state.
 *
 * `canEvict` protects entries still in use (a semaphore with calls in flight): they are skipped, and the
 * map may pass its capacity until they are released. `onEvict` is told of each entry pushed out.
 */
export interface LruOptions<K, V> {
  canEvict?: (value: V, key: K) => boolean;
  onEvict?: (value: V, key: K) => void;
}

export class LruMap<K, V> {
  readonly #capacity: number;
  readonly #map = new Map<K, V>();
  readonly #canEvict: (value: V, key: K) => boolean;
  readonly #onEvict: (value: V, key: K) => void;

  constructor(capacity: number, options: LruOptions<K, V> = {}) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
    this.#canEvict = options.canEvict ?? (() => true);
    this.#onEvict = options.onEvict ?? (() => undefined);
  }

  get size(): number {
    return this.#map.size;
  }

  /** The value, marked as just used. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined || this.#map.has(key)) {
      this.#map.delete(key);
      this.#map.set(key, value as V);
    }
    return value;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Stores `value` as the most recently used entry, then evicts down to the capacity. */
  set(key: K, value: V): this {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#capacity) this.#evict();
    return this;
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  clear(): void {
    this.#map.clear();
  }

  #evict(): void {
    for (const [key, value] of this.#map) {
      if (this.#map.size <= this.#capacity) return;
      if (!this.#canEvict(value, key)) continue;
      this.#map.delete(key);
      this.#onEvict(value, key);
    }
  }
}
