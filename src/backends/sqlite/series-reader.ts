/** Raw reads of one metric series over an inclusive step range, in series order (step, timestamp, seq). */
import type { MetricPoint } from '../port';
import { decodeValue } from './codec';
import type { Db } from './db';
import type { SeriesPoint } from './series-order';

/** A stored point as read in raw mode: [step, timestamp, seq, value (NULL = NaN), epoch, context]. */
export type PointTuple = [
  step: number,
  timestamp: number,
  seq: number,
  value: number | null,
  epoch: number | null,
  context: string | null,
];

/** A point with its position in the series, as the reader returns it. */
export interface StoredPoint extends SeriesPoint {
  epoch: number | null;
  context: string | null;
}

export function toStoredPoint(row: PointTuple): StoredPoint {
  return { step: row[0], timestamp: row[1], seq: row[2], value: decodeValue(row[3]), epoch: row[4], context: row[5] };
}

export function toMetricPoint(point: StoredPoint): MetricPoint {
  return { step: point.step, epoch: point.epoch, value: point.value, timestamp: point.timestamp, context: point.context };
}

const POINT_COLUMNS = 'step, timestamp, seq, value, epoch, context';
const IN_RANGE = 'metric_id = ? AND step BETWEEN ? AND ?';
const SERIES_ORDER = 'ORDER BY step, timestamp, seq';
/** SQLite's "no limit". */
export const NO_LIMIT = -1;

export class SeriesReader {
  readonly #head;
  readonly #after;
  readonly #atOrBefore;
  readonly #last;
  readonly #count;
  readonly #byKeys;

  constructor(db: Db) {
    this.#head = db.prepare<[number, number, number, number], PointTuple>(
      `SELECT ${POINT_COLUMNS} FROM metric_points WHERE ${IN_RANGE} ${SERIES_ORDER} LIMIT ?`,
    ).raw();
    this.#after = db.prepare<[number, number, number, number, number, number, number], PointTuple>(
      `SELECT ${POINT_COLUMNS} FROM metric_points WHERE ${IN_RANGE} AND (step, timestamp, seq) > (?, ?, ?)
       ${SERIES_ORDER} LIMIT ?`,
    ).raw();
    this.#atOrBefore = db.prepare<[number, number, number, number, number, number], number>(
      `SELECT 1 FROM metric_points WHERE ${IN_RANGE} AND (step, timestamp, seq) <= (?, ?, ?) LIMIT 1`,
    ).pluck();
    this.#last = db.prepare<[number, number, number], PointTuple>(
      `SELECT ${POINT_COLUMNS} FROM metric_points WHERE ${IN_RANGE}
       ORDER BY step DESC, timestamp DESC, seq DESC LIMIT 1`,
    ).raw();
    this.#count = db.prepare<[number, number, number], number>(
      `SELECT count(*) FROM metric_points WHERE ${IN_RANGE}`,
    ).pluck();
    this.#byKeys = db.prepare<[string, number], PointTuple>(
      // CROSS JOIN pins json_each as the outer loop: left to itself the planner scans the whole series per key.
      `SELECT p.step, p.timestamp, p.seq, p.value, p.epoch, p.context
       FROM json_each(?) AS j
       CROSS JOIN metric_points AS p
         ON p.metric_id = ? AND p.step = j.value ->> 0 AND p.timestamp = j.value ->> 1 AND p.seq = j.value ->> 2
       ORDER BY p.step, p.timestamp, p.seq`,
    ).raw();
  }

  /** Up to `limit` points with from ≤ step ≤ to, after `cursor` (exclusive) when given. */
  page(metricId: number, from: number, to: number, limit: number, cursor: SeriesPoint | null): StoredPoint[] {
    const rows = cursor
      ? this.#after.all(metricId, from, to, cursor.step, cursor.timestamp, cursor.seq, limit)
      : this.#head.all(metricId, from, to, limit);
    return rows.map(toStoredPoint);
  }

  /** Whether a point of the range sits at or before `cursor`: a page after it has a previous page. */
  hasAtOrBefore(metricId: number, from: number, to: number, cursor: SeriesPoint): boolean {
    return this.#atOrBefore.get(metricId, from, to, cursor.step, cursor.timestamp, cursor.seq) !== undefined;
  }

  /** Every point in the range, streamed (for a downsampling pass). */
  *scan(metricId: number, from: number, to: number): IterableIterator<PointTuple> {
    yield* this.#head.iterate(metricId, from, to, NO_LIMIT);
  }

  last(metricId: number, from: number, to: number): StoredPoint | null {
    const row = this.#last.get(metricId, from, to);
    return row ? toStoredPoint(row) : null;
  }

  count(metricId: number, from: number, to: number): number {
    return this.#count.get(metricId, from, to) ?? 0;
  }

  /** The stored points at the given series positions, in series order (missing positions are skipped). */
  byKeys(metricId: number, keys: readonly SeriesPoint[]): StoredPoint[] {
    if (keys.length === 0) return [];
    const json = JSON.stringify(keys.map((key) => [key.step, key.timestamp, key.seq]));
    return this.#byKeys.all(json, metricId).map(toStoredPoint);
  }
}
