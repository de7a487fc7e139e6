/**
 * A short-lived cache of upstream reads, in keyv, holding decoded domain values (not raw responses), so a
 * dashboard asked twice within the TTL makes no upstream call at all.
 *
 * - Every entry lives under the namespace of one API key (a hash, never the key): a different key can never
 *   read another's entries.
 * - Writes through the gateway delete what they change, as Comet's Python client does (§7 "Caching": a
 *   metric write clears `get-metric` and the summary of that experiment).
 * - Values are stored as JSON text with NaN and ±Infinity preserved (JSON alone would turn them into null).
 */
import Keyv from 'keyv';
import type { CometObserver } from './observer';

const NON_FINITE_TAG = '$nonFinite';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { [NON_FINITE_TAG]: String(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === NON_FINITE_TAG) return Number((value as Record<string, unknown>)[NON_FINITE_TAG]);
  }
  return value;
}

export function encodeCached(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function decodeCached(text: string): unknown {
  return JSON.parse(text, reviver) as unknown;
}

/**
 * keyv's in-memory Map drops an expired entry only when it is read again: bound the entry count so entries
 * nobody reads again cannot grow memory without end. Oldest writes go first.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key); // a rewrite moves to the young end
    super.set(key, value);
    while (this.size > this.maxEntries) {
      const oldest = this.keys().next();
      if (oldest.done) break;
      super.delete(oldest.value);
    }
    return this;
  }
}

/** Entries kept in memory at most (all keys together). */
export const MAX_MEMORY_ENTRIES = 100_000;

export interface CacheOptions {
  /** Lifetime of an entry in ms; 0 turns caching off. */
  ttlMs: number;
  /** A keyv store (defaults to an in-memory Map). */
  store?: Keyv;
  /** Told of every lookup, hit or miss (metrics). */
  observer?: CometObserver;
}

export class UpstreamCache {
  readonly #keyv: Keyv;
  readonly #ttlMs: number;
  readonly #observer: CometObserver;

  constructor({ ttlMs, store, observer = {} }: CacheOptions) {
    this.#ttlMs = ttlMs;
    this.#observer = observer;
    this.#keyv = store ?? new Keyv({ store: new BoundedMap<string, unknown>(MAX_MEMORY_ENTRIES), namespace: 'trackql-comet' });
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  scope(ns: string): CacheScope {
    return new CacheScope(this.#keyv, ns, this.#ttlMs, this.#observer);
  }

  async close(): Promise<void> {
    await this.#keyv.disconnect().catch(() => undefined);
  }
}

/** The entries of one API key. Keys are `<kind>:<id>` strings; the namespace is prefixed here. */
export class CacheScope {
  readonly #keyv: Keyv;
  readonly #ns: string;
  readonly #ttlMs: number;
  readonly #observer: CometObserver;

  readonly #fresh: boolean;

  constructor(keyv: Keyv, ns: string, ttlMs: number, observer: CometObserver = {}, fresh = false) {
    this.#keyv = keyv;
    this.#ns = ns;
    this.#ttlMs = ttlMs;
    this.#observer = observer;
    this.#fresh = fresh;
  }

  /** The same entries, but `getOrLoad` always loads (and stores) instead of answering from the cache. */
  bypassing(): CacheScope {
    return new CacheScope(this.#keyv, this.#ns, this.#ttlMs, this.#observer, true);
  }

  /**
   * The cached value of `key`, or the loaded one (then stored). The caller names the type: entries are only
   * ever written by `load` results of the same key, so the stored shape is the loaded shape.
   */
  async getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.#ttlMs <= 0) return load();
    if (this.#fresh) {
      const value = await load();
      await this.set(key, value);
      return value;
    }
    const hit = await this.get<T>(key);
    if (hit !== undefined) return hit;
    const value = await load();
    await this.set(key, value);
    return value;
  }

  /**
   * The cached value of `key`, if any. `counted: false` keeps bookkeeping entries (project generations,
   * stored without expiry) out of the hit ratio, which should say how often Comet was spared a call.
   */
  async get<T>(key: string, { counted = true }: { counted?: boolean } = {}): Promise<T | undefined> {
    if (this.#ttlMs <= 0) return undefined;
    const text: unknown = await this.#keyv.get(this.#key(key));
    if (counted) this.#observer.cacheLookup?.(key.slice(0, Math.max(0, key.indexOf(':'))) || key, typeof text === 'string');
    return typeof text === 'string' ? (decodeCached(text) as T) : undefined;
  }

  /** Stores `value` for the cache's TTL, or for `ttlMs` (0: without expiry). */
  async set(key: string, value: unknown, ttlMs: number = this.#ttlMs): Promise<void> {
    if (this.#ttlMs <= 0 || value === undefined) return;
    await this.#keyv.set(this.#key(key), encodeCached(value), ttlMs > 0 ? ttlMs : undefined);
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await Promise.all(keys.map((key) => this.#keyv.delete(this.#key(key))));
  }

  #key(key: string): string {
    return `${this.#ns}:${key}`;
  }
}
