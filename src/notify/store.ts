/**
 * The notification store on its own connection: webhooks and alerts (CRUD), delivery history, and the
 * worker's lease. A lease is a row update in the shared file (SQLite serialises writers across processes),
 * so replicas on one data dir never hold the same delivery at once.
 */
import Database from 'better-sqlite3';
import type { EventKind } from './events';
import { type MetricAlertRow, newId } from './outbox';
import { ensureTables, type Db } from './tables';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'DISABLED';

export interface WebhookRow {
  id: string;
  workspace: string;
  url: string;
  events: string;
  description: string | null;
  filter_project: string | null;
  filter_model: string | null;
  active: number;
  secret: string;
  previous_secret: string | null;
  previous_until: number | null;
  created_at: number;
  failing_since: number | null;
  disabled_reason: string | null;
}

export interface DeliveryRow {
  seq: number;
  id: string;
  event_id: string;
  webhook_id: string | null;
  channel: 'webhook' | 'email';
  email_to: string | null;
  status: DeliveryStatus;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  created_at: number;
  delivered_at: number | null;
  kind: EventKind | 'EMAIL';
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery extends DeliveryRow {
  body: string;
  url: string | null;
  secret: string | null;
  previous_secret: string | null;
  previous_until: number | null;
}

const DELIVERY_COLUMNS = `d.seq, d.id, d.event_id, d.webhook_id, d.channel, d.email_to, d.status, d.attempts, d.response_status,
  d.last_error, d.next_attempt_at, d.created_at, d.delivered_at, e.kind`;

export class NotifyStore {
  readonly db: Db;
  // Asked on every write (logMetrics included): prepared once.
  readonly #watches: Database.Statement<[string]>;
  readonly #anyWebhookFor: Database.Statement<[string]>;

  constructor(file: string) {
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    ensureTables(this.db);
    this.#watches = this.db.prepare('SELECT 1 FROM notify_alerts WHERE metric IN (SELECT value FROM json_each(?)) LIMIT 1');
    this.#anyWebhookFor = this.db.prepare('SELECT 1 FROM notify_webhooks WHERE active = 1 AND events LIKE ? LIMIT 1');
  }

  close(): void {
    this.db.close();
  }

  insertWebhook(row: Omit<WebhookRow, 'id' | 'failing_since' | 'disabled_reason' | 'previous_secret' | 'previous_until'>): WebhookRow {
    const id = newId('wh');
    this.db.prepare(
      `INSERT INTO notify_webhooks (id, workspace, url, events, description, filter_project, filter_model, active, secret, created_at)
       VALUES (@id, @workspace, @url, @events, @description, @filter_project, @filter_model, @active, @secret, @created_at)`,
    ).run({ ...row, id });
    return this.webhook(id) as WebhookRow;
  }

  webhook(id: string): WebhookRow | null {
    return (this.db.prepare('SELECT * FROM notify_webhooks WHERE id = ?').get(id) as WebhookRow | undefined) ?? null;
  }

  webhooks(workspace: string): WebhookRow[] {
    return this.db.prepare('SELECT * FROM notify_webhooks WHERE workspace = ? ORDER BY created_at, id').all(workspace) as WebhookRow[];
  }

  /** Applies the given fields; re-activating clears the failure streak. */
  updateWebhook(id: string, fields: { url?: string; events?: string; active?: boolean; description?: string | null }): void {
    const row = this.webhook(id);
    if (!row) return;
    const active = fields.active === undefined ? row.active : fields.active ? 1 : 0;
    const revived = active === 1 && row.active === 0;
    this.db.prepare(
      `UPDATE notify_webhooks SET url = ?, events = ?, active = ?, description = ?,
         failing_since = CASE WHEN ? THEN NULL ELSE failing_since END, disabled_reason = CASE WHEN ? THEN NULL ELSE disabled_reason END
       WHERE id = ?`,
    ).run(fields.url ?? row.url, fields.events ?? row.events, active, fields.description === undefined ? row.description : fields.description, revived ? 1 : 0, revived ? 1 : 0, id);
  }

  rotateSecret(id: string, sealedNew: string, previousUntil: number): void {
    this.db.prepare('UPDATE notify_webhooks SET previous_secret = secret, previous_until = ?, secret = ? WHERE id = ?').run(previousUntil, sealedNew, id);
  }

  deleteWebhook(id: string): boolean {
    return this.db.prepare('DELETE FROM notify_webhooks WHERE id = ?').run(id).changes === 1;
  }

  deliveries(webhookId: string, first: number, afterSeq: number): { rows: DeliveryRow[]; total: number; hasPrevious: boolean } {
    const rows = this.db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id
       WHERE d.webhook_id = ? AND d.seq < ? ORDER BY d.seq DESC LIMIT ?`,
    ).all(webhookId, afterSeq, first + 1) as DeliveryRow[];
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM notify_deliveries WHERE webhook_id = ?').get(webhookId) as { n: number }).n;
    return { rows, total, hasPrevious: afterSeq !== Number.MAX_SAFE_INTEGER };
  }

  delivery(id: string): (DeliveryRow & { workspace: string }) | null {
    return (this.db.prepare(
      `SELECT ${DELIVERY_COLUMNS}, e.workspace FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id WHERE d.id = ?`,
    ).get(id) as (DeliveryRow & { workspace: string }) | undefined) ?? null;
  }

  insertAlert(row: Omit<MetricAlertRow, 'id'>): MetricAlertRow {
    const id = newId('alert');
    this.db.prepare(
      `INSERT INTO notify_alerts (id, workspace, project, metric, aggregate, op, value, name, created_at)
       VALUES (@id, @workspace, @project, @metric, @aggregate, @op, @value, @name, @created_at)`,
    ).run({ ...row, id });
    return { ...row, id };
  }

  alert(id: string): MetricAlertRow | null {
    return (this.db.prepare('SELECT * FROM notify_alerts WHERE id = ?').get(id) as MetricAlertRow | undefined) ?? null;
  }

  alerts(workspace: string): MetricAlertRow[] {
    return this.db.prepare('SELECT * FROM notify_alerts WHERE workspace = ? ORDER BY created_at, id').all(workspace) as MetricAlertRow[];
  }

  /** Whether any alert watches one of `metrics` (a cheap check before a write reads the experiment). */
  watches(metrics: readonly string[]): boolean {
    return metrics.length > 0 && this.#watches.get(JSON.stringify(metrics)) !== undefined;
  }

  /** Whether any active webhook of any workspace takes `kind` (spares reads for events nobody wants). */
  anyWebhookFor(kind: EventKind): boolean {
    return this.#anyWebhookFor.get(`%"${kind}"%`) !== undefined;
  }

  deleteAlert(id: string): boolean {
    return this.db.prepare('DELETE FROM notify_alerts WHERE id = ?').run(id).changes === 1;
  }

  /**
   * Leases up to `limit` due deliveries (or the one named) to `owner` until `until`. Deliveries of a
   * disabled or paused endpoint wait. One statement: two replicas never lease the same row.
   */
  claim(owner: string, now: number, until: number, limit: number, onlyId?: string): ClaimedDelivery[] {
    return this.db.transaction(() => {
      const seqs = this.db.prepare(
        `UPDATE notify_deliveries SET lease_owner = @owner, lease_until = @until
         WHERE seq IN (
           SELECT d.seq FROM notify_deliveries d LEFT JOIN notify_webhooks w ON w.id = d.webhook_id
           WHERE d.status = 'PENDING' AND (@only IS NOT NULL AND d.id = @only OR @only IS NULL AND d.next_attempt_at <= @now)
             AND (d.lease_until IS NULL OR d.lease_until < @now) AND (d.channel = 'email' OR w.active = 1)
           ORDER BY d.next_attempt_at LIMIT @limit)
         RETURNING seq`,
      ).all({ owner, until, now, limit, only: onlyId ?? null }) as { seq: number }[];
      if (seqs.length === 0) return [];
      return this.db.prepare(
        `SELECT ${DELIVERY_COLUMNS}, e.body, w.url, w.secret, w.previous_secret, w.previous_until
         FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id LEFT JOIN notify_webhooks w ON w.id = d.webhook_id
         WHERE d.seq IN (${seqs.map(() => '?').join(', ')}) ORDER BY d.next_attempt_at`,
      ).all(...seqs.map((s) => s.seq)) as ClaimedDelivery[];
    }).immediate();
  }

  /** Records an attempt's outcome, only while `owner` still holds the lease. */
  settle(owner: string, seq: number, outcome: {
    status: DeliveryStatus; responseStatus: number | null; error: string | null; nextAttemptAt: number | null; now: number;
  }): boolean {
    return this.db.prepare(
      `UPDATE notify_deliveries SET status = @status, attempts = attempts + 1, response_status = @responseStatus, last_error = @error,
         next_attempt_at = @nextAttemptAt, delivered_at = CASE WHEN @status = 'DELIVERED' THEN @now ELSE delivered_at END,
         lease_owner = NULL, lease_until = NULL
       WHERE seq = @seq AND lease_owner = @owner`,
    ).run({ ...outcome, seq, owner }).changes === 1;
  }

  /** Gives a delivery back unattempted (shutdown): the next worker may take it at once. */
  release(owner: string, seq: number): void {
    this.db.prepare('UPDATE notify_deliveries SET lease_owner = NULL, lease_until = NULL WHERE seq = ? AND lease_owner = ?').run(seq, owner);
  }

  /** An endpoint answered 2xx: its failure streak ends. */
  webhookSucceeded(id: string): void {
    this.db.prepare('UPDATE notify_webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL').run(id);
  }

  /** An endpoint failed: returns since when it has been failing without a success. */
  webhookFailed(id: string, now: number): number {
    this.db.prepare('UPDATE notify_webhooks SET failing_since = COALESCE(failing_since, ?) WHERE id = ?').run(now, id);
    return (this.db.prepare('SELECT failing_since FROM notify_webhooks WHERE id = ?').get(id) as { failing_since: number } | undefined)?.failing_since ?? now;
  }

  /** Turns an endpoint off and marks its waiting deliveries DISABLED. */
  disableWebhook(id: string, reason: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE notify_webhooks SET active = 0, disabled_reason = ? WHERE id = ?').run(reason, id);
      this.db.prepare(`UPDATE notify_deliveries SET status = 'DISABLED', lease_owner = NULL, lease_until = NULL WHERE webhook_id = ? AND status = 'PENDING'`).run(id);
    }).immediate();
  }

  /** Forgets deliveries settled (delivered, failed, disabled) before `before`, and events left with none. */
  prune(before: number): number {
    return this.db.transaction(() => {
      const gone = this.db.prepare(
        `DELETE FROM notify_deliveries WHERE status != 'PENDING' AND COALESCE(delivered_at, next_attempt_at, created_at) < ?`,
      ).run(before).changes;
      this.db.prepare('DELETE FROM notify_events WHERE NOT EXISTS (SELECT 1 FROM notify_deliveries d WHERE d.event_id = notify_events.id)').run();
      return gone;
    }).immediate();
  }

  /** Creation time of the oldest waiting delivery, or null. */
  oldestPendingAt(): number | null {
    return (this.db.prepare(`SELECT MIN(created_at) AS t FROM notify_deliveries WHERE status = 'PENDING'`).get() as { t: number | null }).t;
  }
}
