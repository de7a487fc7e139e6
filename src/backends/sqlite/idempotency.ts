/**
 * Idempotency records of the SQLite backend (table `idempotency`, schema-004). Every call runs inside the
 * caller's write transaction, so the record commits with the write or not at all: a crash can never leave
 * a write without its record (a retry would double it) nor a record without its write (a retry would claim
 * what was never stored). BEGIN IMMEDIATE serializes writers, so two calls with one key, even from two
 * processes on one data dir, cannot both miss the record.
 */
import { IDEMPOTENCY_TTL_MS, type IdempotencyClaim } from '../port';
import { encodeResult, replay, type IdempotencyRecord } from '../shared/idempotency';
import type { Db } from './db';

/** Expired records are deleted at most this often, by whichever write comes along (ms). */
const PRUNE_EVERY_MS = 60_000;

export class IdempotencyStore {
  readonly #get;
  readonly #put;
  readonly #prune;
  #prunedAt = 0;

  constructor(db: Db) {
    this.#get = db.prepare<[string, string, number], IdempotencyRecord>(
      `SELECT operation, payload_hash AS payloadHash, result_json AS resultJson FROM idempotency
       WHERE key_id = ? AND idempotency_key = ? AND created_at > ?`,
    );
    // REPLACE: an expired record not yet pruned gives way to the new one.
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO idempotency (key_id, idempotency_key, operation, payload_hash, result_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#prune = db.prepare('DELETE FROM idempotency WHERE created_at <= ?');
  }

  /**
   * Inside a write transaction: without a claim, runs `work`; with one, answers the recorded result of an
   * earlier call (BAD_USER_INPUT if it was another request), or runs `work` and records its result.
   */
  within<T>(keyId: string, claim: IdempotencyClaim | undefined, now: number, work: () => T): T {
    if (claim === undefined) return work();
    const recorded = this.recall<T>(keyId, claim, now);
    if (recorded !== null) return recorded.value;
    const result = work();
    this.#put.run(keyId, claim.key, claim.operation, claim.payloadHash, encodeResult(result), now);
    this.#pruneExpired(now);
    return result;
  }

  /** The recorded result of a claim still within its lifetime, or null. */
  recall<T>(keyId: string, claim: IdempotencyClaim, now: number): { value: T } | null {
    const row = this.#get.get(keyId, claim.key, now - IDEMPOTENCY_TTL_MS);
    return row === undefined ? null : { value: replay<T>(row, claim) };
  }

  #pruneExpired(now: number): void {
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    this.#prune.run(now - IDEMPOTENCY_TTL_MS);
  }
}
