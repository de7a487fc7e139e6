/** Entry point of the embedded SQLite backend. */
import type { Backend } from '../port';
import { SqliteBackend } from './backend';
import { clearStaleUploads, dataPaths, ensureDataDirs, openDatabase } from './db';
import { migrate } from './migrations';

export interface SqliteBackendOptions {
  /** Directory holding `trackql.db` and `blobs/`; created when missing. */
  dataDir: string;
  /** Clock in Unix ms (tests pin it); defaults to `Date.now`. */
  now?: () => number;
  /** Called with the text of every SQL statement run (tests count round trips with it; keep it cheap). */
  onStatement?: (sql: string) => void;
}

/** Opens (creating or upgrading in place) the data dir and returns a ready backend. */
export function createSqliteBackend(options: SqliteBackendOptions): Backend {
  const paths = dataPaths(options.dataDir);
  ensureDataDirs(paths);
  clearStaleUploads(paths);
  const db = openDatabase(paths.dbFile, options.onStatement);
  try {
    migrate(db);
    const backend = new SqliteBackend(db, paths, options.now);
    // Blobs a crashed process queued but did not collect.
    backend.collectBlobs();
    return backend;
  } catch (error) {
    db.close();
    throw error;
  }
}

export { SQLITE_CAPABILITIES } from './backend';
export { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations';
export { DB_FILE_NAME, BLOB_DIR_NAME } from './db';
