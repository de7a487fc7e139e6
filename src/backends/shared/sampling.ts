/**
 * Downsampling of a metric series, as a pure function over values in series order, shared by both backends
 * so `samples: N` means the same thing everywhere.
 *
 * A sample of at most N points keeps the first and the last point of the range, and splits the rest into
 * B = floor((N - 2) / 2) buckets, keeping from each the point with the smallest and the point with the
 * largest value, so a spike is never averaged away. NaN counts as "no value" when looking for extremes; a
 * bucket whose values are all NaN keeps its first point, so the gap stays visible. Ties go to the earlier
 * point. The result is deterministic and in series order.
 */

export { MAX_SAMPLES } from '../port/limits';

/** Buckets available to a sample budget: the first and last point take two slots, each bucket up to two. */
export function bucketCount(samples: number): number {
  return Math.max(0, Math.floor((samples - 2) / 2));
}

/**
 * Indices (ascending) of the points to keep when downsampling `values` to at most `samples` points. Interior
 * points (all but the first and last) are split into buckets of equal point count.
 */
export function pickSampleIndices(values: ArrayLike<number>, samples: number): number[] {
  const count = values.length;
  if (count === 0 || samples <= 0) return [];
  if (samples >= count) return Array.from({ length: count }, (_, index) => index);
  if (samples === 1) return [count - 1];
  const interior = count - 2;
  const buckets = Math.min(bucketCount(samples), interior);
  const kept = new Set<number>([0, count - 1]);
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = 1 + Math.floor((bucket * interior) / buckets);
    const end = 1 + Math.floor(((bucket + 1) * interior) / buckets);
    const [minIndex, maxIndex] = extremeIndices(values, start, end);
    kept.add(minIndex);
    kept.add(maxIndex);
  }
  return [...kept].sort((a, b) => a - b);
}

/** Index of the smallest and of the largest value in `values[start..end)` (NaN ignored unless all NaN). */
export function extremeIndices(values: ArrayLike<number>, start: number, end: number): [number, number] {
  let minIndex = -1;
  let maxIndex = -1;
  for (let index = start; index < end; index++) {
    const value = values[index];
    if (Number.isNaN(value)) continue;
    // Strict comparisons: on a tie the earlier index stays.
    if (minIndex === -1 || value < values[minIndex]) minIndex = index;
    if (maxIndex === -1 || value > values[maxIndex]) maxIndex = index;
  }
  return minIndex === -1 ? [start, start] : [minIndex, maxIndex];
}
