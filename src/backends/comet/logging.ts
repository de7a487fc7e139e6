/**
 * Logging writes on the wire. Metrics and parameters go to the clientlib batch plane
 * (`/clientlib/batch/logger/experiment/{metric,parameter}`, at most 1000 values per request, §5 "Metrics
 * batch"), which the reference calls undocumented territory for a gateway: it is what the Python SDK uses,
 * and the only way to log many values without one REST call each. Others go to `write/experiment/log-other`,
 * one call per entry (§5). Every batch is validated whole before anything is sent, so Comet sees only
 * values it will take, and a call stores all its values or none.
 */
import { BadUserInputError } from '../../errors';
import type { MetricPointInput, Other, Parameter } from '../port';
import type { CometApi } from './api';
import type { CometHttp } from './http';
import type { WriteKind } from './outbox';
import { MpmRoute } from './mpm-protocol';
import { RESERVED_OTHER_PREFIX, Route } from './protocol';
import type { CometSession } from './routing';
import { metricValueForWire } from './values';
import { decodeMetricPoints } from './decode';
import type { Reconciler, Sender } from './writer';

const MAX_NAME_LENGTH = 1_000;

function invalid(field: string, what: string, got: unknown): never {
  throw new BadUserInputError(`${field} ${what}, got ${JSON.stringify(got) ?? String(got)}`, { field });
}

function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.trim().length > MAX_NAME_LENGTH) {
    invalid(field, `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`, value);
  }
  return value.trim();
}

/** Metric points as batch values (Java NON_NULL: unset fields omitted, §7); `now` stands in for a missing time. */
export function metricValues(points: readonly MetricPointInput[], now: number): Record<string, unknown>[] {
  if (!Array.isArray(points)) throw new BadUserInputError('points must be a list');
  return points.map((p, i) => {
    const at = `points[${i}]`;
    if (p === null || typeof p !== 'object') invalid(at, 'must be an object', p);
    const metricName = name(p.name, `${at}.name`);
    if (typeof p.value !== 'number') invalid(`${at}.value`, 'must be a number (NaN and ±Infinity allowed)', p.value);
    if (!Number.isSafeInteger(p.step)) invalid(`${at}.step`, 'must be an integer', p.step);
    if (p.epoch != null && !Number.isSafeInteger(p.epoch)) invalid(`${at}.epoch`, 'must be an integer or null', p.epoch);
    if (p.timestamp != null && !(Number.isSafeInteger(p.timestamp) && p.timestamp >= 0)) invalid(`${at}.timestamp`, 'must be Unix milliseconds or null', p.timestamp);
    if (p.context != null && typeof p.context !== 'string') invalid(`${at}.context`, 'must be a string or null', p.context);
    const value: Record<string, unknown> = { metricName, metricValue: metricValueForWire(p.value), step: p.step, timestamp: p.timestamp ?? now };
    if (p.epoch != null) value.epoch = p.epoch;
    if (p.context != null) value.context = p.context;
    return value;
  });
}

export function parameterValues(params: readonly Parameter[], now: number): Record<string, unknown>[] {
  return params.map((p, i) => {
    if (typeof p.value !== 'string') invalid(`parameters[${i}].value`, 'must be a string', p.value);
    return { parameterName: name(p.name, `parameters[${i}].name`), parameterValue: p.value, source: 'manual', timestamp: now };
  });
}

export function otherValues(others: readonly Other[]): Record<string, unknown>[] {
  return others.map((o, i) => {
    const key = name(o.key, `others[${i}].key`);
    if (key.startsWith(RESERVED_OTHER_PREFIX)) invalid(`others[${i}].key`, `must not start with '${RESERVED_OTHER_PREFIX}' (kept by the gateway)`, key);
    if (typeof o.value !== 'string') invalid(`others[${i}].value`, 'must be a string', o.value);
    return { key, value: o.value };
  });
}

/** Sends one outbox-sized request; `onAccepted` drops what it changed from the cache. */
export function createSender(http: CometHttp, onAccepted: (session: CometSession, experimentKey: string, kind: WriteKind, values: readonly unknown[]) => Promise<void>): Sender {
  return async (session, experimentKey, kind, values) => {
    switch (kind) {
      case 'metric':
        // Not idempotent: a metric sent twice is stored twice. Retried only when Comet refused it outright.
        await http.json(session, { method: 'POST', plane: 'clientlib', route: Route.batchMetric, idempotent: false, json: { experimentKey, values } });
        break;
      case 'parameter':
        await http.json(session, { method: 'POST', plane: 'clientlib', route: Route.batchParameter, idempotent: true, json: { experimentKey, values } });
        break;
      case 'other':
        for (const value of values) {
          await http.json(session, { method: 'POST', route: Route.writeLogOther, idempotent: true, json: { experimentKey, ...(value as object) } });
        }
        break;
      case 'tags':
        // `write/experiment/tags` appends (§5): sending the same tags again changes nothing.
        await http.json(session, { method: 'POST', route: Route.writeTags, idempotent: true, json: { experimentKey, addedTags: values } });
        break;
      case 'start':
        await http.json(session, { method: 'POST', route: Route.writeSetStartEndTime, idempotent: true, json: { experimentKey, startTimeMillis: values[0] } });
        break;
      case 'prediction':
      case 'label':
        // MPM merges events by prediction id and drops exact duplicates (C.1), so a resend stores nothing twice.
        await http.json(session, {
          method: 'POST', plane: 'mpm', route: kind === 'prediction' ? MpmRoute.eventsBatch : MpmRoute.labelsBatch, idempotent: true, json: { data: values },
        });
        return;
      default: {
        const unknownKind: never = kind;
        throw new Error(`comet outbox: unknown write kind ${String(unknownKind)}`);
      }
    }
    await onAccepted(session, experimentKey, kind, values);
  };
}

/**
 * What Comet does not have yet of a metric request that failed ambiguously (a timeout after sending): one
 * `get-metric` per metric name, and a value counts as stored when a point of that name with the same step and
 * timestamp is there (each stored point vouches for one value). Values are not compared: Comet may print a
 * float differently from how it was sent. Parameters and others overwrite by name, so resending them is
 * harmless and they are returned whole.
 */
export function createReconciler(http: CometHttp): Reconciler {
  return async (session, experimentKey, kind, values) => {
    if (kind !== 'metric') return [...values];
    const names = [...new Set(values.map((v) => String((v as { metricName?: unknown }).metricName)))];
    const stored = new Map<string, number>();
    await Promise.all(names.map(async (metricName) => {
      const json = await http.json(session, { method: 'GET', route: Route.getMetric, query: { experimentKey, metricName }, idempotent: true });
      for (const p of decodeMetricPoints(json)) {
        const id = pointId(metricName, p.step, p.timestamp);
        stored.set(id, (stored.get(id) ?? 0) + 1);
      }
    }));
    return values.filter((v) => {
      const { metricName, step, timestamp } = v as { metricName: string; step?: number | null; timestamp?: number | null };
      const id = pointId(metricName, step ?? null, timestamp ?? null);
      const left = stored.get(id) ?? 0;
      if (left === 0) return true;
      stored.set(id, left - 1);
      return false;
    });
  };
}

function pointId(name: string, step: number | null, timestamp: number | null): string {
  return `${name}\u0000${step ?? ''}\u0000${timestamp ?? ''}`;
}

/** Cache entries a logging write makes stale (§7 "Caching": Python clears get-metric and summary). */
export async function forgetLogged(api: CometApi, experimentKey: string, kind: WriteKind, values: readonly unknown[]): Promise<void> {
  if (kind === 'prediction' || kind === 'label') return;
  if (kind === 'metric') {
    const names = [...new Set(values.map((v) => String((v as { metricName?: unknown }).metricName)))];
    await api.forgetExperiment(experimentKey, ['summary'], names);
  } else {
    const kinds = { parameter: 'params', other: 'others', tags: 'tags', start: 'meta' } as const;
    await api.forgetExperiment(experimentKey, [kinds[kind]]);
  }
  // New names show up in the project's columns: drop its listings and columns when the project is known.
  const meta = await api.cache.get<{ workspace: string; project: string } | null>(`meta:${experimentKey}`);
  if (meta) await api.forgetProject(meta.workspace, meta.project);
}
