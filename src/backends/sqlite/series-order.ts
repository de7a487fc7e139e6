/**
 * The order of a metric series and the extremes over it. Pure functions shared by the write path (summaries
 * and block rollups kept current on write) and the read path (downsampling).
 *
 * Series order is (step, timestamp, seq), where seq is the point's insertion number within its series, so
 * two points logged at the same step and millisecond still have a stable order.
 */

/** Where a point sits in its series, and its value (may be NaN or ±Infinity). */
export interface SeriesPoint {
  step: number;
  timestamp: number;
  seq: number;
  value: number;
}

export function compareSeriesOrder(a: SeriesPoint, b: SeriesPoint): number {
  return a.step - b.step || a.timestamp - b.timestamp || a.seq - b.seq;
}

export function laterPoint<P extends SeriesPoint>(current: P | null, candidate: P): P {
  return current === null || compareSeriesOrder(candidate, current) > 0 ? candidate : current;
}

/**
 * The point holding the smallest value: NaN loses to any number (NaN is "no value", so it wins only when
 * every value is NaN); ties go to the earlier point, so the answer does not depend on arrival order.
 */
export function lowerPoint<P extends SeriesPoint>(current: P | null, candidate: P): P {
  return extremePoint(current, candidate, -1);
}

/** The point holding the largest value; same NaN and tie rules as `lowerPoint`. */
export function higherPoint<P extends SeriesPoint>(current: P | null, candidate: P): P {
  return extremePoint(current, candidate, 1);
}

function extremePoint<P extends SeriesPoint>(current: P | null, candidate: P, sign: 1 | -1): P {
  if (current === null) return candidate;
  const currentNaN = Number.isNaN(current.value);
  const candidateNaN = Number.isNaN(candidate.value);
  if (currentNaN !== candidateNaN) return currentNaN ? candidate : current;
  if (!currentNaN && candidate.value !== current.value) {
    const candidateWins = sign > 0 ? candidate.value > current.value : candidate.value < current.value;
    return candidateWins ? candidate : current;
  }
  return compareSeriesOrder(candidate, current) < 0 ? candidate : current;
}

/** Count and extreme points of a run of points (what a block rollup keeps). */
export interface SeriesExtremes {
  count: number;
  min: SeriesPoint;
  max: SeriesPoint;
}

/** Extremes plus the last point (what a metric summary keeps). */
export interface SeriesAggregate extends SeriesExtremes {
  last: SeriesPoint;
}

export function aggregateOf(point: SeriesPoint): SeriesAggregate {
  return { count: 1, min: point, max: point, last: point };
}

/** Folds `point` into `extremes` in place (hot path: one call per logged point). */
export function foldExtremes(extremes: SeriesExtremes, point: SeriesPoint): void {
  extremes.count += 1;
  extremes.min = lowerPoint(extremes.min, point);
  extremes.max = higherPoint(extremes.max, point);
}

export function foldPoint(aggregate: SeriesAggregate, point: SeriesPoint): void {
  foldExtremes(aggregate, point);
  aggregate.last = laterPoint(aggregate.last, point);
}

export function mergeExtremes(a: SeriesExtremes, b: SeriesExtremes): SeriesExtremes {
  return { count: a.count + b.count, min: lowerPoint(a.min, b.min), max: higherPoint(a.max, b.max) };
}

export function mergeAggregates(a: SeriesAggregate, b: SeriesAggregate): SeriesAggregate {
  return { ...mergeExtremes(a, b), last: laterPoint(a.last, b.last) };
}
