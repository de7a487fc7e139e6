/**
 * Block rollups of a metric series: for every run of BLOCK_STEPS consecutive steps, the point count and the
 * points holding the min and max value. Kept current in the write transaction, read by the downsampler.
 *
 * Why: SQLite scans about 10M rows/s on this class of machine, so any pass over a 1M-point series costs
 * ≥ 100 ms (measured: 150 ms for a bare min/max/count). Bucketing the rollup rows instead reads 1/64th of
 * the data and still returns real points, because each block keeps the identity of its extremes.
 */
import type { Db } from './db';
import { decodeValue, encodeValue } from './codec';
import { mergeExtremes, type SeriesExtremes, type SeriesPoint } from './series-order';

/** Steps per block. Smaller blocks sample finer ranges without a raw scan; larger ones read fewer rows. */
export const BLOCK_STEPS = 64;

export function blockOf(step: number): number {
  return Math.floor(step / BLOCK_STEPS);
}

export function blockFirstStep(block: number): number {
  return block * BLOCK_STEPS;
}

export function blockLastStep(block: number): number {
  return block * BLOCK_STEPS + BLOCK_STEPS - 1;
}

export interface BlockExtremes extends SeriesExtremes {
  block: number;
}

type BlockTuple = [
  block: number,
  count: number,
  minValue: number | null,
  minStep: number,
  minTimestamp: number,
  minSeq: number,
  maxValue: number | null,
  maxStep: number,
  maxTimestamp: number,
  maxSeq: number,
];

type BucketTuple = [bucket: number, value: number | null, step: number, timestamp: number, seq: number];

/** Extreme points of a bucket of blocks. */
export interface BucketExtremes {
  min: SeriesPoint;
  max: SeriesPoint;
}

const bucketPoint = (row: BucketTuple): SeriesPoint => ({
  value: decodeValue(row[1]),
  step: row[2],
  timestamp: row[3],
  seq: row[4],
});

const BLOCK_COLUMNS = `block, count, min_value, min_step, min_timestamp, min_seq,
  max_value, max_step, max_timestamp, max_seq`;

function fromTuple(row: BlockTuple): BlockExtremes {
  return {
    block: row[0],
    count: row[1],
    min: { value: decodeValue(row[2]), step: row[3], timestamp: row[4], seq: row[5] },
    max: { value: decodeValue(row[6]), step: row[7], timestamp: row[8], seq: row[9] },
  };
}

const pointParams = (point: SeriesPoint): (number | null)[] => [
  encodeValue(point.value),
  point.step,
  point.timestamp,
  point.seq,
];

export class BlockStore {
  readonly #get;
  readonly #put;
  readonly #range;
  readonly #count;
  readonly #bucketMin;
  readonly #bucketMax;

  constructor(db: Db) {
    this.#get = db.prepare<[number, number], BlockTuple>(
      `SELECT ${BLOCK_COLUMNS} FROM metric_blocks WHERE metric_id = ? AND block = ?`,
    ).raw();
    this.#put = db.prepare(
      `INSERT OR REPLACE INTO metric_blocks (metric_id, ${BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#range = db.prepare<[number, number, number], BlockTuple>(
      `SELECT ${BLOCK_COLUMNS} FROM metric_blocks WHERE metric_id = ? AND block BETWEEN ? AND ? ORDER BY block`,
    ).raw();
    // One GROUP BY per extreme: with a single min() or max() aggregate, SQLite fills the bare columns from the
    // row holding that extreme (https://sqlite.org/lang_select.html#bare_columns_in_an_aggregate_query), so each
    // bucket's extreme point comes back whole. min()/max() skip NULL, i.e. NaN. The casts keep the division
    // integral: better-sqlite3 binds every JS number as a double.
    const bucketSql = (aggregate: 'min' | 'max'): string =>
      `SELECT (block - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket,
         ${aggregate}(${aggregate}_value), ${aggregate}_step, ${aggregate}_timestamp, ${aggregate}_seq
       FROM metric_blocks WHERE metric_id = ? AND block BETWEEN ? AND ? GROUP BY bucket`;
    this.#bucketMin = db.prepare<[number, number, number, number, number], BucketTuple>(bucketSql('min')).raw();
    this.#bucketMax = db.prepare<[number, number, number, number, number], BucketTuple>(bucketSql('max')).raw();
    this.#count = db.prepare<[number, number, number], number>(
      'SELECT coalesce(sum(count), 0) FROM metric_blocks WHERE metric_id = ? AND block BETWEEN ? AND ?',
    ).pluck();
  }

  /** Merges a batch's per-block extremes into the stored rollup (inside the caller's transaction). */
  merge(metricId: number, batch: ReadonlyMap<number, SeriesExtremes>): void {
    for (const [block, extremes] of batch) {
      const stored = this.#get.get(metricId, block);
      const merged = stored ? mergeExtremes(fromTuple(stored), extremes) : extremes;
      this.#put.run(metricId, block, merged.count, ...pointParams(merged.min), ...pointParams(merged.max));
    }
  }

  /** Rollup rows of blocks `fromBlock..toBlock` (inclusive), in block order. */
  range(metricId: number, fromBlock: number, toBlock: number): BlockExtremes[] {
    return this.#range.all(metricId, fromBlock, toBlock).map(fromTuple);
  }

  /** Points in blocks `fromBlock..toBlock` (inclusive). */
  count(metricId: number, fromBlock: number, toBlock: number): number {
    return this.#count.get(metricId, fromBlock, toBlock) ?? 0;
  }

  /**
   * Extremes of blocks `fromBlock..toBlock` grouped into buckets of `perBucket` blocks counted from
   * `firstBlock`, keyed by bucket number. An all-NaN bucket gets one of its NaN points.
   */
  bucketExtremes(metricId: number, fromBlock: number, toBlock: number, firstBlock: number, perBucket: number): Map<number, BucketExtremes> {
    const buckets = new Map<number, BucketExtremes>();
    if (fromBlock > toBlock) return buckets;
    const args = [firstBlock, perBucket, metricId, fromBlock, toBlock] as const;
    for (const row of this.#bucketMin.all(...args)) buckets.set(row[0], { min: bucketPoint(row), max: bucketPoint(row) });
    for (const row of this.#bucketMax.all(...args)) {
      const bucket = buckets.get(row[0]);
      if (bucket) bucket.max = bucketPoint(row);
    }
    return buckets;
  }
}
