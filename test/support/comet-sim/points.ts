/** Decoding of logged values, shared by the REST writes and the clientlib batch plane (§5 "Logging data"). */
import { PARAMETER_SOURCES } from './constants';
import { badRequest } from './errors';
import type { MetricPoint, ValueEntry } from './types';
import { decodeObject, metricValueToString, optional, required, scalarToString } from './validate';

/** Fields of one metric value; REST adds `experimentKey` (§5). */
export const METRIC_FIELDS = {
  metricName: required('string'),
  metricValue: required('numberOrString'),
  step: optional('integer'),
  epoch: optional('integer'),
  context: optional('string'),
  timestamp: optional('integer'),
} as const;

/** Fields of one parameter value on the batch plane (§5); REST has no `source`. */
export const BATCH_PARAMETER_FIELDS = {
  parameterName: required('string'),
  parameterValue: required('scalar'),
  step: optional('integer'),
  source: optional('string'),
  context: optional('string'),
  timestamp: optional('integer'),
} as const;

function nonEmpty(name: string, value: string, where: string): string {
  if (value === '') throw badRequest(`${where}: ${name} must not be empty`);
  return value;
}

/** A metric point; `timestamp` defaults to arrival time (the SDKs always send one, in ms). */
export function metricPoint(
  v: { metricName: string; metricValue: number | string; step?: number; epoch?: number; context?: string; timestamp?: number },
  where: string,
  now: number,
): MetricPoint {
  return {
    metricName: nonEmpty('metricName', v.metricName, where),
    metricValue: metricValueToString(v.metricValue, where),
    step: v.step ?? null,
    epoch: v.epoch ?? null,
    timestamp: v.timestamp ?? now,
    context: v.context ?? null,
  };
}

export function valueEntry(
  name: string,
  value: string | number | boolean,
  v: { step?: number; context?: string; timestamp?: number; source?: string },
  where: string,
  now: number,
): ValueEntry {
  if (v.source !== undefined && !PARAMETER_SOURCES.includes(v.source)) {
    throw badRequest(`${where}: source must be one of ${PARAMETER_SOURCES.join(', ')}, got '${v.source}'`);
  }
  return {
    name: nonEmpty('name', name, where),
    value: scalarToString(value),
    step: v.step ?? null,
    timestamp: v.timestamp ?? now,
    context: v.context ?? null,
    source: v.source ?? null,
  };
}

/** Decodes a batch's `values`, all or nothing: one bad value refuses the whole batch. */
export function decodeBatchMetrics(values: readonly unknown[], where: string, now: number): MetricPoint[] {
  return values.map((raw, i) => metricPoint(decodeObject(raw, METRIC_FIELDS, `${where} values[${i}]`), `${where} values[${i}]`, now));
}

export function decodeBatchParameters(values: readonly unknown[], where: string, now: number): ValueEntry[] {
  return values.map((raw, i) => {
    const at = `${where} values[${i}]`;
    const v = decodeObject(raw, BATCH_PARAMETER_FIELDS, at);
    return valueEntry(v.parameterName, v.parameterValue, v, at, now);
  });
}
