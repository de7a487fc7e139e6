/**
 * log-batch within MLflow's limits (§4.3: ≤1000 metrics, ≤100 params, ≤100 tags, ≤1000 items, ≤1 MB), and
 * what a batch whose outcome is unknown already stored. Metrics append, so such a batch (a 500, a proxy's
 * 5xx, a reset: MLflow may have applied part of it) is not resent blindly: the run's histories of its keys
 * are read and only the points MLflow does not hold are sent again. A point is matched on
 * (key, step, timestamp, value), counted, so points logged twice on purpose stay twice.
 */
import type { KeyValue, MlflowApi, WireMetric } from './api';
import { doubleOf } from './decode';
import { Limits } from './protocol';

/** Bytes a metric takes in the JSON body, generously (key, value, two int64s, punctuation). */
const metricBytes = (m: WireMetric): number => Buffer.byteLength(m.key) + 96;

export function chunkMetrics(metrics: readonly WireMetric[]): WireMetric[][] {
  const chunks: WireMetric[][] = [];
  let current: WireMetric[] = [];
  let bytes = 0;
  for (const m of metrics) {
    const size = metricBytes(m);
    if (current.length === Limits.BATCH_MAX_METRICS || bytes + size > Limits.BATCH_MAX_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Params or tags in chunks of `size` (100 each, §4.3); values are at most 6000 characters, well under 1 MB. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function logTags(api: MlflowApi, runId: string, tags: readonly KeyValue[]): Promise<void> {
  for (const chunk of chunked(tags, Limits.BATCH_MAX_TAGS)) await api.logBatch(runId, { tags: chunk });
}

const pointId = (key: string, step: number, timestamp: number, value: number): string =>
  `${key}\u0000${step}\u0000${timestamp}\u0000${Number.isNaN(value) ? 'NaN' : String(value)}`;

/** The points of `sent` that MLflow does not show for the run, counted per identity. */
export async function missingPoints(api: MlflowApi, runId: string, sent: readonly WireMetric[]): Promise<WireMetric[]> {
  const held = new Map<string, number>();
  const keys = [...new Set(sent.map((m) => m.key))];
  const histories = await Promise.all(keys.map((key) => api.history(runId, key)));
  for (const points of histories) {
    for (const p of points) {
      const id = pointId(p.key, p.step, p.timestamp, p.value);
      held.set(id, (held.get(id) ?? 0) + 1);
    }
  }
  // A point identical in all four fields to one stored before this write counts as held: that exact repeat
  // is the one case where an unknown outcome can cost a point (docs/mlflow.md).
  const wanted = new Map<string, number>();
  return sent.filter((m) => {
    const id = pointId(m.key, m.step, m.timestamp, doubleOf(m.value));
    const n = (wanted.get(id) ?? 0) + 1;
    wanted.set(id, n);
    return n > (held.get(id) ?? 0);
  });
}
