/**
 * Metric histories on MLflow. Sampled requests are grouped by (metric, range) and read for many runs at
 * once (series.ts: one bulk call per 100 runs), then downsampled with the port's spike-keeping rule
 * (shared/sampling.ts) over the whole series, so `samples: N` means what it means on every backend. Raw
 * pages read the run's whole series with `get-history` and cut it with a cursor naming the last point's
 * (step, timestamp, rank among equal ones), so points logged between pages cause no repeat or gap.
 */
import { BadUserInputError } from '../../errors';
import { checkDefaultContext, checkHistoryRequest, type MetricHistory, type MetricHistoryRequest, type MetricPoint } from '../port';
import { pickSampleIndices } from '../shared/sampling';
import type { MlflowApi } from './api';
import type { MlflowMetric } from './decode';
import { liveRuns } from './run-reads';
import { sortPoints, stepRange, wholeSeries } from './series';

const CURSOR_KIND = 'mh';

type Position = [step: number, timestamp: number, rank: number];

function decodeCursor(cursor: string): Position {
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== CURSOR_KIND || !decoded.slice(1).every(Number.isSafeInteger)) {
    throw new BadUserInputError(`Invalid cursor '${cursor.slice(0, 64)}': pass a cursor returned by the same history`, { field: 'after' });
  }
  return decoded.slice(1) as Position;
}

const toPoint = (m: MlflowMetric): MetricPoint => ({ step: m.step, epoch: null, value: m.value, timestamp: m.timestamp, context: null });

/** Each point's position: its (step, timestamp) and its rank among points sharing them. */
function positions(points: readonly MlflowMetric[]): Position[] {
  let rank = 0;
  return points.map((p, i) => {
    const prev = points[i - 1];
    rank = prev && prev.step === p.step && prev.timestamp === p.timestamp ? rank + 1 : 0;
    return [p.step, p.timestamp, rank];
  });
}

const after = (a: Position, b: Position): boolean => a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] > b[2];

const EMPTY = (sampled: boolean): MetricHistory => ({ points: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0, sampled });

export async function getMetricHistories(api: MlflowApi, requests: readonly MetricHistoryRequest[]): Promise<(MetricHistory | Error)[]> {
  const checked = requests.map((r) => {
    try {
      checkDefaultContext(r.context, 'MLflow');
      const limits = checkHistoryRequest(r);
      return { ...limits, cursor: limits.samples === null && r.after ? decodeCursor(r.after) : null };
    } catch (error) {
      return error as Error;
    }
  });
  const runs = await liveRuns(api, requests.flatMap((r, i) => (checked[i] instanceof Error ? [] : [r.experimentKey])));
  // Sampled requests read together, per (metric, range).
  const groups = new Map<string, { name: string; range: ReturnType<typeof stepRange>; runIds: Set<string> }>();
  requests.forEach((r, i) => {
    const c = checked[i];
    if (c instanceof Error || c.samples === null || !runs.has(r.experimentKey)) return;
    const range = stepRange(r.afterStep, r.beforeStep);
    const id = JSON.stringify([r.name, range]);
    const group = groups.get(id) ?? { name: r.name, range, runIds: new Set<string>() };
    group.runIds.add(r.experimentKey);
    groups.set(id, group);
  });
  const sampledSeries = new Map<string, Map<string, MlflowMetric[]>>();
  await Promise.all([...groups].map(async ([id, g]) =>
    sampledSeries.set(id, await wholeSeries(api, [...g.runIds], g.name, g.range, (runId) => runs.get(runId)?.latest.get(g.name)))));

  return Promise.all(requests.map(async (r, i): Promise<MetricHistory | Error> => {
    const c = checked[i];
    if (c instanceof Error) return c;
    if (!runs.has(r.experimentKey)) return EMPTY(c.samples !== null);
    const range = stepRange(r.afterStep, r.beforeStep);
    if (c.samples !== null) {
      const points = sampledSeries.get(JSON.stringify([r.name, range]))?.get(r.experimentKey) ?? [];
      const kept = pickSampleIndices(points.map((p) => p.value), c.samples).map((index) => toPoint(points[index]));
      return { points: kept, cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: points.length, sampled: true };
    }
    try {
      const all = sortPoints(await api.history(r.experimentKey, r.name));
      const inRange = range === null ? all : all.filter((p) => p.step >= range.start && p.step <= range.end);
      const at = positions(inRange);
      const start = c.cursor === null ? 0 : (() => {
        const index = at.findIndex((pos) => after(pos, c.cursor as Position));
        return index < 0 ? inRange.length : index;
      })();
      const page = inRange.slice(start, start + c.first);
      return {
        points: page.map(toPoint),
        cursors: at.slice(start, start + page.length).map((pos) => Buffer.from(JSON.stringify([CURSOR_KIND, ...pos])).toString('base64url')),
        hasNextPage: start + page.length < inRange.length,
        hasPreviousPage: start > 0,
        totalCount: inRange.length,
        sampled: false,
      };
    } catch (error) {
      return error as Error;
    }
  }));
}
