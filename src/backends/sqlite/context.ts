/**
 * What the SQLite domain modules share: the database, the clock, one store per table group, and the
 * transaction boundaries. Every write is one transaction (all or nothing); multi-query reads run in one read
 * transaction so they see one snapshot.
 *
 * better-sqlite3 is synchronous. The port is async, so each method returns a settled promise; a long
 * statement blocks the event loop for its duration, which is why the hot paths are measured (see bench/).
 */
import type * as Port from '../port';
import { AssetStore } from './asset-store';
import { AttributeStore } from './attribute-store';
import { BlobCollector } from './blob-gc';
import { BlobStore } from './blob-store';
import type { DataPaths, Db } from './db';
import { ExperimentStore } from './experiment-store';
import { IdempotencyStore } from './idempotency';
import { BlockStore } from './metric-blocks';
import { ProjectStore } from './project-store';
import { runWriteEffect } from '../shared/write-effects';

export class SqliteContext {
  readonly db: Db;
  readonly now: () => number;
  readonly projects: ProjectStore;
  readonly experiments: ExperimentStore;
  readonly attributes: AttributeStore;
  readonly assets: AssetStore;
  readonly blobs: BlobStore;
  readonly blobGc: BlobCollector;
  readonly blocks: BlockStore;
  readonly idempotency: IdempotencyStore;

  constructor(db: Db, paths: DataPaths, now: () => number) {
    this.db = db;
    this.now = now;
    this.projects = new ProjectStore(db);
    this.experiments = new ExperimentStore(db);
    this.attributes = new AttributeStore(db);
    this.assets = new AssetStore(db);
    this.blobs = new BlobStore(paths);
    this.blobGc = new BlobCollector(db, this.blobs);
    this.blocks = new BlockStore(db);
    this.idempotency = new IdempotencyStore(db);
  }

  /**
   * Runs `work` in one transaction (BEGIN IMMEDIATE for writes, so a busy writer waits up front). With an
   * idempotency claim, a retry is answered from its record first, before any check of the write itself (a
   * retried delete must replay, not find the experiment gone), and a first call's record commits with it.
   */
  write<T>(work: () => T, caller?: Port.Caller, options?: Port.WriteOptions): T {
    // A write effect (shared/write-effects.ts: the notification outbox) commits with the write; a replay runs no work, so none.
    const withEffect = (): T => {
      const result = work();
      runWriteEffect(this.db, result);
      return result;
    };
    return this.db.transaction(() => this.idempotency.within(caller?.keyId ?? '', options?.idempotency, this.now(), withEffect)).immediate();
  }

  read<T>(work: () => T): T {
    return this.db.transaction(work).deferred();
  }

  /** A write on an existing experiment: NotFoundError when missing, and the project's lastUpdatedAt moves. */
  touching<T>(caller: Port.Caller, options: Port.WriteOptions | undefined, experimentKey: string, work: (now: number) => T): T {
    return this.write(() => {
      const now = this.now();
      const projectId = this.experiments.requireProjectId(experimentKey);
      const result = work(now);
      this.projects.touch(projectId, now);
      return result;
    }, caller, options);
  }
}
