/**
 * Metric histories: raw pages by cursor, or a downsampled view of the whole range.
 *
 * Step ranges from the port are exclusive (afterStep < step < beforeStep); here they become inclusive
 * `from..to`, applied before paging, counting and sampling.
 */
import { isTrackqlError } from '../../errors';
import { checkHistoryRequest, contextOf, type MetricHistory, type MetricHistoryRequest } from '../port';
import { decodeCursor, encodeCursor } from './codec';
import type { Db } from './db';
import { SPAN_BLOCKS, blockFirstStep, blockLastStep, blockOf, type BlockExtremes, type BlockStore } from './metric-blocks';
import {
  blocksPerBucket,
  bucketCount,
  bucketOf,
  mergeIntoBucket,
  pickSampleIndices,
  seriesKey,
} from './sampling';
import { NO_LIMIT, SeriesReader, toMetricPoint, toStoredPoint, type StoredPoint } from './series-reader';
import { compareSeriesOrder, foldExtremes, type SeriesPoint } from './series-order';

/**
 * Ranges up to this many points may be downsampled by a pass over every point (exact equal-count buckets)
 * when the block rollups are too coarse for the requested resolution; bigger ranges always use the rollups.
 */
export const RAW_SAMPLING_LIMIT = 200_000;

const HISTORY_CURSOR = 'h';
const MIN_STEP = Number.MIN_SAFE_INTEGER;
const MAX_STEP = Number.MAX_SAFE_INTEGER;

interface SeriesRef {
  id: number;
  experiment_key: string;
  name: string;
  context: string;
  count: number;
}

interface StepRange {
  from: number;
  to: number;
}

const refKey = (experimentKey: string, name: string, context: string): string => `${experimentKey}\u0000${name}\u0000${context}`;

const emptyHistory = (sampled: boolean): MetricHistory => ({
  points: [],
  cursors: [],
  hasNextPage: false,
  hasPreviousPage: false,
  totalCount: 0,
  sampled,
});

export class HistoryReader {
  readonly #db: Db;
  readonly #blocks: BlockStore;
  readonly #series: SeriesReader;
  readonly #resolve;

  constructor(db: Db, blocks: BlockStore) {
    this.#db = db;
    this.#blocks = blocks;
    this.#series = new SeriesReader(db);
    this.#resolve = db.prepare<[string], SeriesRef>(
      `SELECT id, experiment_key, name, context, count FROM metrics
       WHERE (experiment_key, name, context) IN (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))`,
    );
  }

  /** One history per request, in request order; an invalid request gets its error in its slot. */
  read(requests: readonly MetricHistoryRequest[]): (MetricHistory | Error)[] {
    // One read transaction: counts and points come from the same snapshot even if another process writes.
    return this.#db.transaction(() => {
      const wanted = requests.map((request) => [request.experimentKey, request.name.trim(), contextOf(request.context) ?? ''] as const);
      const refs = new Map(this.#resolve.all(JSON.stringify(wanted)).map((ref) => [refKey(ref.experiment_key, ref.name, ref.context), ref]));
      return requests.map((request, index) => {
        try {
          return this.#readOne(refs.get(refKey(...wanted[index])), request);
        } catch (error) {
          if (isTrackqlError(error)) return error;
          throw error;
        }
      });
    })();
  }

  #readOne(ref: SeriesRef | undefined, request: MetricHistoryRequest): MetricHistory {
    const checked = checkHistoryRequest(request);
    const range = stepRange(request);
    const sampled = checked.samples !== null;
    const samples = checked.samples ?? 0;
    const first = checked.first;
    const cursor = !sampled && request.after ? decodeHistoryCursor(request.after) : null;
    if (ref === undefined || range.from > range.to) return emptyHistory(sampled);
    const totalCount = this.#count(ref, range);
    if (sampled) {
      const points = this.#sample(ref.id, range, samples, totalCount);
      return { points: points.map(toMetricPoint), cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount, sampled: true };
    }
    const rows = this.#series.page(ref.id, range.from, range.to, first + 1, cursor);
    const points = rows.slice(0, first);
    return {
      points: points.map(toMetricPoint),
      cursors: points.map((point) => encodeCursor(HISTORY_CURSOR, [point.step, point.timestamp, point.seq])),
      hasNextPage: rows.length > first,
      hasPreviousPage: cursor !== null && this.#series.hasAtOrBefore(ref.id, range.from, range.to, cursor),
      totalCount,
      sampled: false,
    };
  }

  /** Points in the range: whole inner blocks from the rollups, the two edge blocks counted raw. */
  #count(ref: SeriesRef, { from, to }: StepRange): number {
    if (from === MIN_STEP && to === MAX_STEP) return ref.count;
    const fromBlock = blockOf(from);
    const toBlock = blockOf(to);
    if (toBlock - fromBlock <= 1) return this.#series.count(ref.id, from, to);
    return (
      this.#series.count(ref.id, from, blockLastStep(fromBlock)) +
      this.#blocks.count(ref.id, fromBlock + 1, toBlock - 1) +
      this.#series.count(ref.id, blockFirstStep(toBlock), to)
    );
  }

  #sample(metricId: number, range: StepRange, samples: number, total: number): StoredPoint[] {
    const { from, to } = range;
    if (total === 0) return [];
    if (samples >= total) return this.#series.page(metricId, from, to, NO_LIMIT, null);
    const [first] = this.#series.page(metricId, from, to, 1, null);
    const last = this.#series.last(metricId, from, to) as StoredPoint;
    if (samples === 1) return [last];
    const buckets = bucketCount(samples);
    if (buckets === 0) return [first, last];
    const firstBlock = blockOf(first.step);
    const blockCount = blockOf(last.step) - firstBlock + 1;
    if (blockCount < buckets && total <= RAW_SAMPLING_LIMIT) return this.#sampleEveryPoint(metricId, range, samples);
    return this.#sampleBlocks(metricId, range, first, last, bucketGrid(firstBlock, blockCount, buckets));
  }

  /** Exact equal-count buckets from one pass over the range (used when it is small or steps are dense). */
  #sampleEveryPoint(metricId: number, { from, to }: StepRange, samples: number): StoredPoint[] {
    const rows = [...this.#series.scan(metricId, from, to)];
    const values = rows.map((row) => (row[3] === null ? Number.NaN : row[3]));
    return pickSampleIndices(values, samples).map((index) => toStoredPoint(rows[index]));
  }

  /**
   * Buckets of whole step blocks: inner blocks are bucketed in SQL over the rollups; the two edge blocks,
   * which the step range may cut, are folded from their raw points and merged in.
   */
  #sampleBlocks(metricId: number, range: StepRange, first: StoredPoint, last: StoredPoint, { origin, perBucket }: BucketGrid): StoredPoint[] {
    const firstBlock = blockOf(first.step);
    const lastBlock = blockOf(last.step);
    const buckets = this.#blocks.bucketExtremes(metricId, firstBlock + 1, lastBlock - 1, origin, perBucket);
    for (const block of new Set([firstBlock, lastBlock])) {
      const edge = this.#edgeBlock(metricId, block, range);
      if (edge !== null) mergeIntoBucket(buckets, bucketOf(block, origin, perBucket), edge);
    }
    const chosen = new Map<string, SeriesPoint>();
    for (const bucket of buckets.values()) {
      chosen.set(seriesKey(bucket.min), bucket.min);
      chosen.set(seriesKey(bucket.max), bucket.max);
    }
    chosen.delete(seriesKey(first));
    chosen.delete(seriesKey(last));
    const points = [first, ...this.#series.byKeys(metricId, [...chosen.values()]), last];
    return points.sort(compareSeriesOrder);
  }

  /** A block's rollup restricted to the range: stored when the block lies inside it, else folded raw. */
  #edgeBlock(metricId: number, block: number, { from, to }: StepRange): BlockExtremes | null {
    const blockFrom = blockFirstStep(block);
    const blockTo = blockLastStep(block);
    if (from <= blockFrom && blockTo <= to) return this.#blocks.range(metricId, block, block)[0] ?? null;
    let extremes: BlockExtremes | null = null;
    for (const row of this.#series.scan(metricId, Math.max(from, blockFrom), Math.min(to, blockTo))) {
      const point = toStoredPoint(row);
      if (extremes === null) extremes = { block, count: 1, min: point, max: point };
      else foldExtremes(extremes, point);
    }
    return extremes;
  }
}

interface BucketGrid {
  /** The block bucket 0 starts at. */
  origin: number;
  perBucket: number;
}

/**
 * Where buckets start and how many blocks each holds, so that `blockCount` blocks from `firstBlock` make
 * at most `buckets` buckets. Buckets of at least a span are made whole spans, starting on a span boundary,
 * so the rollups' span level can answer for them (metric-blocks.ts); smaller ones start at the first block.
 */
export function bucketGrid(firstBlock: number, blockCount: number, buckets: number): BucketGrid {
  const perBucket = blocksPerBucket(blockCount, buckets);
  if (perBucket < SPAN_BLOCKS) return { origin: firstBlock, perBucket };
  const origin = Math.floor(firstBlock / SPAN_BLOCKS) * SPAN_BLOCKS;
  const covered = firstBlock + blockCount - origin;
  return { origin, perBucket: SPAN_BLOCKS * Math.ceil(covered / (SPAN_BLOCKS * Math.max(1, buckets))) };
}

/** The inclusive step range of a checked request. */
function stepRange(request: MetricHistoryRequest): StepRange {
  const { afterStep, beforeStep } = request;
  return {
    from: afterStep === null || afterStep === undefined ? MIN_STEP : afterStep + 1,
    to: beforeStep === null || beforeStep === undefined ? MAX_STEP : beforeStep - 1,
  };
}

function decodeHistoryCursor(cursor: string): SeriesPoint {
  const [step, timestamp, seq] = decodeCursor(HISTORY_CURSOR, cursor, 3);
  return { step, timestamp, seq, value: 0 };
}
