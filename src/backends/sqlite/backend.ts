/**
 * The SQLite backend: one module per domain of the port over a shared context (context.ts), plus the
 * lifecycle. Access control is not done here: src/auth/ wraps this backend and checks every call against
 * the caller's API key, so `caller` is accepted for the port's sake.
 */
import type * as Port from '../port';
import { KeyedMutex, scopeOf } from '../shared/idempotency';
import { SqliteAssets } from './assets';
import { SQLITE_ATTRIBUTES_CAPABILITIES, SqliteAttributes } from './attributes';
import { SqliteContext } from './context';
import type { DataPaths, Db } from './db';
import { SQLITE_EXPERIMENTS_CAPABILITIES, SqliteExperiments } from './experiments';
import { SQLITE_METRICS_CAPABILITIES, SqliteMetrics } from './metrics';
import { SQLITE_MONITORING_CAPABILITIES, SqliteMonitoring } from './monitoring';
import { schemaVersion } from './migrations';
import { SqliteProjects } from './projects';
import { SQLITE_DEAD_LETTERS_CAPABILITIES, SqliteDeadLetters } from './dead-letters';
import { SQLITE_DETAILS_CAPABILITIES, SqliteDetails } from './details';
import { SQLITE_REGISTRY_CAPABILITIES, SqliteRegistry } from './registry';

export const SQLITE_CAPABILITIES: Port.Capabilities = Object.freeze({
  backend: 'sqlite',
  experiments: SQLITE_EXPERIMENTS_CAPABILITIES,
  projects: Object.freeze({ editAttributes: true }),
  metrics: SQLITE_METRICS_CAPABILITIES,
  attributes: SQLITE_ATTRIBUTES_CAPABILITIES,
  registry: SQLITE_REGISTRY_CAPABILITIES,
  deadLetters: SQLITE_DEAD_LETTERS_CAPABILITIES,
  details: SQLITE_DETAILS_CAPABILITIES,
  monitoring: SQLITE_MONITORING_CAPABILITIES,
  live: Object.freeze({ externalWriters: false }),
});

export class SqliteBackend implements Port.Backend {
  readonly experiments: SqliteExperiments;
  readonly projects: SqliteProjects;
  readonly metrics: SqliteMetrics;
  readonly attributes: SqliteAttributes;
  readonly assets: SqliteAssets;
  readonly registry: SqliteRegistry;
  readonly deadLetters = new SqliteDeadLetters();
  readonly details: SqliteDetails;
  readonly monitoring: SqliteMonitoring;
  readonly #c: SqliteContext;
  /** Serializes `once` calls per idempotency key (their work is async, outside one transaction). */
  readonly #onceMutex = new KeyedMutex();

  constructor(db: Db, paths: DataPaths, now: () => number = Date.now) {
    this.#c = new SqliteContext(db, paths, now);
    this.experiments = new SqliteExperiments(this.#c);
    this.projects = new SqliteProjects(this.#c);
    this.metrics = new SqliteMetrics(this.#c);
    this.attributes = new SqliteAttributes(this.#c);
    this.assets = new SqliteAssets(this.#c);
    this.registry = new SqliteRegistry(this.#c);
    this.details = new SqliteDetails(this.#c);
    this.monitoring = new SqliteMonitoring(this.#c);
  }

  /** Removes queued blobs no asset references any more (blob-gc.ts). */
  collectBlobs(): boolean {
    return this.#c.blobGc.collectLater();
  }

  capabilities(): Port.Capabilities {
    return SQLITE_CAPABILITIES;
  }

  async once<T>(caller: Port.Caller, claim: Port.IdempotencyClaim, produce: () => Promise<T>): Promise<T> {
    const c = this.#c;
    return this.#onceMutex.run(scopeOf(caller.keyId, claim), async () => {
      const recorded = c.read(() => c.idempotency.recall<T>(caller.keyId, claim, c.now()));
      if (recorded !== null) return recorded.value;
      const value = await produce();
      // Another process on this data dir may have recorded one meanwhile: then its result is the answer.
      return c.write(() => value, caller, { idempotency: claim });
    });
  }

  async readiness() {
    try {
      this.#c.db.prepare('SELECT 1').get();
      return { ready: true, detail: { backend: 'sqlite', schemaVersion: schemaVersion(this.#c.db) } };
    } catch (error) {
      return { ready: false, detail: { backend: 'sqlite', error: (error as Error).message } };
    }
  }

  async close() {
    if (this.#c.db.open) this.#c.db.close();
  }
}
