/**
 * Metric histories: a whole series is read once (and cached), then the step range, raw paging and
 * downsampling apply in the gateway, with the same rules as the SQLite backend (shared/sampling.ts).
 *
 * Plans: a batch touching several experiments reads every missing series with one `multi-metric-chart`
 * call per 100 runs (`fetchFull: true`, §3), which is how a dashboard of sparklines stays cheap. That
 * endpoint carries no per-point context, so points read that way have `context: null`. A batch about one
 * experiment reads `get-metric` per series, contexts included. Beyond 15,000 points per metric Comet itself
 * serves a downsampled series (§8 "Hard limits").
 */
import { BadUserInputError, ForbiddenError, isTrackqlError } from '../../errors';
import { checkDefaultContext, checkHistoryRequest, type MetricHistory, type MetricHistoryRequest, type MetricPoint } from '../port';
import { pickSampleIndices } from '../shared/sampling';
import { type CometApi, orderStep, sortPoints } from './api';
import type { WirePoint } from './decode';
import { Limits } from './protocol';
import { orderedSeries } from './summaries';


const CURSOR_KIND = 'ch';
const seriesId = (key: string, name: string): string => `${key}\u0000${name}`;

interface Checked {
  request: MetricHistoryRequest;
  name: string;
  samples: number | null;
  first: number;
  after: [number, number, number] | null;
}

export async function getMetricHistories(api: CometApi, requests: readonly MetricHistoryRequest[]): Promise<(MetricHistory | Error)[]> {
  const checked = requests.map((request): Checked | Error => {
    try {
      return check(request);
    } catch (error) {
      if (isTrackqlError(error)) return error;
      throw error;
    }
  });
  const wanted = [...new Map(checked.flatMap((c) => (c instanceof Error ? [] : [[seriesId(c.request.experimentKey, c.name), c] as const]))).values()];
  const series = await loadSeries(api, wanted.map((c) => ({ key: c.request.experimentKey, name: c.name })));
  return checked.map((c) => {
    if (c instanceof Error) return c;
    const loaded = series.get(seriesId(c.request.experimentKey, c.name));
    return loaded instanceof Error ? loaded : view(loaded ?? [], c);
  });
}

async function loadSeries(api: CometApi, wanted: readonly { key: string; name: string }[]): Promise<Map<string, WirePoint[] | Error>> {
  const out = new Map<string, WirePoint[] | Error>();
  const missing: { key: string; name: string }[] = [];
  for (const s of wanted) {
    const hit = (await api.cache.get<WirePoint[]>(`series:${s.key}:${s.name}`)) ?? (await api.cache.get<WirePoint[]>(`chart:${s.key}:${s.name}`));
    if (hit) out.set(seriesId(s.key, s.name), hit);
    else missing.push(s);
  }
  const experiments = [...new Set(missing.map((s) => s.key))];
  let perSeries = missing;
  if (experiments.length > 1) {
    try {
      await loadByChart(api, missing, experiments, out);
      perSeries = [];
    } catch (error) {
      // One run the key may not read refuses the whole chart call: read series one by one, so only
      // that run's slots carry the error.
      if (!(error instanceof ForbiddenError)) throw error;
    }
  }
  await Promise.all(perSeries.map(async (s) => {
    try {
      out.set(seriesId(s.key, s.name), await orderedSeries(api, s.key, s.name));
    } catch (error) {
      if (!isTrackqlError(error) || error.code === 'UPSTREAM_UNAVAILABLE' || error.code === 'RATE_LIMITED') throw error;
      out.set(seriesId(s.key, s.name), error);
    }
  }));
  return out;
}

async function loadByChart(api: CometApi, missing: readonly { key: string; name: string }[], experiments: readonly string[], out: Map<string, WirePoint[] | Error>): Promise<void> {
  const names = [...new Set(missing.map((s) => s.name))];
  const batches: string[][] = [];
  for (let i = 0; i < experiments.length; i += Limits.CHART_MAX_EXPERIMENTS) batches.push(experiments.slice(i, i + Limits.CHART_MAX_EXPERIMENTS));
  // The chunks are independent: asked for at once, they cost one round trip, not one each.
  await Promise.all(batches.map(async (batch) => {
    const chart = await api.chart(batch, names, [], true);
    const inBatch = new Set(batch);
    for (const s of missing.filter((m) => inBatch.has(m.key))) {
      // The chart answers in stored order; a stable sort by (step, timestamp) keeps it for ties.
      const points = sortPoints([...(chart.get(s.key)?.metrics.get(s.name) ?? [])]);
      out.set(seriesId(s.key, s.name), points);
      await api.cache.set(`chart:${s.key}:${s.name}`, points);
    }
  }));
}

function check(request: MetricHistoryRequest): Checked {
  const { afterStep, beforeStep, after } = request;
  checkDefaultContext(request.context, 'Comet');
  const checked = checkHistoryRequest(request);
  const sampled = checked.samples !== null;
  const samples = checked.samples;
  const size = checked.first;
  return {
    request,
    name: request.name.trim(),
    samples: sampled ? samples : null,
    first: size,
    after: !sampled && after ? decodeHistoryCursor(after) : null,
  };
}

/** Position of each point: (step, timestamp, index among points with that same step and timestamp). */
function positions(points: readonly WirePoint[]): [number, number, number][] {
  let tie = 0;
  return points.map((p, i) => {
    const prev = points[i - 1];
    tie = prev && orderStep(prev.step) === orderStep(p.step) && prev.timestamp === p.timestamp ? tie + 1 : 0;
    return [orderStep(p.step), p.timestamp, tie];
  });
}

function compareTuple(a: readonly number[], b: readonly number[]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function view(all: readonly WirePoint[], c: Checked): MetricHistory {
  const { afterStep, beforeStep } = c.request;
  const bounded = afterStep != null || beforeStep != null;
  const from = afterStep ?? -Infinity;
  const to = beforeStep ?? Infinity;
  const tuples = positions(all);
  // A point without a step has no place in a step range: it is served only when no bound is given.
  const inRange = all
    .map((p, i) => ({ p, pos: tuples[i] }))
    .filter(({ p }) => (p.step === null ? !bounded : p.step > from && p.step < to));
  const totalCount = inRange.length;
  if (c.samples !== null) {
    const picked = pickSampleIndices(inRange.map(({ p }) => p.value), c.samples).map((i) => toPoint(inRange[i].p));
    return { points: picked, cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount, sampled: true };
  }
  const after = c.after;
  const start = after === null ? 0 : inRange.findIndex(({ pos }) => compareTuple(pos, after) > 0);
  const rest = start < 0 ? [] : inRange.slice(start);
  const page = rest.slice(0, c.first);
  return {
    points: page.map(({ p }) => toPoint(p)),
    cursors: page.map(({ pos }) => Buffer.from(JSON.stringify([CURSOR_KIND, ...pos])).toString('base64url')),
    hasNextPage: rest.length > c.first,
    hasPreviousPage: start !== 0 && inRange.length > 0,
    totalCount,
    sampled: false,
  };
}

function toPoint(p: WirePoint): MetricPoint {
  return { step: p.step, epoch: p.epoch, value: p.value, timestamp: p.timestamp, context: p.context };
}

function decodeHistoryCursor(cursor: string): [number, number, number] {
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== CURSOR_KIND || !decoded.slice(1).every((n) => Number.isSafeInteger(n))) {
    throw new BadUserInputError(`Invalid cursor '${cursor.slice(0, 64)}': pass a cursor returned by the same history`, { field: 'after' });
  }
  return [decoded[1] as number, decoded[2] as number, decoded[3] as number];
}
