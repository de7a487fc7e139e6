/**
 * Input checked whole, before anything is sent, against MLflow's limits (§4.3), so a write stores all of
 * its values or none, and MLflow's refusals come back as clear BAD_USER_INPUT errors with a field.
 */
import { BadUserInputError } from '../../errors';
import type { MetricPointInput, Other, Parameter } from '../port';
import type { KeyValue, WireMetric } from './api';
import { doubleForWire } from './decode';
import { Limits } from './protocol';
import { isWritableKey } from './runs';

function invalid(field: string, what: string, got: unknown): never {
  throw new BadUserInputError(`${field} ${what}, got ${JSON.stringify(got) ?? String(got)}`, { field });
}

/** A key as MLflow takes it: non-empty, trimmed, at most 250 characters. */
export function checkKey(value: unknown, field: string, reservedAllowed = true): string {
  if (typeof value !== 'string' || value.trim() === '' || value.trim().length > Limits.KEY_MAX_CHARS) {
    invalid(field, `must be a non-empty string of at most ${Limits.KEY_MAX_CHARS} characters`, value);
  }
  const key = value.trim();
  if (!reservedAllowed && !isWritableKey(key)) invalid(field, "must not start with 'mlflow.' or 'trackql.' (kept for MLflow's and the gateway's own tags)", key);
  return key;
}

export function checkParameters(params: readonly Parameter[]): KeyValue[] {
  if (!Array.isArray(params)) throw new BadUserInputError('parameters must be a list');
  const seen = new Map<string, string>();
  return params.map((p, i) => {
    const key = checkKey(p?.name, `parameters[${i}].name`);
    if (typeof p.value !== 'string' || p.value.length > Limits.PARAM_VALUE_MAX_CHARS) {
      invalid(`parameters[${i}].value`, `must be a string of at most ${Limits.PARAM_VALUE_MAX_CHARS} characters`, p.value);
    }
    const earlier = seen.get(key);
    if (earlier !== undefined && earlier !== p.value) {
      throw new BadUserInputError(`parameters: '${key}' is given two values; MLflow parameters are written once`, { field: 'parameters', reason: 'PARAMETER_WRITE_ONCE' });
    }
    seen.set(key, p.value);
    return { key, value: p.value };
  });
}

/** TrackQL tags: MLflow tags with an empty value. */
export function checkTags(tags: readonly string[]): KeyValue[] {
  if (!Array.isArray(tags)) throw new BadUserInputError('tags must be a list');
  return [...new Set(tags.map((t, i) => checkKey(t, `tags[${i}]`, false)))].map((key) => ({ key, value: '' }));
}

/** Others: MLflow tags with a value (an empty one would read back as a TrackQL tag). */
export function checkOthers(others: readonly Other[]): KeyValue[] {
  if (!Array.isArray(others)) throw new BadUserInputError('others must be a list');
  return others.map((o, i) => {
    const key = checkKey(o?.key, `others[${i}].key`, false);
    if (typeof o.value !== 'string' || o.value === '' || o.value.length > Limits.TAG_VALUE_MAX_CHARS) {
      invalid(`others[${i}].value`, `must be a non-empty string of at most ${Limits.TAG_VALUE_MAX_CHARS} characters (an empty value is a tag on MLflow)`, o.value);
    }
    return { key, value: o.value };
  });
}

/** Points as log-batch metrics; `now` stands in for a missing timestamp. Epoch and context have no place in MLflow. */
export function checkPoints(points: readonly MetricPointInput[], now: number): WireMetric[] {
  if (!Array.isArray(points)) throw new BadUserInputError('points must be a list');
  return points.map((p, i) => {
    const at = `points[${i}]`;
    if (p === null || typeof p !== 'object') invalid(at, 'must be an object', p);
    const key = checkKey(p.name, `${at}.name`);
    if (typeof p.value !== 'number') invalid(`${at}.value`, 'must be a number (NaN and ±Infinity allowed)', p.value);
    if (!Number.isSafeInteger(p.step)) invalid(`${at}.step`, 'must be an integer', p.step);
    if (p.epoch != null && !Number.isSafeInteger(p.epoch)) invalid(`${at}.epoch`, 'must be an integer or null', p.epoch);
    if (p.timestamp != null && !(Number.isSafeInteger(p.timestamp) && p.timestamp >= 0)) invalid(`${at}.timestamp`, 'must be Unix milliseconds or null', p.timestamp);
    if (p.context != null && typeof p.context !== 'string') invalid(`${at}.context`, 'must be a string or null', p.context);
    return { key, value: doubleForWire(p.value), step: p.step, timestamp: p.timestamp ?? now };
  });
}
