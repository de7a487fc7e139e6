/**
 * Putting events into the outbox: one event row and one delivery per subscribed endpoint (plus email), on
 * whatever connection holds the open transaction (the store's own during a write, see
 * backends/shared/write-effects.ts). Nothing here sends: the worker (worker.ts) does, later.
 */
import { randomUUID } from 'node:crypto';
import type { MetricPointInput } from '../backends/port';
import { envelope, type NotifyEvent } from './events';
import type { Db } from './tables';

export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  attachments: { filename: string; contentBase64: string }[];
}

export interface MetricAlertRow {
  id: string;
  workspace: string;
  project: string;
  metric: string;
  aggregate: 'LAST' | 'MIN' | 'MAX';
  op: 'EQ' | 'NE' | 'LT' | 'LTE' | 'GT' | 'GTE';
  value: number;
  name: string | null;
  created_at: number;
}

export const newId = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '')}`;

/** Webhooks of the workspace that take this event kind and whose filter matches. */
function subscribers(db: Db, event: NotifyEvent): string[] {
  const rows = db.prepare(
    `SELECT id, events, filter_project, filter_model FROM notify_webhooks WHERE workspace = ? AND active = 1`,
  ).all(event.workspace) as { id: string; events: string; filter_project: string | null; filter_model: string | null }[];
  return rows.filter((w) => (JSON.parse(w.events) as string[]).includes(event.kind)
    && (w.filter_project === null || w.filter_project === event.project)
    && (w.filter_model === null || w.filter_model === event.modelName)).map((w) => w.id);
}

function insertEvent(db: Db, kind: string, workspace: string, body: string, now: number): string {
  const id = newId('msg');
  db.prepare('INSERT INTO notify_events (id, kind, workspace, body, created_at) VALUES (?, ?, ?, ?, ?)').run(id, kind, workspace, body, now);
  return id;
}

function insertDelivery(db: Db, eventId: string, webhookId: string | null, emailTo: string | null, now: number): string {
  const id = newId('dlv');
  db.prepare(
    `INSERT INTO notify_deliveries (id, event_id, webhook_id, channel, email_to, status, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)`,
  ).run(id, eventId, webhookId, webhookId === null ? 'email' : 'webhook', emailTo, now, now);
  return id;
}

/**
 * Queues `event` for every subscribed webhook (or only `onlyWebhook`, for testWebhook). Returns the delivery
 * ids; none, and no event row, when nobody subscribes.
 */
export function enqueueEvent(db: Db, event: NotifyEvent, now: number, onlyWebhook?: string): string[] {
  const targets = onlyWebhook ? [onlyWebhook] : subscribers(db, event);
  if (targets.length === 0) return [];
  const eventId = insertEvent(db, event.kind, event.workspace, envelope(event, now), now);
  return targets.map((webhookId) => insertDelivery(db, eventId, webhookId, null, now));
}

/** Queues one email (the end-of-run summary); attachments travel in the outbox, so no credential is kept. */
export function enqueueEmail(db: Db, workspace: string, message: EmailMessage, now: number): string {
  const eventId = insertEvent(db, 'EMAIL', workspace, JSON.stringify(message), now);
  return insertDelivery(db, eventId, null, message.to.join(', '), now);
}

/** A new delivery of an existing event to the same endpoint (redeliverWebhook): same body, same webhook-id. */
export function enqueueAgain(db: Db, deliveryId: string, now: number): string | null {
  const row = db.prepare('SELECT event_id, webhook_id, email_to FROM notify_deliveries WHERE id = ?').get(deliveryId) as
    { event_id: string; webhook_id: string | null; email_to: string | null } | undefined;
  return row ? insertDelivery(db, row.event_id, row.webhook_id, row.email_to, now) : null;
}

export function alertsFor(db: Db, metrics: readonly string[]): MetricAlertRow[] {
  if (metrics.length === 0) return [];
  const marks = metrics.map(() => '?').join(', ');
  return db.prepare(`SELECT * FROM notify_alerts WHERE metric IN (${marks})`).all(...metrics) as MetricAlertRow[];
}

/** The batch's figure for an alert's aggregate: a write moves the summary by exactly these values. */
export function batchFigure(points: readonly MetricPointInput[], aggregate: MetricAlertRow['aggregate']): { value: number; step: number } | null {
  let pick: MetricPointInput | null = null;
  for (const p of points) {
    if (Number.isNaN(p.value)) continue;
    if (pick === null) pick = p;
    else if (aggregate === 'MIN' ? p.value < pick.value : aggregate === 'MAX' ? p.value > pick.value : (p.step > pick.step || (p.step === pick.step && (p.timestamp ?? 0) >= (pick.timestamp ?? 0)))) pick = p;
  }
  return pick && { value: pick.value, step: pick.step };
}

export function crosses(value: number, op: MetricAlertRow['op'], threshold: number): boolean {
  switch (op) {
    case 'EQ': return value === threshold;
    case 'NE': return value !== threshold;
    case 'LT': return value < threshold;
    case 'LTE': return value <= threshold;
    case 'GT': return value > threshold;
    case 'GTE': return value >= threshold;
  }
}

/** Records that `alert` fired for the run; false when it had fired already (once per run). */
export function markFired(db: Db, alertId: string, experimentKey: string, now: number): boolean {
  return db.prepare('INSERT OR IGNORE INTO notify_alert_fired (alert_id, experiment_key, fired_at) VALUES (?, ?, ?)').run(alertId, experimentKey, now).changes === 1;
}
