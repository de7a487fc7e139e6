/**
 * `ValueMinMax`, the summary shape shared by `experiment/metrics/summary`, `experiment/parameters` and
 * `experiment/log-other` (§3): values as strings, `stepMax`/`stepMin` the steps where the max and min occurred,
 * `*Current` the latest value received.
 */
import type { MetricPoint, ValueEntry } from './types';

export interface ValueMinMax {
  name: string;
  valueMax: string;
  valueMin: string;
  valueCurrent: string;
  timestampMax: number;
  timestampMin: number;
  timestampCurrent: number;
  runContextMax: string | null;
  runContextMin: string | null;
  runContextCurrent: string | null;
  stepMax: number | null;
  stepMin: number | null;
  stepCurrent: number | null;
  editable: boolean;
}

interface Sample {
  value: string;
  step: number | null;
  timestamp: number;
  context: string | null;
}

/**
 * Summarises one non-empty series in arrival order. Max and min compare numerically and skip NaN (a series of
 * only NaN, or with a non-numeric value, falls back to the current value); ties keep the earliest point.
 */
export function summarise(name: string, series: readonly Sample[]): ValueMinMax {
  if (series.length === 0) throw new Error(`comet-sim: empty series ${name}`);
  const current = series[series.length - 1];
  let max: Sample | undefined;
  let min: Sample | undefined;
  let numeric = true;
  for (const s of series) {
    const n = Number(s.value);
    if (s.value.trim() === '' || (Number.isNaN(n) && s.value !== 'NaN')) {
      numeric = false;
      break;
    }
    if (Number.isNaN(n)) continue;
    if (max === undefined || n > Number(max.value)) max = s;
    if (min === undefined || n < Number(min.value)) min = s;
  }
  if (!numeric || max === undefined || min === undefined) {
    max = current;
    min = current;
  }
  return {
    name,
    valueMax: max.value,
    valueMin: min.value,
    valueCurrent: current.value,
    timestampMax: max.timestamp,
    timestampMin: min.timestamp,
    timestampCurrent: current.timestamp,
    runContextMax: max.context,
    runContextMin: min.context,
    runContextCurrent: current.context,
    stepMax: max.step,
    stepMin: min.step,
    stepCurrent: current.step,
    editable: false,
  };
}

export function metricSample(p: MetricPoint): Sample {
  return { value: p.metricValue, step: p.step, timestamp: p.timestamp, context: p.context };
}

/** Entries grouped by name, names in first-logged order, each group in arrival order. */
export function groupByName(entries: readonly ValueEntry[]): Map<string, ValueEntry[]> {
  const byName = new Map<string, ValueEntry[]>();
  for (const e of entries) {
    const list = byName.get(e.name);
    if (list === undefined) byName.set(e.name, [e]);
    else list.push(e);
  }
  return byName;
}

/** One `ValueMinMax` per name: the shape of `experiment/parameters` and `experiment/log-other`. */
export function summariseEntries(entries: readonly ValueEntry[]): ValueMinMax[] {
  return [...groupByName(entries)].map(([name, list]) => summarise(name, list));
}

/** The latest value per name. */
export function latestByName(entries: readonly ValueEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) out.set(e.name, e.value);
  return out;
}
