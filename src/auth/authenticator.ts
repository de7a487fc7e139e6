/**
 * Turns a request's Caller into a Principal: who it acts as and what it may do where. Keys are looked up in
 * the KeyStore per request, through a short in-process cache, so keys created or revoked by the CLI while
 * the server runs take effect within `KEY_CACHE_MS` without a restart (the README states the delay).
 *
 * While no key was ever created the store is open: every caller, with or without a key, is `OPEN_STORE`.
 * Once one exists, a request needs an unrevoked key, else UNAUTHENTICATED.
 */
import type { Caller } from '../backends/port';
import { UnauthenticatedError } from '../errors';
import { LruMap } from '../lru';
import { hashSecret, type KeyStore } from './key-store';
import { OPEN_STORE, principalOf, type Principal } from './roles';

/** How long a key lookup (found, unknown or revoked) and the open/closed state are reused, in ms. */
export const KEY_CACHE_MS = 2_000;
/** Cached lookups kept; past this the least recently used go, so random keys cannot grow memory without bound. */
export const MAX_CACHED_KEYS = 10_000;
/** `last_used_at` is written at most this often per key, in ms: it is a write on every request otherwise. */
export const TOUCH_EVERY_MS = 60_000;

export interface AuthenticatorOptions {
  now?: () => number;
  cacheMs?: number;
  /** Told when recording a key's use fails (it never fails the request). */
  onTouchError?: (error: unknown, keyId: string) => void;
}

interface Cached {
  readonly principal: Principal | null;
  readonly until: number;
}

export class Authenticator {
  readonly #store: KeyStore;
  readonly #now: () => number;
  readonly #cacheMs: number;
  readonly #onTouchError: (error: unknown, keyId: string) => void;
  readonly #byHash = new LruMap<string, Cached>(MAX_CACHED_KEYS);
  readonly #touchedAt = new LruMap<string, number>(MAX_CACHED_KEYS);
  #hasKeys = false;
  #hasKeysUntil = 0;

  constructor(store: KeyStore, options: AuthenticatorOptions = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#cacheMs = options.cacheMs ?? KEY_CACHE_MS;
    this.#onTouchError = options.onTouchError ?? (() => undefined);
  }

  /** True while no key exists: the store serves everyone. */
  isOpen(): boolean {
    // Keys are never deleted, so once seen the answer stays "closed" and needs no further lookups.
    if (!this.#hasKeys && this.#now() >= this.#hasKeysUntil) {
      this.#hasKeys = this.#store.hasKeys();
      this.#hasKeysUntil = this.#now() + this.#cacheMs;
    }
    return !this.#hasKeys;
  }

  /** The caller's principal; UnauthenticatedError when keys exist and the caller has no valid one. */
  principal(caller: Caller): Principal {
    if (this.isOpen()) return OPEN_STORE;
    if (caller.apiKey === null) throw new UnauthenticatedError();
    const hash = hashSecret(caller.apiKey);
    const now = this.#now();
    let cached = this.#byHash.get(hash);
    if (!cached || now >= cached.until) {
      const found = this.#store.findActive(hash);
      cached = { principal: found ? principalOf(found.id, found.grants) : null, until: now + this.#cacheMs };
      this.#byHash.set(hash, cached);
    }
    if (!cached.principal) {
      throw new UnauthenticatedError('This API key is unknown or revoked: ask the operator for a key (`trackql keys create`)');
    }
    this.#touch(cached.principal.keyId, now);
    return cached.principal;
  }

  /** For edges that answer before any backend call (HTTP 401 on /graphql): throws like `principal`. */
  authenticate(caller: Caller): void {
    this.principal(caller);
  }

  /** The id of the caller's key when it is a valid key of a store that has keys; null otherwise (never throws). */
  identify(caller: Caller): string | null {
    if (caller.apiKey === null || this.isOpen()) return null;
    try {
      return this.principal(caller).keyId;
    } catch {
      return null;
    }
  }

  #touch(keyId: string, now: number): void {
    const last = this.#touchedAt.get(keyId);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.#touchedAt.set(keyId, now);
    try {
      this.#store.touch(keyId, now);
    } catch (error) {
      this.#onTouchError(error, keyId); // a busy database must not fail the request
    }
  }
}
