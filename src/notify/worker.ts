/**
 * The delivery worker: every `pollMs` it leases due deliveries from the outbox, sends each, and settles the
 * outcome. Retries follow the configured schedule with ±20 % jitter, never earlier than a `Retry-After`;
 * past the schedule a delivery is FAILED. A 410, or an endpoint failing for `disableAfterMs`, disables the
 * endpoint. A lease outlives one attempt's deadline, so a replica that dies mid-send (SIGKILL) leaves the
 * delivery to whichever replica looks next once the lease ends: at least once, with the same webhook-id.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger';
import type { NotifyConfig } from './config';
import { WIRE_TYPE } from './events';
import type { EmailMessage } from './outbox';
import type { Sealer } from './seal';
import type { AttemptResult, EmailSender, WebhookSender } from './sender';
import type { ClaimedDelivery, DeliveryStatus, NotifyStore } from './store';

const BATCH = 20;
const JITTER = 0.2;
/** A `Retry-After` is honoured up to a day: an endpoint cannot park a delivery for longer. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;
/** Settled deliveries are kept this long for the history (`Webhook.deliveries`), then pruned hourly. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;

export interface DeliveryObserver {
  /** One settled attempt: the event's wire type and the delivery's status after it (or `retry`). */
  attempt(event: string, status: DeliveryStatus | 'RETRY'): void;
}

export class DeliveryWorker {
  readonly #owner = `w_${process.pid}_${randomUUID().slice(0, 8)}`;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  #prunedAt = 0;
  /** Aborts attempts in flight at shutdown; their deliveries go back to the outbox as they were. */
  readonly #stopping = new AbortController();

  constructor(
    private readonly store: NotifyStore,
    private readonly config: NotifyConfig,
    private readonly sealer: Sealer,
    private readonly webhooks: WebhookSender,
    private readonly email: EmailSender,
    private readonly logger: Logger,
    private readonly observer: DeliveryObserver,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    const tick = (): void => {
      if (this.#stopped) return;
      this.#running = this.runOnce().catch((error: unknown) => this.logger.error('webhook delivery pass failed', { error })).finally(() => {
        this.#running = null;
        if (!this.#stopped) this.#timer = setTimeout(tick, this.config.pollMs);
      });
    };
    this.#timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#stopping.abort();
    await this.#running;
  }

  /** Delivers what is due now; with `onlyId`, just that delivery (testWebhook, redeliverWebhook). */
  async runOnce(onlyId?: string): Promise<void> {
    const now = this.now();
    if (!onlyId && now - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      this.store.prune(now - DELIVERY_RETENTION_MS);
    }
    // The lease covers the attempt's deadline twice over (connect, then response) plus a second to settle it.
    const claimed = this.store.claim(this.#owner, now, now + this.config.timeoutMs * 2 + 1000, BATCH, onlyId);
    await Promise.all(claimed.map((d) => this.#deliver(d)));
  }

  async #deliver(d: ClaimedDelivery): Promise<void> {
    const now = this.now();
    const result = d.channel === 'email'
      ? await this.email.send(JSON.parse(d.body) as EmailMessage)
      : await this.webhooks.send(d.url ?? '', this.#secrets(d, now), d.event_id, d.body, now, this.#stopping.signal);
    if (this.#stopping.signal.aborted && result.kind === 'failed') return this.store.release(this.#owner, d.seq);
    this.#settle(d, result);
  }

  #secrets(d: ClaimedDelivery, now: number): string[] {
    const secrets = [this.sealer.open(d.secret ?? '')];
    if (d.previous_secret && (d.previous_until ?? 0) > now) secrets.push(this.sealer.open(d.previous_secret));
    return secrets;
  }

  #settle(d: ClaimedDelivery, result: AttemptResult): void {
    const now = this.now();
    const event = d.kind === 'EMAIL' ? 'email' : WIRE_TYPE[d.kind];
    if (result.kind === 'delivered') {
      this.store.settle(this.#owner, d.seq, { status: 'DELIVERED', responseStatus: result.status, error: null, nextAttemptAt: null, now });
      if (d.webhook_id) this.store.webhookSucceeded(d.webhook_id);
      this.observer.attempt(event, 'DELIVERED');
      return;
    }
    if (result.kind === 'gone') {
      this.store.settle(this.#owner, d.seq, { status: 'DISABLED', responseStatus: 410, error: 'HTTP 410: endpoint gone', nextAttemptAt: null, now });
      if (d.webhook_id) this.store.disableWebhook(d.webhook_id, 'the endpoint answered 410 Gone');
      this.logger.warn('webhook disabled: the endpoint answered 410', { webhookId: d.webhook_id });
      this.observer.attempt(event, 'DISABLED');
      return;
    }
    const attempts = d.attempts + 1;
    const schedule = this.config.retryScheduleMs;
    const failingSince = d.webhook_id ? this.store.webhookFailed(d.webhook_id, now) : now;
    if (d.webhook_id && now - failingSince >= this.config.disableAfterMs) {
      this.store.settle(this.#owner, d.seq, { status: 'DISABLED', responseStatus: result.status, error: result.error, nextAttemptAt: null, now });
      this.store.disableWebhook(d.webhook_id, 'the endpoint has failed every attempt for too long');
      this.logger.warn('webhook disabled after failing too long', { webhookId: d.webhook_id });
      this.observer.attempt(event, 'DISABLED');
      return;
    }
    if (attempts > schedule.length) {
      this.store.settle(this.#owner, d.seq, { status: 'FAILED', responseStatus: result.status, error: result.error, nextAttemptAt: null, now });
      this.observer.attempt(event, 'FAILED');
      return;
    }
    const base = schedule[attempts - 1];
    const jittered = Math.round(base * (1 - JITTER + Math.random() * 2 * JITTER));
    const delay = Math.max(jittered, Math.min(result.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    this.store.settle(this.#owner, d.seq, { status: 'PENDING', responseStatus: result.status, error: result.error, nextAttemptAt: now + delay, now });
    this.logger.info('webhook delivery failed, will retry', { deliveryId: d.id, attempts, error: result.error, retryInMs: delay });
    this.observer.attempt(event, 'RETRY');
  }
}
