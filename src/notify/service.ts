/**
 * The webhook and alert API behind the resolvers: admin on the workspace for everything, input checked
 * once here, secrets shown once (on create and rotate) and sealed at rest.
 */
import type { Caller } from '../backends/port';
import { BadUserInputError, NotFoundError } from '../errors';
import * as v from '../services/validate';
import type { NotifyConfig } from './config';
import { WEBHOOK_EVENT_NAMES, type WebhookEventName } from './events';
import { enqueueAgain, enqueueEvent, type MetricAlertRow } from './outbox';
import type { Sealer } from './seal';
import { newSecret } from './signer';
import { checkWebhookUrl } from './ssrf';
import type { DeliveryRow, NotifyStore, WebhookRow } from './store';
import type { DeliveryWorker } from './worker';

/** Rejects (FORBIDDEN) unless the caller holds `admin` on the workspace. */
export type RequireAdmin = (caller: Caller, workspace: string) => Promise<void>;

/** How long a rotated-out secret keeps signing. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
const MAX_DESCRIPTION = 500;

export interface CreateWebhookRequest {
  workspace: string;
  url: string;
  events: readonly WebhookEventName[];
  description?: string | null;
  filter?: { project?: string | null; modelName?: string | null } | null;
}

export class NotifyService {
  constructor(
    private readonly store: NotifyStore,
    private readonly config: NotifyConfig,
    private readonly sealer: Sealer,
    private readonly worker: DeliveryWorker,
    private readonly requireAdmin: RequireAdmin,
    private readonly now: () => number = Date.now,
  ) {}

  async createWebhook(caller: Caller, input: CreateWebhookRequest): Promise<{ webhook: WebhookRow; secret: string }> {
    const workspace = v.name(input.workspace, 'workspace');
    await this.requireAdmin(caller, workspace);
    const url = await checkWebhookUrl(input.url, this.config.allowPrivate);
    const secret = newSecret();
    const webhook = this.store.insertWebhook({
      workspace, url, events: events(input.events), description: description(input.description),
      filter_project: v.optionalName(input.filter?.project, 'filter.project'), filter_model: v.optionalName(input.filter?.modelName, 'filter.modelName'),
      active: 1, secret: this.sealer.seal(secret), created_at: this.now(),
    });
    return { webhook, secret };
  }

  async updateWebhook(caller: Caller, input: { id: string; url?: string | null; events?: readonly WebhookEventName[] | null; active?: boolean | null; description?: string | null }): Promise<WebhookRow> {
    const row = await this.#own(caller, input.id);
    this.store.updateWebhook(row.id, {
      url: input.url == null ? undefined : await checkWebhookUrl(input.url, this.config.allowPrivate),
      events: input.events == null ? undefined : events(input.events),
      active: input.active ?? undefined,
      description: input.description === undefined ? undefined : description(input.description),
    });
    return this.store.webhook(row.id) as WebhookRow;
  }

  async rotateSecret(caller: Caller, id: string): Promise<{ webhook: WebhookRow; secret: string }> {
    const row = await this.#own(caller, id);
    const secret = newSecret();
    this.store.rotateSecret(row.id, this.sealer.seal(secret), this.now() + ROTATION_OVERLAP_MS);
    return { webhook: this.store.webhook(row.id) as WebhookRow, secret };
  }

  async deleteWebhook(caller: Caller, id: string): Promise<string> {
    const row = await this.#own(caller, id);
    this.store.deleteWebhook(row.id);
    return row.id;
  }

  /** Queues a `webhook.test` event for this endpoint only and attempts it at once. */
  async testWebhook(caller: Caller, id: string): Promise<DeliveryRow> {
    const row = active(await this.#own(caller, id));
    const db = this.store.db;
    const [deliveryId] = db.transaction(() => enqueueEvent(db, {
      kind: 'WEBHOOK_TEST', workspace: row.workspace, project: null, modelName: null, data: { webhookId: row.id, workspace: row.workspace },
    }, this.now(), row.id)).immediate();
    return this.#attemptNow(deliveryId);
  }

  async redeliver(caller: Caller, deliveryId: string): Promise<DeliveryRow> {
    const found = this.store.delivery(v.name(deliveryId, 'id'));
    if (!found || found.webhook_id === null) throw new NotFoundError(`Webhook delivery '${deliveryId}' does not exist`, { field: 'id' });
    active(await this.#own(caller, found.webhook_id));
    const db = this.store.db;
    const again = db.transaction(() => enqueueAgain(db, found.id, this.now())).immediate() as string;
    return this.#attemptNow(again);
  }

  async #attemptNow(deliveryId: string): Promise<DeliveryRow> {
    await this.worker.runOnce(deliveryId);
    return this.store.delivery(deliveryId) as DeliveryRow;
  }

  async webhooks(caller: Caller, workspace: string): Promise<WebhookRow[]> {
    await this.requireAdmin(caller, workspace);
    return this.store.webhooks(workspace);
  }

  async createAlert(caller: Caller, input: Omit<MetricAlertRow, 'id' | 'created_at'>): Promise<MetricAlertRow> {
    const workspace = v.name(input.workspace, 'workspace');
    await this.requireAdmin(caller, workspace);
    if (!Number.isFinite(input.value)) throw new BadUserInputError('value must be a finite number', { field: 'value' });
    return this.store.insertAlert({
      workspace, project: v.name(input.project, 'project'), metric: v.name(input.metric, 'metric'), aggregate: input.aggregate, op: input.op,
      value: input.value, name: v.optionalName(input.name, 'name'), created_at: this.now(),
    });
  }

  async deleteAlert(caller: Caller, id: string): Promise<string> {
    const alert = this.store.alert(v.name(id, 'id'));
    if (!alert) throw new NotFoundError(`Metric alert '${id}' does not exist`, { field: 'id' });
    await this.requireAdmin(caller, alert.workspace);
    this.store.deleteAlert(alert.id);
    return alert.id;
  }

  async alerts(caller: Caller, workspace: string): Promise<MetricAlertRow[]> {
    await this.requireAdmin(caller, workspace);
    return this.store.alerts(workspace);
  }

  deliveries(webhookId: string, first: number, afterSeq: number) {
    return this.store.deliveries(webhookId, first, afterSeq);
  }

  /** The webhook, once the caller is admin on its workspace; NOT_FOUND (the same for both) otherwise. */
  async #own(caller: Caller, id: string): Promise<WebhookRow> {
    const row = this.store.webhook(v.name(id, 'id'));
    if (!row) throw new NotFoundError(`Webhook '${id}' does not exist`, { field: 'id' });
    await this.requireAdmin(caller, row.workspace);
    return row;
  }
}

/** Sending to a paused or disabled endpoint would only queue a delivery that waits: say so instead. */
function active(row: WebhookRow): WebhookRow {
  if (row.active !== 1) throw new BadUserInputError(`Webhook '${row.id}' is not active: turn it back on with updateWebhook(input: {id, active: true})`, { field: 'id' });
  return row;
}

function events(list: readonly WebhookEventName[]): string {
  if (list.length === 0) throw new BadUserInputError('events must name at least one event', { field: 'events' });
  const bad = list.find((e) => !WEBHOOK_EVENT_NAMES.includes(e));
  if (bad) throw new BadUserInputError(`events holds an unknown event '${bad}'`, { field: 'events' });
  return JSON.stringify([...new Set(list)]);
}

function description(text: string | null | undefined): string | null {
  const clean = v.optionalText(text, 'description');
  if (clean !== null && clean !== undefined && clean.length > MAX_DESCRIPTION) throw new BadUserInputError(`description must be at most ${MAX_DESCRIPTION} characters`, { field: 'description' });
  return clean ?? null;
}
