/**
 * Where the Comet backend keeps its idempotency records (idempotency.ts says what they mean): a table in the
 * outbox database (`comet-outbox.db`), so a logging write's record commits in the transaction that queues it.
 * Calls with one key are serialized in process: one gateway owns a data dir's outbox. Replicas share their
 * records through Redis instead (records-redis.ts), which keeps this store for the outbox transaction.
 */
import { IDEMPOTENCY_TTL_MS, type IdempotencyClaim } from '../port';
import { KeyedMutex, scopeOf, type IdempotencyRecord } from '../shared/idempotency';
import type { WriteState } from './idempotency';
import type { Outbox } from './outbox';

export interface StoredRecord extends IdempotencyRecord {
  readonly state: WriteState;
  /** JSON of what a reconcilable write got done so far (create-run.ts: the run's key), `null` before. */
  readonly progressJson: string;
  /** Why a `dead` record's outcome is unknown. */
  readonly reason: string | null;
  /** When the first attempt started, Unix ms. */
  readonly createdAt: number;
}

export type RecordChange = Partial<Pick<StoredRecord, 'state' | 'resultJson' | 'progressJson' | 'reason'>>;

/** The records of one backend; every method is scoped to (keyId, claim.key). */
export interface RecordStore {
  /** Runs `work` while no other call with this key runs (here or, when shared, on another replica). */
  exclusive<T>(keyId: string, claim: IdempotencyClaim, work: () => Promise<T>): Promise<T>;
  /** The live record (younger than IDEMPOTENCY_TTL_MS), or null. */
  get(keyId: string, claim: IdempotencyClaim): Promise<StoredRecord | null>;
  put(keyId: string, claim: IdempotencyClaim, record: Pick<StoredRecord, 'state' | 'resultJson' | 'progressJson'>): Promise<void>;
  update(keyId: string, claim: IdempotencyClaim, change: RecordChange): Promise<StoredRecord>;
  delete(keyId: string, claim: IdempotencyClaim): Promise<void>;
  /** Writes a `done` record synchronously, inside the outbox transaction that queues its write. */
  putInOutbox(keyId: string, claim: IdempotencyClaim, resultJson: string): void;
  /** Called once the queued write's transaction committed (a shared store copies the record out then). */
  afterOutbox?(keyId: string, claim: IdempotencyClaim): Promise<void>;
  close?(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS write_records (
  key_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  operation TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'ambiguous', 'reconciled', 'dead')),
  result_json TEXT NOT NULL,
  progress_json TEXT NOT NULL DEFAULT 'null',
  reason TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS write_records_by_age ON write_records (created_at);`;

/** Records of files written before the five states: copied once, then the old table goes. */
const UPGRADE = `
INSERT OR IGNORE INTO write_records (key_id, idempotency_key, operation, payload_hash, state, result_json, created_at)
  SELECT key_id, idempotency_key, operation, payload_hash, state, result_json, created_at FROM idempotency;
DROP TABLE idempotency;`;

/** Expired records are deleted at most this often (ms). */
const PRUNE_EVERY_MS = 60_000;

interface Row {
  operation: string;
  payloadHash: string;
  resultJson: string;
  progressJson: string;
  state: WriteState;
  reason: string | null;
  createdAt: number;
}

export class SqliteRecords implements RecordStore {
  readonly #mutex = new KeyedMutex();
  readonly #now: () => number;
  readonly #get;
  readonly #put;
  readonly #delete;
  readonly #prune;
  readonly #db;
  #prunedAt = 0;

  constructor(outbox: Outbox, now: () => number = Date.now) {
    const db = outbox.database;
    db.exec(SCHEMA);
    const old = db.prepare<[], number>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'idempotency'").pluck().get() ?? 0;
    if (old > 0) db.transaction(() => db.exec(UPGRADE))();
    this.#db = db;
    this.#now = now;
    this.#get = db.prepare<[string, string, number], Row>(
      `SELECT operation, payload_hash AS payloadHash, result_json AS resultJson, progress_json AS progressJson, state, reason,
              created_at AS createdAt
       FROM write_records WHERE key_id = ? AND idempotency_key = ? AND created_at > ?`,
    );
    this.#put = db.prepare<[string, string, string, string, string, string, string, number]>(
      `INSERT OR REPLACE INTO write_records (key_id, idempotency_key, operation, payload_hash, state, result_json, progress_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#delete = db.prepare<[string, string]>('DELETE FROM write_records WHERE key_id = ? AND idempotency_key = ?');
    this.#prune = db.prepare<[number]>('DELETE FROM write_records WHERE created_at <= ?');
  }

  exclusive<T>(keyId: string, claim: IdempotencyClaim, work: () => Promise<T>): Promise<T> {
    return this.#mutex.run(scopeOf(keyId, claim), work);
  }

  async get(keyId: string, claim: IdempotencyClaim): Promise<StoredRecord | null> {
    return this.getNow(keyId, claim);
  }

  getNow(keyId: string, claim: IdempotencyClaim): StoredRecord | null {
    const now = this.#now();
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      this.#prune.run(now - IDEMPOTENCY_TTL_MS);
    }
    return this.#get.get(keyId, claim.key, now - IDEMPOTENCY_TTL_MS) ?? null;
  }

  async put(keyId: string, claim: IdempotencyClaim, record: Pick<StoredRecord, 'state' | 'resultJson' | 'progressJson'>): Promise<void> {
    this.#put.run(keyId, claim.key, claim.operation, claim.payloadHash, record.state, record.resultJson, record.progressJson, this.#now());
  }

  async update(keyId: string, claim: IdempotencyClaim, change: RecordChange): Promise<StoredRecord> {
    const sets = Object.entries({ state: change.state, result_json: change.resultJson, progress_json: change.progressJson, reason: change.reason })
      .filter(([, value]) => value !== undefined);
    if (sets.length > 0) {
      this.#db.prepare(`UPDATE write_records SET ${sets.map(([column]) => `${column} = ?`).join(', ')} WHERE key_id = ? AND idempotency_key = ?`)
        .run(...sets.map(([, value]) => value), keyId, claim.key);
    }
    const row = this.getNow(keyId, claim);
    if (!row) throw new Error('comet idempotency: the record to update is gone');
    return row;
  }

  async delete(keyId: string, claim: IdempotencyClaim): Promise<void> {
    this.#delete.run(keyId, claim.key);
  }

  putInOutbox(keyId: string, claim: IdempotencyClaim, resultJson: string): void {
    this.#put.run(keyId, claim.key, claim.operation, claim.payloadHash, 'done', resultJson, 'null', this.#now());
  }
}
