/**
 * Webhooks, metric alerts and end-of-run email, composed: the store (in the embedded store's own file, or
 * `notify.db` beside the Comet outbox), the sealer, the senders, the worker, the API service and the
 * notifier the write services call. See docs/webhooks.md.
 */
import path from 'node:path';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Backend, Caller } from '../backends/port';
import type { Config } from '../config';
import { ForbiddenError } from '../errors';
import type { Logger } from '../observability/logger';
import { Notifier } from './notifier';
import { loadSealer } from './seal';
import { EmailSender, WebhookSender } from './sender';
import { NotifyService, type RequireAdmin } from './service';
import { NotifyStore } from './store';
import { NOTIFY_DB_FILE } from './tables';
import { DeliveryWorker } from './worker';

export interface Notify {
  readonly service: NotifyService;
  readonly notifier: Notifier;
  close(): Promise<void>;
}

/** The embedded store's file (events commit with writes) or a file of its own (Comet). */
function storeFile(config: Config): string {
  return path.join(config.dataDir, config.backend === 'sqlite' ? 'trackql.db' : NOTIFY_DB_FILE);
}

/**
 * On Comet, the gateway cannot see Comet's roles: a key may manage the hooks of a workspace Comet shows it.
 * The embedded store passes its own check (admin on the workspace).
 */
export function cometWorkspaceCheck(backend: Backend): RequireAdmin {
  return async (caller: Caller, workspace: string) => {
    const [found] = await backend.projects.getWorkspaces(caller, [workspace]);
    if (!found || found instanceof Error) throw new ForbiddenError(`The API key cannot manage webhooks of workspace '${workspace}'`);
  };
}

export function createNotify(config: Config, backend: Backend, requireAdmin: RequireAdmin, logger: Logger, registry: Registry): Notify {
  const store = new NotifyStore(storeFile(config));
  const sealer = loadSealer(config.notify.sealingKey, config.dataDir);
  const webhooks = new WebhookSender(config.notify.timeoutMs, config.notify.allowPrivate);
  const email = new EmailSender(config.notify.smtpUrl, config.notify.smtpFrom, config.notify.timeoutMs);
  const attempts = new Counter({
    name: 'trackql_webhook_deliveries_total',
    help: 'Delivery attempts of webhooks and emails, by event type and the delivery status after the attempt (RETRY: failed, will retry).',
    labelNames: ['event', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'trackql_webhook_oldest_pending_seconds',
    help: 'Age of the oldest delivery waiting in the outbox, in seconds (0 when none waits).',
    registers: [registry],
    collect() {
      const oldest = store.oldestPendingAt();
      this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    },
  });
  const worker = new DeliveryWorker(store, config.notify, sealer, webhooks, email, logger, { attempt: (event, status) => attempts.inc({ event, status }) });
  worker.start();
  return {
    service: new NotifyService(store, config.notify, sealer, worker, requireAdmin),
    notifier: new Notifier(store, backend, email.configured, logger),
    async close() {
      await worker.stop();
      await webhooks.close();
      email.close();
      store.close();
    },
  };
}
