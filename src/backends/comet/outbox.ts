/**
 * The durable outbox: writes Comet could not take yet, in a SQLite file in the data dir (better-sqlite3,
 * WAL, synchronous FULL so an acknowledged QUEUED survives a power cut). One row per upstream request, in
 * order per (key, experiment) lane. Rows that Comet refuses for good move to `dead`, never dropped.
 *
 * Replaying a write after a restart needs the API key it was made with: keys are stored in `keys` (one row
 * per key namespace, deleted with its last pending row), in a file created with mode 0600.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * What one queued request does: log metrics, parameters or others (the logging mutations), or add tags and
 * set the start time (the steps that follow a run's creation, queued with it so a failure after the create
 * cannot leave the run without them).
 */
export type WriteKind = 'metric' | 'parameter' | 'other' | 'tags' | 'start' | 'prediction' | 'label';
export const WRITE_KINDS: readonly WriteKind[] = ['metric', 'parameter', 'other', 'tags', 'start', 'prediction', 'label'];

export interface OutboxEntry {
  id: number;
  ns: string;
  experimentKey: string;
  kind: WriteKind;
  values: unknown[];
  attempts: number;
  nextAttemptAt: number;
  /** Its last send failed ambiguously: check what Comet already has before sending it again. */
  ambiguous: boolean;
}

interface EntryRow {
  id: number;
  ns: string;
  experiment_key: string;
  kind: WriteKind;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  ambiguous: number;
}

export const OUTBOX_FILE = 'comet-outbox.db';

/** A dead letter as listed: its request's kind and size, the refusal, and when. */
export interface DeadRow {
  id: number;
  experimentKey: string;
  kind: WriteKind;
  size: number;
  reason: string;
  queuedAt: number;
  failedAt: number;
}

/** How long an ambiguously failed request waits before its check: the lag of Comet's reads is unmeasured [I]. */
export const AMBIGUOUS_SETTLE_MS = 3_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS keys (ns TEXT PRIMARY KEY, api_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ns TEXT NOT NULL,
  experiment_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS entries_lane ON entries (ns, experiment_key, id);
CREATE TABLE IF NOT EXISTS dead (
  id INTEGER PRIMARY KEY,
  ns TEXT NOT NULL,
  experiment_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  failed_at INTEGER NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_by_ns ON dead (ns, id);`;

function toEntry(row: EntryRow): OutboxEntry {
  return {
    id: row.id, ns: row.ns, experimentKey: row.experiment_key, kind: row.kind,
    values: JSON.parse(row.payload) as unknown[], attempts: row.attempts, nextAttemptAt: row.next_attempt_at,
    ambiguous: row.ambiguous === 1,
  };
}

/**
 * The first outbox files limited `kind` to the three logging kinds by a CHECK; SQLite cannot drop a CHECK in
 * place, so the table is copied once into the current shape (kinds are checked in code, WRITE_KINDS).
 */
function dropKindCheck(db: Database.Database): void {
  const sql = db.prepare<[], string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'").pluck().get() ?? '';
  if (!sql.includes('CHECK')) return;
  db.transaction(() => {
    db.exec('ALTER TABLE entries RENAME TO entries_old');
    db.exec('DROP INDEX IF EXISTS entries_lane');
    db.exec(SCHEMA);
    db.exec('ALTER TABLE entries ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0');
    db.exec(`INSERT INTO entries (id, ns, experiment_key, kind, payload, created_at, attempts, next_attempt_at, last_error, ambiguous)
             SELECT id, ns, experiment_key, kind, payload, created_at, attempts, next_attempt_at, last_error, ambiguous FROM entries_old`);
    db.exec('DROP TABLE entries_old');
  })();
}

export class Outbox {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #settleMs: number;

  /**
   * `fileName`: each upstream keeps its own file (the MLflow backend's is `mlflow-outbox.db`).
   * `ambiguousSettleMs`: how long an ambiguous request waits before it is checked (the upstream's read lag).
   */
  constructor(dataDir: string, now: () => number = Date.now, fileName: string = OUTBOX_FILE, ambiguousSettleMs: number = AMBIGUOUS_SETTLE_MS) {
    this.#settleMs = ambiguousSettleMs;
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, fileName);
    const fresh = !existsSync(file);
    this.#db = new Database(file);
    if (fresh) chmodSync(file, 0o600);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    // Added after the first outbox files were written: upgrade them in place.
    const columns = this.#db.prepare<[], { name: string }>('PRAGMA table_info(entries)').all().map((c) => c.name);
    if (!columns.includes('ambiguous')) this.#db.exec('ALTER TABLE entries ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0');
    dropKindCheck(this.#db);
    this.#now = now;
  }

  /**
   * Appends requests to a lane, in order, in one transaction, and returns their ids. `alsoInTransaction`
   * commits with them: an idempotency record must exist exactly when its write is queued (idempotency.ts).
   */
  append(
    ns: string, apiKey: string, experimentKey: string, requests: readonly { kind: WriteKind; values: readonly unknown[] }[],
    alsoInTransaction?: () => void,
  ): number[] {
    const insertKey = this.#db.prepare('INSERT INTO keys (ns, api_key) VALUES (?, ?) ON CONFLICT (ns) DO UPDATE SET api_key = excluded.api_key');
    const insert = this.#db.prepare('INSERT INTO entries (ns, experiment_key, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)');
    return this.#db.transaction(() => {
      insertKey.run(ns, apiKey);
      const now = this.#now();
      const ids = requests.map((r) => Number(insert.run(ns, experimentKey, r.kind, JSON.stringify(r.values), now).lastInsertRowid));
      alsoInTransaction?.();
      return ids;
    })();
  }

  /** The outbox's database, for records that must commit in its transactions (idempotency.ts). */
  get database(): Database.Database {
    return this.#db;
  }

  /** The oldest pending request of a lane. */
  head(ns: string, experimentKey: string): OutboxEntry | null {
    const row = this.#db.prepare<[string, string], EntryRow>(
      'SELECT * FROM entries WHERE ns = ? AND experiment_key = ? ORDER BY id LIMIT 1',
    ).get(ns, experimentKey);
    return row ? toEntry(row) : null;
  }

  laneSize(ns: string, experimentKey: string): number {
    return this.#db.prepare<[string, string], number>('SELECT count(*) FROM entries WHERE ns = ? AND experiment_key = ?').pluck().get(ns, experimentKey) ?? 0;
  }

  /** Lanes with pending requests (after a restart: every lane to drain). */
  lanes(): { ns: string; experimentKey: string }[] {
    return this.#db.prepare<[], { ns: string; experiment_key: string }>('SELECT DISTINCT ns, experiment_key FROM entries ORDER BY ns, experiment_key')
      .all().map((r) => ({ ns: r.ns, experimentKey: r.experiment_key }));
  }

  apiKeyOf(ns: string): string | null {
    return this.#db.prepare<[string], string>('SELECT api_key FROM keys WHERE ns = ?').pluck().get(ns) ?? null;
  }

  /** Done: removes the request (and the key once nothing of it is pending). */
  remove(id: number): void {
    this.#db.transaction(() => {
      const ns = this.#db.prepare<[number], string>('SELECT ns FROM entries WHERE id = ?').pluck().get(id);
      this.#db.prepare('DELETE FROM entries WHERE id = ?').run(id);
      if (ns !== undefined) this.#forgetKeyIfIdle(ns);
    })();
  }

  /** Failed for now: tries again at `nextAttemptAt`. */
  defer(id: number, nextAttemptAt: number, error: string): void {
    this.#db.prepare('UPDATE entries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(nextAttemptAt, error.slice(0, 500), id);
  }

  /**
   * Failed in a way that may have stored it upstream: the next attempt checks before sending, and waits
   * `settleMs` first, since Comet's reads lag its writes (§8 "Latency": third-party code polls after writing).
   */
  markAmbiguous(id: number, settleMs: number = this.#settleMs): void {
    this.#db.prepare('UPDATE entries SET ambiguous = 1, next_attempt_at = max(next_attempt_at, ?) WHERE id = ?').run(this.#now() + settleMs, id);
  }

  /** After the check: only `values` (what Comet does not have yet) remain to send. */
  settleAmbiguous(id: number, values: readonly unknown[]): void {
    this.#db.prepare('UPDATE entries SET ambiguous = 0, payload = ? WHERE id = ?').run(JSON.stringify(values), id);
  }

  /** Refused for good: kept in `dead` with the reason, for an operator to inspect. */
  bury(id: number, error: string): void {
    this.#db.transaction(() => {
      const row = this.#db.prepare<[number], EntryRow & { created_at: number }>('SELECT * FROM entries WHERE id = ?').get(id);
      if (!row) return;
      this.#db.prepare('INSERT INTO dead (id, ns, experiment_key, kind, payload, created_at, failed_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.id, row.ns, row.experiment_key, row.kind, row.payload, row.created_at, this.#now(), error.slice(0, 500));
      this.#db.prepare('DELETE FROM entries WHERE id = ?').run(id);
      this.#forgetKeyIfIdle(row.ns);
    })();
  }

  /** Requests of one key namespace held here, queued or dead: what `TRACKQL_OUTBOX_MAX_PER_KEY` bounds. */
  sizeOf(ns: string): number {
    return this.#db.prepare<[string, string], number>('SELECT (SELECT count(*) FROM entries WHERE ns = ?) + (SELECT count(*) FROM dead WHERE ns = ?)')
      .pluck().get(ns, ns) ?? 0;
  }

  /** Up to `first` dead letters of one key namespace after id `afterId`, oldest first, and how many it has. */
  deadLetters(ns: string, first: number, afterId: number): { rows: DeadRow[]; total: number } {
    const rows = this.#db.prepare<[string, number, number], DeadRow>(
      `SELECT id, experiment_key AS experimentKey, kind, json_array_length(payload) AS size, error AS reason,
              created_at AS queuedAt, failed_at AS failedAt
       FROM dead WHERE ns = ? AND id > ? ORDER BY id LIMIT ?`,
    ).all(ns, afterId, first);
    const total = this.#db.prepare<[string], number>('SELECT count(*) FROM dead WHERE ns = ?').pluck().get(ns) ?? 0;
    return { rows, total };
  }

  /** The experiment of a dead letter of `ns`, or null when `ns` has no letter `id`. */
  deadExperiment(ns: string, id: number): string | null {
    return this.#db.prepare<[string, number], string>('SELECT experiment_key FROM dead WHERE ns = ? AND id = ?').pluck().get(ns, id) ?? null;
  }

  /**
   * Moves dead letter `id` of `ns` back to the tail of its lane, with `alsoInTransaction` (an idempotency
   * record); the new entry's id, or null when `ns` has no letter `id`.
   */
  revive(ns: string, apiKey: string, id: number, alsoInTransaction?: () => void): number | null {
    return this.#db.transaction(() => {
      const row = this.#db.prepare<[string, number], { experiment_key: string; kind: WriteKind; payload: string; created_at: number }>(
        'SELECT experiment_key, kind, payload, created_at FROM dead WHERE ns = ? AND id = ?',
      ).get(ns, id);
      if (!row) return null;
      this.#db.prepare('DELETE FROM dead WHERE id = ?').run(id);
      this.#db.prepare('INSERT INTO keys (ns, api_key) VALUES (?, ?) ON CONFLICT (ns) DO UPDATE SET api_key = excluded.api_key').run(ns, apiKey);
      const entry = this.#db.prepare('INSERT INTO entries (ns, experiment_key, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(ns, row.experiment_key, row.kind, row.payload, row.created_at);
      alsoInTransaction?.();
      return Number(entry.lastInsertRowid);
    })();
  }

  /** Forgets dead letter `id` of `ns`; false when `ns` has no such letter. */
  discard(ns: string, id: number): boolean {
    return this.#db.prepare('DELETE FROM dead WHERE ns = ? AND id = ?').run(ns, id).changes > 0;
  }

  count(): number {
    return this.#db.prepare<[], number>('SELECT count(*) FROM entries').pluck().get() ?? 0;
  }

  deadCount(): number {
    return this.#db.prepare<[], number>('SELECT count(*) FROM dead').pluck().get() ?? 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #forgetKeyIfIdle(ns: string): void {
    const left = this.#db.prepare<[string], number>('SELECT count(*) FROM entries WHERE ns = ?').pluck().get(ns) ?? 0;
    if (left === 0) this.#db.prepare('DELETE FROM keys WHERE ns = ?').run(ns);
  }
}
