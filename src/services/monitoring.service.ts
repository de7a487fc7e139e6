/**
 * Logging predictions, labels and reference data: the whole call validated first (events and columns, limits,
 * flat scalar values, timestamps), then one write through the port, stored whole or not at all.
 */
import type {
  Backend, Caller, FeatureValue, IdempotencyClaim, LabelInput, ModelVersionRef, PredictionEventInput, WriteStatus,
} from '../backends/port';
import { BadUserInputError, PayloadTooLargeError } from '../errors';
import { NO_LIVE_EVENTS, type LiveEvents } from '../live/events';
import { Once } from './idempotency';
import * as v from './validate';

/** Events (or labels) in one call. */
export const MAX_EVENTS_PER_CALL = 10_000;
/** Named values of one event, features, outputs and labels together. */
export const MAX_VALUES_PER_EVENT = 1_000;
/** Longest categorical value. */
export const MAX_CATEGORY_LENGTH = 1_024;
/** How far ahead of the gateway's clock a timestamp may be (clock skew), ms. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

export interface RawModelVersion {
  workspace: string;
  modelName: string;
  modelVersion: string;
}

export interface RawEvent {
  predictionId: string;
  timestamp?: number | null;
  features?: Record<string, unknown> | null;
  prediction?: Record<string, unknown> | null;
  labels?: Record<string, unknown> | null;
}

export interface RawColumn {
  name: string;
  values: readonly unknown[];
}

export interface RawColumns {
  predictionIds: readonly string[];
  timestamps?: readonly number[] | null;
  features?: readonly RawColumn[] | null;
  prediction?: readonly RawColumn[] | null;
  labels?: readonly RawColumn[] | null;
}

export interface RawLabel {
  predictionId: string;
  timestamp?: number | null;
  labels: Record<string, unknown>;
}

const GROUPS = ['features', 'prediction', 'labels'] as const;

export class MonitoringService {
  constructor(
    private readonly backend: Backend,
    private readonly now: () => number = Date.now,
    private readonly events: LiveEvents = NO_LIVE_EVENTS,
  ) {}

  async logPredictions(
    caller: Caller, raw: RawModelVersion, events: readonly RawEvent[] | null | undefined, columns: RawColumns | null | undefined,
    claim?: IdempotencyClaim, reference = false,
  ): Promise<{ accepted: number; status: WriteStatus }> {
    const ref = modelVersion(raw);
    const total = (events?.length ?? 0) + (columns?.predictionIds.length ?? 0);
    checkTotal(total, 'events');
    const receivedAt = this.now();
    const valid = (events ?? []).map((e, i) => this.event(e, `events[${i}]`, receivedAt));
    if (columns) valid.push(...this.columns(columns, receivedAt));
    const once = new Once(claim);
    const port = this.backend.monitoring;
    const status = await (reference ? port.logReference(caller, ref, valid, once.options) : port.log(caller, ref, valid, once.options));
    if (!once.replayed && !reference) this.events.predictionsLogged?.(ref, valid.map((e) => e.timestamp));
    return { accepted: valid.length, status };
  }

  async logLabels(caller: Caller, raw: RawModelVersion, labels: readonly RawLabel[], claim?: IdempotencyClaim): Promise<{ accepted: number; status: WriteStatus }> {
    const ref = modelVersion(raw);
    checkTotal(labels.length, 'labels');
    const receivedAt = this.now();
    const valid = labels.map((l, i): LabelInput => {
      const field = `labels[${i}]`;
      const values = flat(l.labels, `${field}.labels`);
      checkWidth(Object.keys(values).length, field);
      return { predictionId: v.name(l.predictionId, `${field}.predictionId`), timestamp: this.time(l.timestamp, `${field}.timestamp`, receivedAt), labels: values };
    });
    const once = new Once(claim);
    const status = await this.backend.monitoring.logLabels(caller, ref, valid, once.options);
    return { accepted: valid.length, status };
  }

  private event(e: RawEvent, field: string, receivedAt: number): PredictionEventInput {
    const [features, prediction, labels] = GROUPS.map((g) => flat(e[g], `${field}.${g}`));
    checkWidth(Object.keys(features).length + Object.keys(prediction).length + Object.keys(labels).length, field);
    return { predictionId: v.name(e.predictionId, `${field}.predictionId`), timestamp: this.time(e.timestamp, `${field}.timestamp`, receivedAt), features, prediction, labels };
  }

  private columns(c: RawColumns, receivedAt: number): PredictionEventInput[] {
    const n = c.predictionIds.length;
    if (c.timestamps != null && c.timestamps.length !== n) {
      throw new BadUserInputError(`columns.timestamps must have as many entries as columns.predictionIds (${n}), got ${c.timestamps.length}`, { field: 'columns.timestamps' });
    }
    const width = GROUPS.reduce((s, g) => s + (c[g]?.length ?? 0), 0);
    checkWidth(width, 'columns');
    const out = c.predictionIds.map((id, i): PredictionEventInput => ({
      predictionId: v.name(id, `columns.predictionIds[${i}]`),
      timestamp: this.time(c.timestamps?.[i], `columns.timestamps[${i}]`, receivedAt),
      features: {}, prediction: {}, labels: {},
    }));
    for (const g of GROUPS) {
      const names = new Set<string>();
      (c[g] ?? []).forEach((column, j) => {
        const at = `columns.${g}[${j}]`;
        const name = v.name(column.name, `${at}.name`);
        if (names.has(name)) throw new BadUserInputError(`${at}.name '${name}' is given twice`, { field: `${at}.name` });
        names.add(name);
        if (column.values.length !== n) throw new BadUserInputError(`${at}.values must have ${n} entries (one per prediction id), got ${column.values.length}`, { field: `${at}.values` });
        for (let i = 0; i < n; i += 1) {
          const value = column.values[i];
          if (value != null) (out[i][g] as Record<string, FeatureValue>)[name] = scalar(value, `${at}.values[${i}]`);
        }
      });
    }
    return out;
  }

  private time(value: number | null | undefined, field: string, receivedAt: number): number {
    if (value == null) return receivedAt;
    if (value > receivedAt + MAX_FUTURE_MS) {
      // Beyond year 275760 a Date has no ISO form: say the number instead.
      const when = Math.abs(value) <= 8.64e15 ? new Date(value).toISOString() : `${value} ms after 1970`;
      throw new BadUserInputError(`${field} is ${when}, more than 24 hours ahead of the gateway's clock: send when the prediction was made`, { field });
    }
    return value;
  }
}

function modelVersion(raw: RawModelVersion): ModelVersionRef {
  return { workspace: v.name(raw.workspace, 'workspace'), modelName: v.name(raw.modelName, 'modelName'), version: v.name(raw.modelVersion, 'modelVersion') };
}

function checkTotal(total: number, field: string): void {
  if (total === 0) throw new BadUserInputError(`${field} must hold at least one event`, { field });
  if (total > MAX_EVENTS_PER_CALL) {
    throw new PayloadTooLargeError(`one call may hold at most ${MAX_EVENTS_PER_CALL} events, got ${total}: split the batch`, { field, max: MAX_EVENTS_PER_CALL });
  }
}

function checkWidth(width: number, field: string): void {
  if (width > MAX_VALUES_PER_EVENT) {
    throw new PayloadTooLargeError(`${field} holds ${width} named values; an event may hold at most ${MAX_VALUES_PER_EVENT} features, outputs and labels together`, { field, max: MAX_VALUES_PER_EVENT });
  }
}

/** A flat object of scalars (MPM's rule too, C.1); a null entry counts as absent. */
function flat(obj: Record<string, unknown> | null | undefined, field: string): Record<string, FeatureValue> {
  const out: Record<string, FeatureValue> = {};
  if (obj == null) return out;
  const keys = Object.keys(obj);
  checkWidth(keys.length, field);
  for (const key of keys) {
    const name = v.name(key, `${field} key`);
    if (obj[key] != null) out[name] = scalar(obj[key], `${field}.${name}`);
  }
  return out;
}

function scalar(value: unknown, field: string): FeatureValue {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new BadUserInputError(`${field} must be a finite number`, { field });
    return value;
  }
  if (typeof value === 'string') return v.text(value, field, MAX_CATEGORY_LENGTH);
  throw new BadUserInputError(`${field} must be a number, string or boolean (values are flat), got ${Array.isArray(value) ? 'a list' : typeof value}`, { field });
}
