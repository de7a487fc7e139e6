/**
 * Reading production monitoring: aggregates from the per-minute rollups (counts, bins, categories), and from
 * the raw value rows only what rollups cannot answer (listing events, exact percentiles, outputs paired with
 * their labels). A window is taken to the minute: [floor(from), ceil(to)) in minutes.
 */
import { BadUserInputError, NotFoundError } from '../../errors';
import {
  INTERVAL_MS, bucketStarts, type CountsRequest, type Distribution, type DistributionRequest, type DriftRequest, type FeatureValue,
  type LabelMetricRequest, type MonitoredFeature, type Page, type Prediction, type PredictionsRequest, type TimeBucket,
} from '../port';
import { drift, labelMetric, quantile, type Atom, type Labelled } from '../shared/drift';
import type { Db } from './db';
import { Part, SOURCES, type FeatureRow } from './monitoring-store';

const MINUTE = 60_000;
const ALL_TIME = { from: 0, to: 8_640_000_000_000_000 };

interface Window {
  lo: number;
  hi: number;
}

function windowOf(from: number | null | undefined, to: number | null | undefined): Window {
  const f = from ?? ALL_TIME.from;
  const t = to ?? ALL_TIME.to;
  return { lo: Math.floor(f / MINUTE), hi: Math.ceil(t / MINUTE) };
}

function encodeCursor(ts: number, id: number): string {
  return Buffer.from(`${ts}:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  const match = /^(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new BadUserInputError('after is not a cursor of this list', { field: 'after' });
  return [Number(match[1]), Number(match[2])];
}

export class MonitoringReader {
  readonly #db: Db;
  readonly #feature;
  readonly #seriesOf;
  readonly #counts;
  readonly #bins;
  readonly #categories;
  readonly #features;

  constructor(db: Db) {
    this.#db = db;
    this.#feature = db.prepare<[number, number, string], FeatureRow>('SELECT id, source, name, numerical, edges, edges_ref FROM mpm_features WHERE model = ? AND source = ? AND name = ?');
    this.#seriesOf = db.prepare<[number, number], number>('SELECT id FROM mpm_series WHERE feature = ? AND part = ?').pluck();
    this.#counts = db.prepare<[number, number, number, number], [number, number]>(
      'SELECT minute, count FROM mpm_counts WHERE model = ? AND part = ? AND minute >= ? AND minute < ? AND count > 0').raw();
    this.#bins = db.prepare<[number, number, number], [number, number, number, number]>(
      'SELECT minute, bin, count, sum FROM mpm_bins WHERE series = ? AND minute >= ? AND minute < ? AND count > 0').raw();
    this.#categories = db.prepare<[number, number, number], [number, string, number]>(
      'SELECT minute, value, count FROM mpm_categories WHERE series = ? AND minute >= ? AND minute < ? AND count > 0').raw();
    this.#features = db.prepare<[number], FeatureRow>('SELECT id, source, name, numerical, edges, edges_ref FROM mpm_features WHERE model = ? ORDER BY source, name');
  }

  features(model: number | null): MonitoredFeature[] {
    if (model === null) return [];
    return this.#features.all(model).map((f) => ({ name: f.name, source: SOURCES[f.source], type: f.numerical ? 'NUMERICAL' : 'CATEGORICAL' }));
  }

  predictions(model: number | null, request: PredictionsRequest): Page<Prediction> {
    const empty = { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 };
    if (model === null) return empty;
    const lo = request.from ?? ALL_TIME.from;
    const hi = request.to ?? ALL_TIME.to;
    const byId = request.predictionId != null ? ' AND prediction_id = @pid' : '';
    const params = { model, part: Part.production, lo, hi, pid: request.predictionId ?? null, ts: -1, id: -1, limit: request.first + 1 };
    const where = `model = @model AND part = @part AND ts >= @lo AND ts < @hi${byId}`;
    const totalCount = this.#db.prepare<typeof params, number>(`SELECT count(*) FROM mpm_events WHERE ${where}`).pluck().get(params) ?? 0;
    if (request.after) [params.ts, params.id] = decodeCursor(request.after);
    const rows = this.#db.prepare<typeof params, { id: number; prediction_id: string; ts: number }>(
      `SELECT id, prediction_id, ts FROM mpm_events WHERE ${where} AND (ts > @ts OR (ts = @ts AND id > @id)) ORDER BY ts, id LIMIT @limit`).all(params);
    const page = rows.slice(0, request.first);
    const values = this.#db.prepare<[number, number, number], { source: number; name: string; num: number | null; txt: string | null }>(
      `SELECT f.source, f.name, v.num, v.txt FROM mpm_features f JOIN mpm_series s ON s.feature = f.id AND s.part = 0
       JOIN mpm_values v ON v.series = s.id AND v.ts = ? AND v.event = ? WHERE f.model = ? ORDER BY f.name`);
    const items = page.map((row): Prediction => {
      const groups: Record<string, FeatureValue>[] = [{}, {}, {}];
      for (const v of values.all(row.ts, row.id, model)) groups[v.source][v.name] = v.num ?? (v.txt as string);
      return { predictionId: row.prediction_id, timestamp: row.ts, features: groups[0], prediction: groups[1], labels: groups[2] };
    });
    return {
      items,
      cursors: page.map((row) => encodeCursor(row.ts, row.id)),
      hasNextPage: rows.length > request.first,
      // An event of the range at or before the cursor comes before this page.
      hasPreviousPage: request.after != null && (this.#db.prepare<typeof params, number>(
        `SELECT EXISTS (SELECT 1 FROM mpm_events WHERE ${where} AND (ts < @ts OR (ts = @ts AND id <= @id)))`).pluck().get(params) ?? 0) === 1,
      totalCount,
    };
  }

  counts(model: number | null, request: CountsRequest): TimeBucket[] {
    const starts = bucketStarts(request.from, request.to, request.interval);
    const size = INTERVAL_MS[request.interval];
    const buckets = new Map(starts.map((start) => [start, 0]));
    if (model !== null) {
      const w = windowOf(request.from, request.to);
      for (const [minute, count] of this.#counts.all(model, Part.production, w.lo, w.hi)) {
        const start = Math.floor((minute * MINUTE) / size) * size;
        buckets.set(start, (buckets.get(start) ?? 0) + count);
      }
    }
    return starts.map((start) => ({ start, value: buckets.get(start) ?? 0, count: buckets.get(start) ?? 0 }));
  }

  distribution(model: number | null, request: DistributionRequest): Distribution {
    const feature = this.#requireFeature(model, request);
    const w = windowOf(request.from, request.to);
    const series = this.#seriesOf.get(feature.id, Part.production);
    const events = this.#eventCount(model as number, w);
    if (feature.numerical) {
      const edges = JSON.parse(feature.edges as string) as number[];
      const counts = new Array<number>(edges.length - 1).fill(0);
      if (series !== undefined) for (const [, bin, count] of this.#bins.all(series, w.lo, w.hi)) counts[bin] += count;
      const total = counts.reduce((n, c) => n + c, 0);
      return {
        type: 'NUMERICAL',
        bins: counts.map((count, i) => ({ start: edges[i], end: edges[i + 1], count })),
        categories: [],
        percentiles: series === undefined ? null : this.#percentiles(series, w),
        missing: Math.max(0, events - total),
      };
    }
    const byValue = new Map<string, number>();
    if (series !== undefined) for (const [, value, count] of this.#categories.all(series, w.lo, w.hi)) byValue.set(value, (byValue.get(value) ?? 0) + count);
    const categories = [...byValue].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    const total = categories.reduce((n, c) => n + c.count, 0);
    return { type: 'CATEGORICAL', bins: [], categories, percentiles: null, missing: Math.max(0, events - total) };
  }

  drift(model: number | null, request: DriftRequest): TimeBucket[] {
    const feature = this.#requireFeature(model, request);
    if (request.algorithm === 'EMD' && !feature.numerical) {
      throw new BadUserInputError(`EMD is defined for numerical features only, and '${request.feature}' is categorical: use PSI or KL`, { field: 'algorithm' });
    }
    const series = this.#seriesOf.get(feature.id, Part.production);
    if (series === undefined) return [];
    const size = INTERVAL_MS[request.interval];
    const w = windowOf(request.from, request.to);
    const buckets = this.#atomsByBucket(series, feature, w, size);
    const starts = [...buckets.keys()].sort((a, b) => a - b);
    if (starts.length === 0) return [];
    if (request.from != null && request.to != null) bucketStarts(request.from, request.to, request.interval);
    let reference: Atom[];
    if (request.reference === 'FIRST_WINDOW') reference = buckets.get(starts[0]) as Atom[];
    else {
      const refSeries = this.#seriesOf.get(feature.id, Part.reference);
      if (refSeries === undefined) {
        throw new BadUserInputError(`No reference data was logged for '${request.feature}': log it with logReferenceData, or ask for reference: FIRST_WINDOW`, { field: 'reference' });
      }
      reference = this.#atomsByBucket(refSeries, feature, ALL_TIME_WINDOW, Number.MAX_SAFE_INTEGER).get(0) ?? [];
    }
    return starts.map((start) => {
      const atoms = buckets.get(start) as Atom[];
      return { start, value: drift(request.algorithm, atoms, reference), count: atoms.reduce((n, a) => n + a.count, 0) };
    });
  }

  labelMetric(model: number | null, request: LabelMetricRequest): TimeBucket[] {
    if (model === null) return [];
    const output = this.#feature.get(model, 1, request.output);
    const label = this.#feature.get(model, 2, request.label);
    if (output === undefined || label === undefined) return [];
    const outSeries = this.#seriesOf.get(output.id, Part.production);
    const labelSeries = this.#seriesOf.get(label.id, Part.production);
    if (outSeries === undefined || labelSeries === undefined) return [];
    const lo = request.from ?? ALL_TIME.from;
    const hi = request.to ?? ALL_TIME.to;
    const size = INTERVAL_MS[request.interval];
    const rows = this.#db.prepare<[number, number, number, number], [number, number | null, string | null, number | null, string | null]>(
      `SELECT o.ts, o.num, o.txt, l.num, l.txt FROM mpm_values o JOIN mpm_values l ON l.series = ? AND l.ts = o.ts AND l.event = o.event
       WHERE o.series = ? AND o.ts >= ? AND o.ts < ?`).raw().all(labelSeries, outSeries, lo, hi);
    const buckets = new Map<number, Labelled[]>();
    for (const [ts, on, ot, ln, lt] of rows) {
      const start = Math.floor(ts / size) * size;
      const list = buckets.get(start) ?? [];
      list.push({ output: on ?? (ot as string), label: ln ?? (lt as string) });
      buckets.set(start, list);
    }
    return [...buckets.keys()].sort((a, b) => a - b).flatMap((start) => {
      const pairs = buckets.get(start) as Labelled[];
      const value = labelMetric(request.metric, pairs);
      return value === null ? [] : [{ start, value, count: pairs.length }];
    });
  }

  /** Atoms (bins with their means, or categories) per bucket of `size` ms. */
  #atomsByBucket(series: number, feature: FeatureRow, w: Window, size: number): Map<number, Atom[]> {
    const cells = new Map<number, Map<string, { count: number; sum: number }>>();
    const add = (minute: number, key: string, count: number, sum: number) => {
      const start = size >= Number.MAX_SAFE_INTEGER ? 0 : Math.floor((minute * MINUTE) / size) * size;
      let bucket = cells.get(start);
      if (!bucket) cells.set(start, (bucket = new Map()));
      const cell = bucket.get(key) ?? { count: 0, sum: 0 };
      cell.count += count;
      cell.sum += sum;
      bucket.set(key, cell);
    };
    if (feature.numerical) for (const [minute, bin, count, sum] of this.#bins.all(series, w.lo, w.hi)) add(minute, String(bin).padStart(3, '0'), count, sum);
    else for (const [minute, value, count] of this.#categories.all(series, w.lo, w.hi)) add(minute, value, count, 0);
    const out = new Map<number, Atom[]>();
    for (const [start, bucket] of cells) {
      out.set(start, [...bucket].map(([key, c]) => (feature.numerical ? { key, count: c.count, mean: c.sum / c.count } : { key, count: c.count })));
    }
    return out;
  }

  #percentiles(series: number, w: Window) {
    const values = this.#db.prepare<[number, number, number], number>('SELECT num FROM mpm_values WHERE series = ? AND ts >= ? AND ts < ?').pluck()
      .all(series, w.lo * MINUTE, w.hi * MINUTE);
    if (values.length === 0) return null;
    const sorted = Float64Array.from(values).sort();
    return { min: sorted[0], p25: quantile(sorted, 0.25), p50: quantile(sorted, 0.5), p75: quantile(sorted, 0.75), p95: quantile(sorted, 0.95), max: sorted[sorted.length - 1] };
  }

  /** Predictions of the window (a label waiting for its prediction is not one). */
  #eventCount(model: number, w: Window): number {
    return this.#counts.all(model, Part.production, w.lo, w.hi).reduce((n, [, c]) => n + c, 0);
  }

  #requireFeature(model: number | null, request: DistributionRequest): FeatureRow {
    const feature = model === null ? undefined : this.#feature.get(model, SOURCES.indexOf(request.source), request.feature);
    if (feature === undefined) {
      throw new NotFoundError(`No ${request.source.toLowerCase()} feature '${request.feature}' was logged for this model version`, { field: 'feature' });
    }
    return feature;
  }
}

const ALL_TIME_WINDOW: Window = windowOf(null, null);
