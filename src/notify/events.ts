/**
 * The events webhooks can subscribe to, their names on the wire (Standard Webhooks `type`, in line with
 * MLflow's entity.action names) and the envelope every delivery carries. Payloads are thin: ids, names,
 * status, a link and, for run events, final metric summaries; receivers read the rest through the API.
 */
export type WebhookEventName =
  | 'EXPERIMENT_CREATED' | 'EXPERIMENT_ENDED' | 'MODEL_VERSION_CREATED' | 'MODEL_VERSION_UPDATED'
  | 'MODEL_VERSION_ALIAS_SET' | 'MODEL_VERSION_ALIAS_REMOVED' | 'METRIC_ALERT';

export const WEBHOOK_EVENT_NAMES: readonly WebhookEventName[] = [
  'EXPERIMENT_CREATED', 'EXPERIMENT_ENDED', 'MODEL_VERSION_CREATED', 'MODEL_VERSION_UPDATED',
  'MODEL_VERSION_ALIAS_SET', 'MODEL_VERSION_ALIAS_REMOVED', 'METRIC_ALERT',
];

/** `type` of the body for each event; `webhook.test` is sent by testWebhook only. */
export const WIRE_TYPE: Record<WebhookEventName | 'WEBHOOK_TEST', string> = {
  EXPERIMENT_CREATED: 'experiment.created',
  EXPERIMENT_ENDED: 'experiment.ended',
  MODEL_VERSION_CREATED: 'model_version.created',
  MODEL_VERSION_UPDATED: 'model_version.updated',
  MODEL_VERSION_ALIAS_SET: 'model_version.alias_set',
  MODEL_VERSION_ALIAS_REMOVED: 'model_version.alias_removed',
  METRIC_ALERT: 'metric.alert',
  WEBHOOK_TEST: 'webhook.test',
};

export type EventKind = WebhookEventName | 'WEBHOOK_TEST';

/** One event before fan-out: what it is, where it happened (for subscriptions and filters), its data. */
export interface NotifyEvent {
  kind: EventKind;
  workspace: string;
  /** For webhook filters: the project (run events) or the registered model (registry events). */
  project: string | null;
  modelName: string | null;
  data: Record<string, unknown>;
}

/** The body sent, byte for byte the same on every attempt (the signature covers it). */
export function envelope(event: NotifyEvent, at: number): string {
  return JSON.stringify({ type: WIRE_TYPE[event.kind], timestamp: new Date(at).toISOString(), data: event.data });
}

/** Metric summary fields carried by run events (finite numbers only: JSON has no NaN). */
export function summaryData(s: { name: string; last: number; min: number; max: number; lastStep: number | null }): Record<string, unknown> {
  const num = (n: number): number | string => (Number.isFinite(n) ? n : String(n));
  return { name: s.name, last: num(s.last), min: num(s.min), max: num(s.max), lastStep: s.lastStep };
}
