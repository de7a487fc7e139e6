/**
 * The notification tables. On the embedded store they live in its own database file (trackql.db), so an
 * event commits in the very transaction of the write that caused it: SQLite in WAL mode does not commit two
 * attached files atomically, so a separate outbox file could keep an event of a rolled-back write or lose
 * the event of a committed one. On Comet they live in `notify.db` in the data dir. Created idempotently at
 * start by every replica (CREATE … IF NOT EXISTS), outside the store's numbered migrations, which stay the
 * store's own.
 */
import type Database from 'better-sqlite3';

export type Db = Database.Database;

export const NOTIFY_DB_FILE = 'notify.db';

export function ensureTables(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS notify_webhooks (
      id TEXT PRIMARY KEY,
      workspace TEXT NOT NULL,
      url TEXT NOT NULL,
      events TEXT NOT NULL,
      description TEXT,
      filter_project TEXT,
      filter_model TEXT,
      active INTEGER NOT NULL,
      secret TEXT NOT NULL,
      previous_secret TEXT,
      previous_until INTEGER,
      created_at INTEGER NOT NULL,
      failing_since INTEGER,
      disabled_reason TEXT
    );
    CREATE INDEX IF NOT EXISTS notify_webhooks_workspace ON notify_webhooks (workspace);
    CREATE TABLE IF NOT EXISTS notify_events (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      workspace TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS notify_deliveries (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      event_id TEXT NOT NULL REFERENCES notify_events (id) ON DELETE CASCADE,
      webhook_id TEXT REFERENCES notify_webhooks (id) ON DELETE CASCADE,
      channel TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
      email_to TEXT,
      status TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED', 'DISABLED')),
      attempts INTEGER NOT NULL DEFAULT 0,
      response_status INTEGER,
      last_error TEXT,
      next_attempt_at INTEGER,
      created_at INTEGER NOT NULL,
      delivered_at INTEGER,
      lease_owner TEXT,
      lease_until INTEGER
    );
    CREATE INDEX IF NOT EXISTS notify_deliveries_due ON notify_deliveries (status, next_attempt_at);
    CREATE INDEX IF NOT EXISTS notify_deliveries_webhook ON notify_deliveries (webhook_id, seq);
    CREATE TABLE IF NOT EXISTS notify_alerts (
      id TEXT PRIMARY KEY,
      workspace TEXT NOT NULL,
      project TEXT NOT NULL,
      metric TEXT NOT NULL,
      aggregate TEXT NOT NULL,
      op TEXT NOT NULL,
      value REAL NOT NULL,
      name TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS notify_alerts_metric ON notify_alerts (metric);
    CREATE TABLE IF NOT EXISTS notify_alert_fired (
      alert_id TEXT NOT NULL REFERENCES notify_alerts (id) ON DELETE CASCADE,
      experiment_key TEXT NOT NULL,
      fired_at INTEGER NOT NULL,
      PRIMARY KEY (alert_id, experiment_key)
    );
  `);
}
