/**
 * Collection of unreferenced blobs, safe across processes sharing one data dir.
 *
 * The hazard: process A deletes the last asset row of blob X and unlinks X, while process B stores the same
 * bytes: B finds X present, drops its own copy and inserts a row pointing at X. If B's check and insert fall
 * between A's "is X referenced?" and A's unlink, B's row points at nothing.
 *
 * The rule that closes it: both sides act on the file only while holding SQLite's write lock.
 * - An upload inserts its row and then checks for X (renaming its bytes into place when X is missing) in one
 *   IMMEDIATE transaction (assets.ts `put`).
 * - Collection decides that X is unreferenced and unlinks it in one IMMEDIATE transaction (here).
 * Only one write transaction runs at a time across every process on the database, so either the upload comes
 * first (its row makes X referenced, and collection keeps X) or collection does (X is gone when the upload
 * checks, and the upload puts its own bytes there). Nothing is written by collection before the unlink, so a
 * rollback after it cannot bring back a row without its blob.
 */
import type { BlobStore } from './blob-store';
import type { Db } from './db';

export class BlobCollector {
  readonly #db: Db;
  readonly #blobs: BlobStore;
  readonly #enqueue;
  readonly #pending;
  readonly #referenced;
  readonly #done;

  constructor(db: Db, blobs: BlobStore) {
    this.#db = db;
    this.#blobs = blobs;
    this.#enqueue = db.prepare<[string]>('INSERT OR IGNORE INTO blob_gc (sha256) SELECT DISTINCT sha256 FROM assets WHERE experiment_key = ?');
    this.#pending = db.prepare<[], string>('SELECT sha256 FROM blob_gc').pluck();
    this.#referenced = db.prepare<[string], number>('SELECT 1 FROM assets WHERE sha256 = ? LIMIT 1').pluck();
    this.#done = db.prepare<[string]>('DELETE FROM blob_gc WHERE sha256 = ?');
  }

  /** Queues the blobs of an experiment's assets; call inside the transaction that deletes them. */
  enqueueOf(experimentKey: string): void {
    this.#enqueue.run(experimentKey);
  }

  /**
   * Removes every queued blob that no asset references any more, and dequeues it. One IMMEDIATE transaction:
   * no upload in any process can check for or reference a blob between the decision and the unlink.
   */
  collect(): void {
    this.#db.transaction(() => {
      for (const sha256 of this.#pending.all()) {
        if (this.#referenced.get(sha256) === undefined) this.#blobs.deleteSync(sha256);
        this.#done.run(sha256);
      }
    }).immediate();
  }

  /**
   * `collect`, for callers whose own work is already committed (a delete, the start): a failure (the lock
   * busy past its timeout, a file system error) leaves the blobs queued for the next collection instead of
   * failing a delete that did happen.
   */
  collectLater(): boolean {
    try {
      this.collect();
      return true;
    } catch {
      return false;
    }
  }
}
