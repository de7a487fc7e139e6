/**
 * Idempotency records of the Comet backend, in the outbox database (`comet-outbox.db`): Comet has no
 * idempotency of its own, so the gateway must remember what it already sent.
 *
 * - Logging writes (metrics, parameters, others) with a key enter the outbox first, their record written in
 *   the same transaction (`WritePipeline.submitDurable`): after a crash both exist or neither does, and the
 *   outbox delivers what it holds. The record says QUEUED until Comet took the write, then ACCEPTED.
 * - Other writes (createExperiment…) are REST calls answered with an entity, so they cannot be queued: a
 *   `pending` record is written before the call and completed with its result. A `pending` record found
 *   later belongs to a call cut short by a crash, whose outcome nobody knows: the retry is refused rather
 *   than risk a second experiment.
 *
 * Calls with one key are serialized in process (one gateway owns a data dir's outbox).
 */
import { BadUserInputError } from '../../errors';
import { IDEMPOTENCY_TTL_MS, type IdempotencyClaim, type WriteStatus } from '../port';
import { KeyedMutex, encodeResult, replay, scopeOf, type IdempotencyRecord } from '../shared/idempotency';
import type { Outbox } from './outbox';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency (
  key_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  operation TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  result_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency (created_at);`;

/** Expired records are deleted at most this often (ms). */
const PRUNE_EVERY_MS = 60_000;

interface Row extends IdempotencyRecord {
  state: 'pending' | 'done';
}

export class CometIdempotency {
  readonly #mutex = new KeyedMutex();
  readonly #now: () => number;
  readonly #get;
  readonly #put;
  readonly #complete;
  readonly #delete;
  readonly #prune;
  #prunedAt = 0;

  constructor(outbox: Outbox, now: () => number = Date.now) {
    const db = outbox.database;
    db.exec(SCHEMA);
    this.#now = now;
    this.#get = db.prepare<[string, string, number], Row>(
      `SELECT operation, payload_hash AS payloadHash, result_json AS resultJson, state FROM idempotency
       WHERE key_id = ? AND idempotency_key = ? AND created_at > ?`,
    );
    this.#put = db.prepare<[string, string, string, string, string, string, number]>(
      `INSERT OR REPLACE INTO idempotency (key_id, idempotency_key, operation, payload_hash, state, result_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#complete = db.prepare<[string, string, string]>(
      `UPDATE idempotency SET state = 'done', result_json = ? WHERE key_id = ? AND idempotency_key = ?`,
    );
    this.#delete = db.prepare<[string, string]>('DELETE FROM idempotency WHERE key_id = ? AND idempotency_key = ?');
    this.#prune = db.prepare<[number]>('DELETE FROM idempotency WHERE created_at <= ?');
  }

  /** A REST write (create, end, tag, registry, archive, delete; `once` of the port), at most once per claim. */
  async call<T>(keyId: string, claim: IdempotencyClaim | undefined, write: () => Promise<T>): Promise<T> {
    if (claim === undefined) return write();
    return this.#mutex.run(scopeOf(keyId, claim), async () => {
      const recorded = this.#recall<T>(keyId, claim);
      if (recorded) return recorded.value;
      this.#record(keyId, claim, 'pending', null);
      let result: T;
      try {
        result = await write();
      } catch (error) {
        this.#delete.run(keyId, claim.key); // nothing done: a retry may try again
        throw error;
      }
      this.#complete.run(encodeResult(result), keyId, claim.key);
      return result;
    });
  }

  /** A logging write: `submit` gets the hook that writes the record in the outbox's enqueue transaction. */
  async logged(keyId: string, claim: IdempotencyClaim | undefined, submit: (record: () => void) => Promise<WriteStatus>): Promise<WriteStatus> {
    if (claim === undefined) return submit(() => undefined);
    return this.#mutex.run(scopeOf(keyId, claim), async () => {
      const recorded = this.#recall<WriteStatus>(keyId, claim);
      if (recorded) return recorded.value;
      let status: WriteStatus;
      try {
        status = await submit(() => this.#record(keyId, claim, 'done', 'QUEUED'));
      } catch (error) {
        // Comet refused it and its entries were dropped (delivery.ts): nothing is stored, a retry may try again.
        this.#delete.run(keyId, claim.key);
        throw error;
      }
      // Recorded before the answer: a retry replays exactly what this call answers.
      if (status === 'ACCEPTED') this.#complete.run(encodeResult(status), keyId, claim.key);
      return status;
    });
  }

  #recall<T>(keyId: string, claim: IdempotencyClaim): { value: T } | null {
    const now = this.#now();
    this.#pruneExpired(now);
    const row = this.#get.get(keyId, claim.key, now - IDEMPOTENCY_TTL_MS);
    if (row === undefined) return null;
    if (row.state === 'pending') {
      replay(row, claim); // a different request with this key is a conflict first
      throw new BadUserInputError(
        `The first call with idempotencyKey '${claim.key.slice(0, 64)}' was cut short (the gateway stopped) before Comet answered, ` +
          'so whether it took effect is unknown: check, then retry with a new key',
        { field: 'idempotencyKey', reason: 'IDEMPOTENCY_OUTCOME_UNKNOWN' },
      );
    }
    return { value: replay<T>(row, claim) };
  }

  #record(keyId: string, claim: IdempotencyClaim, state: Row['state'], result: unknown): void {
    this.#put.run(keyId, claim.key, claim.operation, claim.payloadHash, state, encodeResult(result), this.#now());
  }

  #pruneExpired(now: number): void {
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    this.#prune.run(now - IDEMPOTENCY_TTL_MS);
  }
}
