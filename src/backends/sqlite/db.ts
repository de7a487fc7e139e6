/**
 * Opening the data dir: the SQLite file, its pragmas, and the paths the backend writes under.
 *
 * Layout under `dataDir`:
 *   trackql.db (+ -wal, -shm)      the database
 *   blobs/<sha[0:2]>/<sha>         asset bytes, content-addressed (sha256 hex)
 *   tmp/                           uploads in flight; renamed into blobs/ once hashed and within limits
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export const DB_FILE_NAME = 'trackql.db';
export const BLOB_DIR_NAME = 'blobs';
export const TMP_DIR_NAME = 'tmp';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY, in ms. */
export const BUSY_TIMEOUT_MS = 5_000;

export interface DataPaths {
  readonly dataDir: string;
  readonly dbFile: string;
  readonly blobDir: string;
  readonly tmpDir: string;
}

export function dataPaths(dataDir: string): DataPaths {
  const root = path.resolve(dataDir);
  return {
    dataDir: root,
    dbFile: path.join(root, DB_FILE_NAME),
    blobDir: path.join(root, BLOB_DIR_NAME),
    tmpDir: path.join(root, TMP_DIR_NAME),
  };
}

/** Creates the data dir (and its sub-dirs) when missing. */
export function ensureDataDirs(paths: DataPaths): void {
  for (const dir of [paths.dataDir, paths.blobDir, paths.tmpDir]) fs.mkdirSync(dir, { recursive: true });
}

/**
 * Opens the database with the pragmas every connection needs.
 *
 * - `journal_mode=WAL`: readers never block the writer and vice versa, and a commit is one sequential append.
 * - `synchronous=NORMAL`: in WAL mode a commit is written to the WAL before `COMMIT` returns, so a crash of
 *   the *process* (the common failure: OOM kill, uncaught error, SIGKILL) loses nothing. Only a power loss
 *   or OS crash may roll back the last few commits; the database is never corrupted. `FULL` would fsync on
 *   every commit, which caps metric logging at the disk's fsync rate for a guarantee we do not need here.
 * - `foreign_keys=ON`: SQLite ships with it off; our cascades (delete an experiment, its points go too) rely on it.
 * - `busy_timeout`: another process (a backup, the CLI) holding the lock briefly must not fail our writes.
 */
export function openDatabase(file: string, onStatement?: (sql: string) => void): Db {
  const verbose = onStatement ? (message?: unknown): void => onStatement(String(message)) : undefined;
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS, verbose });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

/** A temp upload file untouched for this long is a leftover of a crash, in ms. */
export const STALE_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Removes temp upload files a crashed process left behind. Only old ones: another process sharing the data
 * dir (a second gateway during a rolling restart) may be streaming into a fresh one right now.
 */
export function clearStaleUploads(paths: DataPaths, now: number = Date.now()): void {
  for (const entry of fs.readdirSync(paths.tmpDir)) {
    const file = path.join(paths.tmpDir, entry);
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_UPLOAD_MS) fs.rmSync(file, { force: true });
    } catch {
      // Gone already (its upload finished or failed meanwhile): nothing to clear.
    }
  }
}
