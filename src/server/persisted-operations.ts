/**
 * Persisted operations, both kinds (README "Persisted operations"):
 * - Automatic Persisted Queries (Apollo's APQ): a client sends `extensions.persistedQuery.sha256Hash` alone
 *   and the full text only when told `PersistedQueryNotFound`. Apollo Server does the protocol; the cache
 *   behind it is keyv (keyv 5 behind Apollo's small KeyValueCache interface), in memory, bounded in bytes.
 * - Trusted documents (`TRACKQL_TRUSTED_DOCUMENTS`): only a manifest's operations run
 *   (trusted-documents.ts); APQ registration is then off, since nothing outside the manifest may be stored.
 *
 * A PersistedQueryNotFound keeps Apollo's message (clients match it) and its code as `extensions.reason`
 * under BAD_USER_INPUT, like Apollo's other request errors (plugins/errors.ts).
 */
import type { PersistedQueryOptions } from '@apollo/server';
import Keyv from 'keyv';
import { createRedisKeyv } from './shared-cache';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import { TrustedDocuments } from './trusted-documents';

type KeyValueCache = NonNullable<PersistedQueryOptions['cache']>;

/** Bytes of query text kept for APQ per replica; oldest entries go first past it (Apollo's own default is ~30 MiB). */
export const APQ_MAX_BYTES = 32 * 1024 * 1024;
/** Lifetime of a registered query, in seconds: clients re-register after a miss, so a day is plenty. */
export const APQ_TTL_SECONDS = 24 * 60 * 60;

/**
 * keyv's in-memory store is a Map that forgets an expired entry only when it is read again: bound it by the
 * size of what it holds, so hashes nobody asks for again cannot grow memory without end.
 */
export class ByteBoundedMap extends Map<string, unknown> {
  #bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override set(key: string, value: unknown): this {
    this.delete(key); // a rewrite moves to the young end
    super.set(key, value);
    this.#bytes += sizeOf(key, value);
    for (const oldest of this.keys()) {
      if (this.#bytes <= this.maxBytes || oldest === key) break;
      this.delete(oldest);
    }
    return this;
  }

  override delete(key: string): boolean {
    if (!super.has(key)) return false;
    this.#bytes -= sizeOf(key, super.get(key));
    return super.delete(key);
  }

  override clear(): void {
    this.#bytes = 0;
    super.clear();
  }

  get bytes(): number {
    return this.#bytes;
  }
}

function sizeOf(key: string, value: unknown): number {
  return key.length + (typeof value === 'string' ? value.length : JSON.stringify(value ?? null).length);
}

/** Apollo's KeyValueCache over keyv. Store errors are misses: a cache must never fail a request. */
export class KeyvKeyValueCache implements KeyValueCache {
  constructor(private readonly keyv: Keyv<string>) {}

  async get(key: string): Promise<string | undefined> {
    try {
      const value = await this.keyv.get(key);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    try {
      await this.keyv.set(key, value, options?.ttl ? options.ttl * 1000 : undefined);
    } catch {
      /* not cached: the client sends the text again next time */
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return await this.keyv.delete(key);
    } catch {
      return false;
    }
  }
}

export interface PersistedOperations {
  /** Apollo Server's `persistedQueries` option. */
  readonly apollo: { persistedQueries: PersistedQueryOptions | false };
  /** The manifest in trusted-documents mode, else null. */
  readonly trusted: TrustedDocuments | null;
  /** Releases the cache's connection (Redis), if any. */
  close(): Promise<void>;
}

export function createPersistedOperations(config: Config, logger: Logger): PersistedOperations {
  if (config.trustedDocuments) {
    const trusted = TrustedDocuments.load(config.trustedDocuments);
    logger.notice('trusted documents only', { manifest: config.trustedDocuments, documents: trusted.size });
    return { apollo: { persistedQueries: false }, trusted, close: async () => undefined };
  }
  // With TRACKQL_CACHE_URL, a query registered through one replica is known to all of them.
  const keyv = config.cacheUrl
    ? createRedisKeyv<string>(config.cacheUrl, 'trackql-apq', logger)
    : new Keyv<string>({ store: new ByteBoundedMap(APQ_MAX_BYTES), namespace: 'apq' });
  if (!config.cacheUrl) keyv.on('error', (error: unknown) => logger.warn('APQ cache error', { error }));
  return {
    apollo: { persistedQueries: { cache: new KeyvKeyValueCache(keyv), ttl: APQ_TTL_SECONDS } },
    trusted: null,
    close: () => keyv.disconnect().catch(() => undefined),
  };
}
