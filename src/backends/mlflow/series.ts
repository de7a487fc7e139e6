/**
 * Whole series of many runs at few calls: `get-history-bulk-interval` (§5.2) answers up to 100 runs per call
 * and keeps every step of a run whose distinct steps fit in `max_results` (2500); a run with more came back
 * sampled, so its series is read whole with `get-history` (§5.1) instead. Points come in the port's order:
 * step, then timestamp, then MLflow's order (arrival).
 */
import type { MlflowApi } from './api';
import type { MlflowMetric } from './decode';
import { Limits } from './protocol';

export interface StepRange {
  /** Inclusive bounds, as MLflow takes them. */
  start: number;
  end: number;
}

/** The port's exclusive range as MLflow's inclusive one; null when unbounded. */
export function stepRange(afterStep: number | null | undefined, beforeStep: number | null | undefined): StepRange | null {
  if (afterStep == null && beforeStep == null) return null;
  return { start: afterStep == null ? Number.MIN_SAFE_INTEGER : afterStep + 1, end: beforeStep == null ? Number.MAX_SAFE_INTEGER : beforeStep - 1 };
}

export function sortPoints(points: MlflowMetric[]): MlflowMetric[] {
  // Array.prototype.sort is stable: equal (step, timestamp) keep MLflow's order.
  return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
}

/**
 * The series of `key` for each run (in range), whole and sorted, by run id. `latest` gives each run's latest
 * value of `key` as just read, so a fresh read reuses the series that did not move.
 */
export async function wholeSeries(
  api: MlflowApi, runIds: readonly string[], key: string, range: StepRange | null, latest: (runId: string) => MlflowMetric | undefined = () => undefined,
): Promise<Map<string, MlflowMetric[]>> {
  const out = new Map<string, MlflowMetric[]>(runIds.map((id) => [id, []]));
  if (range !== null && range.start > range.end) return out;
  const inRange = (points: readonly MlflowMetric[]): MlflowMetric[] => (range === null ? [...points] : points.filter((p) => p.step >= range.start && p.step <= range.end));
  // Series a summary or an earlier history read whole are cut here instead of read again.
  const toRead: string[] = [];
  for (const id of runIds) {
    const cached = api.cachedSeries(id, key, latest(id));
    if (cached) out.set(id, inRange(cached));
    else toRead.push(id);
  }
  const chunks: string[][] = [];
  for (let i = 0; i < toRead.length; i += Limits.BULK_MAX_RUNS) chunks.push(toRead.slice(i, i + Limits.BULK_MAX_RUNS));
  const answers = await Promise.all(chunks.map((chunk) => api.bulkInterval(chunk, key, range, Limits.BULK_MAX_RESULTS)));
  for (const point of answers.flat()) if (point.runId !== undefined) out.get(point.runId)?.push(point);
  const sampled = new Set(toRead.filter((id) => new Set(out.get(id)?.map((p) => p.step)).size > Limits.BULK_MAX_RESULTS));
  await Promise.all([...sampled].map(async (id) => {
    const all = sortPoints(await api.history(id, key));
    api.rememberSeries(id, key, all);
    out.set(id, inRange(all));
  }));
  for (const id of toRead) {
    if (sampled.has(id)) continue;
    const points = sortPoints(out.get(id) ?? []);
    if (range === null) api.rememberSeries(id, key, points);
  }
  return out;
}
