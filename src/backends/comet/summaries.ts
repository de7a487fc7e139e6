/**
 * Metric summaries and series.
 *
 * Summaries come from `experiment/metrics/summary`, one per run (Comet has no multi-run summary, design
 * notes): exact min and max with their steps, in one small answer. Its "current" value is the value received
 * last, while the port's `last` is the point with the highest (step, timestamp): when the summary shows the
 * current step below the step of its min or max, points arrived out of order and the series is read to find
 * the true last point. (Disorder that leaves no such trace cannot be seen from the summary: documented.)
 * Comet keeps no point count (§3): `count` is null and `capabilities().metricPointCounts` false.
 */
import type { MetricSummary } from '../port';
import { type CometApi, sortPoints } from './api';
import type { ValueSummary, WirePoint } from './decode';
import { mapLimit } from './limiter';
import { parseMetricValue } from './values';

/**
 * Per-run reads of one batch all go out at once: the HTTP layer's per-key limiter (TRACKQL_COMET_CONCURRENCY)
 * is the one bound, so a page of runs costs one round trip, not one per slice of 16.
 */
const FANOUT = Number.POSITIVE_INFINITY;

export async function getMetricSummaries(api: CometApi, keys: readonly string[], names?: readonly string[] | null): Promise<MetricSummary[][]> {
  const distinct = [...new Set(keys)];
  const wanted = names ? new Set(names.map((n) => n.trim())) : null;
  const loaded = await mapLimit(distinct, FANOUT, async (key) => {
    const values = (await api.summaries(key)).filter((v) => wanted === null || wanted.has(v.name));
    return Promise.all(values.map((v) => summaryOf(api, key, v)));
  });
  const byKey = new Map(distinct.map((key, i) => [key, loaded[i].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))]));
  return keys.map((key) => (byKey.get(key) ?? []).map((s) => ({ ...s })));
}

async function summaryOf(api: CometApi, experimentKey: string, v: ValueSummary): Promise<MetricSummary> {
  const summary: MetricSummary = {
    experimentKey,
    name: v.name,
    // Comet keeps one series per name; its summary's runContext* say where each figure came from.
    context: null,
    last: parseMetricValue(v.current, 'summary.valueCurrent'),
    min: parseMetricValue(v.min, 'summary.valueMin'),
    max: parseMetricValue(v.max, 'summary.valueMax'),
    count: null,
    lastStep: v.stepCurrent,
    minStep: v.stepMin,
    maxStep: v.stepMax,
    lastTimestamp: v.timestampCurrent,
  };
  const highestKnown = Math.max(v.stepMin ?? -Infinity, v.stepMax ?? -Infinity);
  if (v.stepCurrent !== null && v.stepCurrent < highestKnown) {
    const series = await orderedSeries(api, experimentKey, v.name);
    const last = series.at(-1);
    if (last) Object.assign(summary, { last: last.value, lastStep: last.step, lastTimestamp: last.timestamp });
  }
  return summary;
}

const tieKey = (p: WirePoint): string => `${p.step ?? ''}:${p.timestamp}`;

/**
 * One series in port order: (step, timestamp, insertion). `get-metric` is unsorted (§3) and carries
 * contexts; when two points share a step and a timestamp, their insertion order is taken from
 * `multi-metric-chart`, which answers in stored order, matching points by value and epoch.
 */
export async function orderedSeries(api: CometApi, key: string, name: string): Promise<WirePoint[]> {
  const cacheKey = `series:${key}:${name}`;
  const hit = await api.cache.get<WirePoint[]>(cacheKey);
  if (hit) return hit;
  let points = await api.series(key, name);
  if (hasTies(points)) {
    const chart = (await api.chart([key], [name], [], true)).get(key)?.metrics.get(name) ?? [];
    points = repairTies(points, chart);
  }
  await api.cache.set(cacheKey, points);
  return points;
}

function hasTies(points: readonly WirePoint[]): boolean {
  return points.some((p, i) => i > 0 && tieKey(p) === tieKey(points[i - 1]));
}

/** Reorders each run of tied points to follow the chart's order; unmatched points keep their place at the end. */
export function repairTies(points: readonly WirePoint[], chartOrder: readonly WirePoint[]): WirePoint[] {
  const chartByTie = new Map<string, WirePoint[]>();
  for (const p of sortPoints([...chartOrder])) chartByTie.set(tieKey(p), [...(chartByTie.get(tieKey(p)) ?? []), p]);
  const out: WirePoint[] = [];
  for (let i = 0; i < points.length;) {
    let j = i + 1;
    while (j < points.length && tieKey(points[j]) === tieKey(points[i])) j++;
    const run = points.slice(i, j);
    if (run.length > 1) {
      const pool = [...run];
      for (const c of chartByTie.get(tieKey(run[0])) ?? []) {
        const index = pool.findIndex((p) => Object.is(p.value, c.value) && (c.epoch === null || p.epoch === c.epoch));
        if (index >= 0) out.push(...pool.splice(index, 1));
      }
      out.push(...pool);
    } else {
      out.push(run[0]);
    }
    i = j;
  }
  return out;
}
