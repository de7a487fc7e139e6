/**
 * What every domain of the port shares: the caller, the batch-read shape, pages, and the options of reads
 * and writes. Times are Unix milliseconds since epoch; sizes are bytes.
 */

/** Who is asking. `keyId` is a stable, non-secret id of the API key (a hash), safe for logs and cache keys. */
export interface Caller {
  /** The raw API key, or null for an anonymous caller of an open store. Never log it. */
  readonly apiKey: string | null;
  /** Non-secret id of the key (hash prefix), `anonymous` when there is none. */
  readonly keyId: string;
}

/**
 * The shape of every batch read: keys in, one slot per key out, in key order. A slot holds the value, `null`
 * where the entity does not exist (lookups only), or an `Error` for a per-key failure; only a failure of the
 * whole batch rejects. A DataLoader over it is a one-liner.
 */
export type BatchRead<K, V> = (caller: Caller, keys: readonly K[], options?: ReadOptions) => Promise<(V | Error)[]>;

export interface PageRequest {
  /** At most this many items. */
  first: number;
  /** Opaque cursor returned by an earlier page; start from the beginning when absent. */
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Cursor of each item, same order as `items`. */
  cursors: string[];
  hasNextPage: boolean;
  /** True only when an item of the list comes before the first of this page (not merely because `after` was given). */
  hasPreviousPage: boolean;
  totalCount: number;
}

/** How a read may be served. */
export interface ReadOptions {
  /**
   * Read from the source of truth, not from a cache: for pollers that look for data written behind the
   * gateway's back (a backend without a cache ignores it). The answer still refreshes the cache.
   */
  fresh?: boolean;
}

/** Whether a write is stored (`ACCEPTED`) or durably queued for an upstream that is away (`QUEUED`). */
export type WriteStatus = 'ACCEPTED' | 'QUEUED';

/**
 * Makes one write idempotent. The backend keeps a record of (caller keyId, `key`) with the operation, the
 * payload hash and the result, written atomically with the write itself (SQLite: the same transaction;
 * Comet: the outbox database, in the transaction that enqueues it). A later call with the same key by the
 * same caller within `IDEMPOTENCY_TTL_MS` writes nothing and answers the recorded result; the same key with
 * another operation or payload is BAD_USER_INPUT. Calls with the same key in flight at once are serialized.
 *
 * The services build it from the request as the client sent it (src/services/idempotency.ts): the backend
 * cannot hash its own input, which holds defaults that differ between retries (receive timestamps).
 */
export interface IdempotencyClaim {
  /** The client's key (1–255 characters), scoped to the caller's keyId. */
  readonly key: string;
  /** The mutation's name: the same key reused for another mutation is a conflict. */
  readonly operation: string;
  /** sha256 hex of the operation's input as sent, without the key. */
  readonly payloadHash: string;
  /** Called when the answer comes from the record instead of a write, so callers skip side effects (live events). */
  readonly onReplay?: () => void;
}

/** Options every write method takes. */
export interface WriteOptions {
  readonly idempotency?: IdempotencyClaim;
}

/** How long an idempotency record is kept, in ms: a retry within 24 hours replays (older records are pruned lazily). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
