/**
 * Metric summaries on MLflow. `runs/get` and `runs/search` give only the latest value by timestamp (§4.1);
 * the port's `last` is the point of the highest (step, timestamp), and min, max and count need every point.
 * So each summary is computed from the whole series, read for many runs at once (series.ts): one call per
 * metric key per 100 runs, plus one per series longer than 2,500 steps. Exact, counts included.
 */
import type { MetricSummary } from '../port';
import type { MlflowApi } from './api';
import type { MlflowMetric } from './decode';
import { liveRuns } from './run-reads';
import { wholeSeries } from './series';

export function summarize(experimentKey: string, name: string, points: readonly MlflowMetric[]): MetricSummary | null {
  if (points.length === 0) return null;
  const last = points[points.length - 1];
  let min: MlflowMetric | null = null;
  let max: MlflowMetric | null = null;
  for (const p of points) {
    if (Number.isNaN(p.value)) continue;
    if (min === null || p.value < min.value) min = p;
    if (max === null || p.value > max.value) max = p;
  }
  return {
    experimentKey,
    name,
    context: null,
    last: last.value,
    min: min?.value ?? Number.NaN,
    max: max?.value ?? Number.NaN,
    count: points.length,
    lastStep: last.step,
    minStep: min?.step ?? null,
    maxStep: max?.step ?? null,
    lastTimestamp: last.timestamp,
  };
}

export async function getMetricSummaries(api: MlflowApi, keys: readonly string[], names?: readonly string[] | null): Promise<MetricSummary[][]> {
  const runs = await liveRuns(api, keys);
  const wanted = names ? new Set(names.map((n) => n.trim())) : null;
  // The metric keys each run has, from its latest values: which series to read, and for which runs.
  const runsByKey = new Map<string, string[]>();
  for (const run of runs.values()) {
    for (const key of run.latest.keys()) {
      if (wanted && !wanted.has(key)) continue;
      runsByKey.set(key, [...(runsByKey.get(key) ?? []), run.runId]);
    }
  }
  const byRun = new Map<string, MetricSummary[]>();
  await Promise.all([...runsByKey].map(async ([key, runIds]) => {
    for (const [runId, points] of await wholeSeries(api, runIds, key, null, (id) => runs.get(id)?.latest.get(key))) {
      const summary = summarize(runId, key, points);
      if (summary) byRun.set(runId, [...(byRun.get(runId) ?? []), summary]);
    }
  }));
  const byName = (a: MetricSummary, b: MetricSummary): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return keys.map((key) => (byRun.get(key) ?? []).map((s) => ({ ...s })).sort(byName));
}
