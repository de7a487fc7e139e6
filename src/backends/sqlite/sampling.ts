/**
 * Downsampling rules, as pure functions over values in series order (unit-tested on their own).
 *
 * A sample of at most N points keeps the first and the last point of the range, and splits the rest into
 * B = floor((N - 2) / 2) buckets, keeping from each the point with the smallest and the point with the
 * largest value, so a spike is never averaged away. NaN counts as "no value" when looking for extremes; a
 * bucket whose values are all NaN keeps its first point, so the gap stays visible. Ties go to the earlier
 * point. The result is deterministic and in series order.
 */
import type { BucketExtremes } from './metric-blocks';
import { higherPoint, lowerPoint, type SeriesPoint } from './series-order';

// The pure per-point sampling rules are shared with the Comet backend (same `samples` semantics everywhere).
export { MAX_SAMPLES, bucketCount, extremeIndices, pickSampleIndices } from '../shared/sampling';

/** Folds a block's extremes into its bucket (a bucket missing from the map starts with them). */
export function mergeIntoBucket(buckets: Map<number, BucketExtremes>, bucket: number, extremes: BucketExtremes): void {
  const current = buckets.get(bucket);
  if (current === undefined) {
    buckets.set(bucket, { min: extremes.min, max: extremes.max });
    return;
  }
  current.min = lowerPoint(current.min, extremes.min);
  current.max = higherPoint(current.max, extremes.max);
}

/** Bucket of a block when buckets of `perBucket` blocks are counted from `firstBlock`. */
export function bucketOf(block: number, firstBlock: number, perBucket: number): number {
  return Math.floor((block - firstBlock) / perBucket);
}

/** Blocks per bucket so that `blockCount` blocks make at most `buckets` buckets. */
export function blocksPerBucket(blockCount: number, buckets: number): number {
  return Math.max(1, Math.ceil(blockCount / Math.max(1, buckets)));
}

/** Identity of a point within its series, for de-duplication. */
export function seriesKey(point: SeriesPoint): string {
  return `${point.step}:${point.timestamp}:${point.seq}`;
}
