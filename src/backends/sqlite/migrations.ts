/**
 * Versioned schema migrations over `PRAGMA user_version`.
 *
 * The list is append-only: a released migration is never edited, a change is a new entry. On open, every
 * migration above the file's version runs in order, each in its own transaction together with the version
 * bump, so a data dir written by an older build upgrades in place and a failing migration leaves the file
 * at the last version that fully applied.
 */
import type { Db } from './db';
import { SCHEMA_001_CORE } from './schema-001-core';
import { SCHEMA_002_INDEXES } from './schema-002-indexes';
import { SCHEMA_003_API_KEYS } from './schema-003-api-keys';
import { SCHEMA_004_IDEMPOTENCY } from './schema-004-idempotency';
import { SCHEMA_005_BLOB_GC } from './schema-005-blob-gc';
import { SCHEMA_006_ASSET_TYPE_INDEX } from './schema-006-asset-type-index';
import { SCHEMA_007_RUN_DETAILS } from './schema-007-run-details';
import { SCHEMA_008_MONITORING } from './schema-008-monitoring';
import { SCHEMA_009_METRIC_CONTEXTS } from './schema-009-metric-contexts';
import { addMetricSpans } from './schema-010-metric-spans';

export interface Migration {
  /** The `user_version` after this migration; versions are 1, 2, 3… in list order. */
  readonly version: number;
  readonly name: string;
  /** Run with foreign keys off (a table rebuild); every reference is checked before the commit. */
  readonly rebuildsTables?: boolean;
  up(db: Db): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'core tables', up: (db) => db.exec(SCHEMA_001_CORE) },
  { version: 2, name: 'secondary indexes', up: (db) => db.exec(SCHEMA_002_INDEXES) },
  { version: 3, name: 'api keys', up: (db) => db.exec(SCHEMA_003_API_KEYS) },
  { version: 4, name: 'idempotency records', up: (db) => db.exec(SCHEMA_004_IDEMPOTENCY) },
  { version: 5, name: 'blob collection queue', up: (db) => db.exec(SCHEMA_005_BLOB_GC) },
  { version: 6, name: 'asset type index', up: (db) => db.exec(SCHEMA_006_ASSET_TYPE_INDEX) },
  { version: 7, name: 'run details', up: (db) => db.exec(SCHEMA_007_RUN_DETAILS) },
  { version: 8, name: 'production monitoring', up: (db) => db.exec(SCHEMA_008_MONITORING) },
  { version: 9, name: 'metric contexts', rebuildsTables: true, up: (db) => db.exec(SCHEMA_009_METRIC_CONTEXTS) },
  { version: 10, name: 'metric span rollups', up: addMetricSpans },
];

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the database up to the last migration of `migrations` (exported with the list for tests). */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  assertConsecutive(migrations);
  const from = schemaVersion(db);
  const latest = migrations.length;
  if (from > latest) {
    throw new Error(
      `The data dir's schema is version ${from} but this TrackQL knows versions up to ${latest}: ` +
        'it was written by a newer release; upgrade TrackQL or point TRACKQL_DATA_DIR elsewhere',
    );
  }
  const applied: string[] = [];
  for (const migration of migrations.slice(from)) {
    // The pragma is a no-op inside a transaction: it is set around it.
    const foreignKeys = migration.rebuildsTables === true && db.pragma('foreign_keys', { simple: true }) === 1;
    if (foreignKeys) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        migration.up(db);
        if (migration.rebuildsTables === true) assertReferencesHold(db, migration);
        // Inside the transaction: the version moves only if the migration committed.
        db.pragma(`user_version = ${migration.version}`);
      })();
    } finally {
      if (foreignKeys) db.pragma('foreign_keys = ON');
    }
    applied.push(migration.name);
  }
  return { from, to: Math.max(from, latest), applied };
}

function assertReferencesHold(db: Db, migration: Migration): void {
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0) {
    throw new Error(`Migration '${migration.name}' would leave ${broken.length} broken references; nothing was changed`);
  }
}

function assertConsecutive(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration '${migration.name}' has version ${migration.version}, expected ${index + 1}`);
    }
  });
}
