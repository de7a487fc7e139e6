/**
 * What the write services call: each wraps one port write so that the events it causes go into the outbox
 * in the write's own transaction (embedded store) or right after it (Comet). Events nobody subscribes to
 * cost one indexed lookup and no read. A failed write queues nothing; an idempotent replay queues nothing
 * again.
 */
import type { Backend, Caller, Experiment, MetricPointInput, MetricSummary, ModelVersion, RegisteredModel, WriteStatus } from '../backends/port';
import { withWriteEffect, type WriteEffect } from '../backends/shared/write-effects';
import { summaryData, type EventKind, type NotifyEvent } from './events';
import { alertsFor, batchFigure, crosses, enqueueEmail, enqueueEvent, markFired, type EmailMessage } from './outbox';
import type { Logger } from '../observability/logger';
import type { NotifyStore } from './store';
import type { Db } from './tables';

/** Effects of one write: given the database and the write's result, queue what it caused. */
type Effects<R> = (db: Db, result: R, now: number) => void;

export interface EndNotice {
  /** Builds the email from the ended experiment (null: no email requested). */
  email: ((experiment: Experiment, summaries: readonly MetricSummary[]) => EmailMessage) | null;
}

export class Notifier {
  constructor(
    private readonly store: NotifyStore,
    private readonly backend: Backend,
    /** TRACKQL_SMTP_URL is set: `notify` on endExperiment is accepted. */
    readonly emailConfigured: boolean,
    private readonly logger: Pick<Logger, 'error'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `write` with `effects` committed with it, or right after it when the backend has no transactions. */
  async #within<R>(effects: Effects<R> | null, write: () => Promise<R>, replayed: () => boolean): Promise<R> {
    if (effects === null) return write();
    const effect: WriteEffect<R> = { ran: false, run: (db, result) => effects(db, result, this.now()) };
    const result = await withWriteEffect(effect, write);
    if (!effect.ran && !replayed()) {
      // The write has succeeded upstream: failing the call now would invite a retry that writes twice.
      try {
        const db = this.store.db;
        db.transaction(() => effects(db, result, this.now())).immediate();
      } catch (error) {
        this.logger.error('an event of a successful write could not be queued', { error });
      }
    }
    return result;
  }

  #wants(kind: EventKind): boolean {
    return this.store.anyWebhookFor(kind);
  }

  experimentCreated(write: () => Promise<Experiment>, replayed: () => boolean): Promise<Experiment> {
    if (!this.#wants('EXPERIMENT_CREATED')) return write();
    return this.#within((db, e, now) => void enqueueEvent(db, runEvent('EXPERIMENT_CREATED', e, null), now), write, replayed);
  }

  /** Reads the run and its final summaries first (only when someone listens): the payload carries them. */
  async experimentEnded(caller: Caller, key: string, notice: EndNotice, write: () => Promise<Experiment>, replayed: () => boolean): Promise<Experiment> {
    const webhooks = this.#wants('EXPERIMENT_ENDED');
    if (!webhooks && notice.email === null) return write();
    const summaries = await this.#summaries(caller, key);
    return this.#within((db, e, now) => {
      if (webhooks) enqueueEvent(db, runEvent('EXPERIMENT_ENDED', e, summaries), now);
      if (notice.email) enqueueEmail(db, e.workspace, notice.email(e, summaries), now);
    }, write, replayed);
  }

  async #summaries(caller: Caller, key: string): Promise<MetricSummary[]> {
    try {
      const [row] = await this.backend.metrics.summaries(caller, [key]);
      return row instanceof Error ? [] : row;
    } catch {
      return []; // the payload loses its summaries; the write and its event go on
    }
  }

  /** Evaluates the metric alerts watching these points' metrics, once per run each. */
  async metricsLogged(caller: Caller, key: string, points: readonly MetricPointInput[], write: () => Promise<WriteStatus>, replayed: () => boolean): Promise<WriteStatus> {
    const names = [...new Set(points.map((p) => p.name))];
    if (!this.store.watches(names)) return write();
    const [experiment] = await this.backend.experiments.get(caller, [key]).catch(() => [null]);
    if (!experiment || experiment instanceof Error) return write(); // the write reports the missing run itself
    return this.#within((db, _status, now) => {
      for (const alert of alertsFor(db, names)) {
        if (alert.workspace !== experiment.workspace || alert.project !== experiment.project) continue;
        const figure = batchFigure(points.filter((p) => p.name === alert.metric), alert.aggregate);
        if (!figure || !crosses(figure.value, alert.op, alert.value) || !markFired(db, alert.id, key, now)) continue;
        enqueueEvent(db, {
          kind: 'METRIC_ALERT', workspace: experiment.workspace, project: experiment.project, modelName: null,
          data: {
            alertId: alert.id, alertName: alert.name, experimentKey: key, experimentName: experiment.name, workspace: experiment.workspace,
            project: experiment.project, metric: alert.metric, aggregate: alert.aggregate, op: alert.op, threshold: alert.value,
            value: Number.isFinite(figure.value) ? figure.value : String(figure.value), step: figure.step, url: experiment.url ?? null,
          },
        }, now);
      }
    }, write, replayed);
  }

  modelRegistered(write: () => Promise<{ model: RegisteredModel; versions: ModelVersion[] }>, replayed: () => boolean) {
    if (!this.#wants('MODEL_VERSION_CREATED')) return write();
    return this.#within((db, r: { model: RegisteredModel; versions: ModelVersion[] }, now) => {
      for (const v of r.versions) enqueueEvent(db, versionEvent('MODEL_VERSION_CREATED', v, {}), now);
    }, write, replayed);
  }

  modelVersionUpdated(added: readonly string[], removed: readonly string[], write: () => Promise<ModelVersion>, replayed: () => boolean) {
    const kinds: EventKind[] = ['MODEL_VERSION_UPDATED', 'MODEL_VERSION_ALIAS_SET', 'MODEL_VERSION_ALIAS_REMOVED'];
    if (!kinds.some((k) => this.#wants(k))) return write();
    return this.#within((db, v: ModelVersion, now) => {
      enqueueEvent(db, versionEvent('MODEL_VERSION_UPDATED', v, {}), now);
      for (const alias of added) enqueueEvent(db, versionEvent('MODEL_VERSION_ALIAS_SET', v, { alias }), now);
      for (const alias of removed) enqueueEvent(db, versionEvent('MODEL_VERSION_ALIAS_REMOVED', v, { alias }), now);
    }, write, replayed);
  }
}

function runEvent(kind: 'EXPERIMENT_CREATED' | 'EXPERIMENT_ENDED', e: Experiment, summaries: MetricSummary[] | null): NotifyEvent {
  const data: Record<string, unknown> = {
    experimentKey: e.key, name: e.name, workspace: e.workspace, project: e.project, status: e.status,
    startedAt: iso(e.startedAt), endedAt: iso(e.endedAt), url: e.url ?? null,
  };
  if (e.startedAt !== null && e.endedAt !== null) data.durationMs = e.endedAt - e.startedAt;
  if (summaries) data.metrics = summaries.map(summaryData);
  return { kind, workspace: e.workspace, project: e.project, modelName: null, data };
}

function versionEvent(kind: EventKind, v: ModelVersion, extra: Record<string, unknown>): NotifyEvent {
  return {
    kind, workspace: v.workspace, project: null, modelName: v.modelName,
    data: {
      workspace: v.workspace, modelName: v.modelName, version: v.version, stage: v.stage, status: v.status,
      aliases: v.aliases, tags: v.tags, experimentKey: v.experimentKey, ...extra,
    },
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
