/** Downsampling rules, without a database. */
import {
  blocksPerBucket,
  bucketCount,
  bucketOf,
  extremeIndices,
  mergeIntoBucket,
  pickSampleIndices,
} from '../../src/backends/sqlite/sampling';
import { higherPoint, lowerPoint, type SeriesPoint } from '../../src/backends/sqlite/series-order';

const at = (step: number, value: number, seq = step): SeriesPoint => ({ step, timestamp: 0, seq, value });

describe('pickSampleIndices', () => {
  it('keeps every point when the budget covers them', () => {
    expect(pickSampleIndices([3, 1, 2], 3)).toEqual([0, 1, 2]);
    expect(pickSampleIndices([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('returns nothing for an empty series', () => {
    expect(pickSampleIndices([], 5)).toEqual([]);
  });

  it('keeps the last point for a budget of 1 and the first and last for 2 or 3', () => {
    const values = [5, 9, 1, 7, 3];
    expect(pickSampleIndices(values, 1)).toEqual([4]);
    expect(pickSampleIndices(values, 2)).toEqual([0, 4]);
    expect(pickSampleIndices(values, 3)).toEqual([0, 4]);
  });

  it('keeps each bucket’s min and max, so a one-point spike survives', () => {
    const values = Array.from({ length: 1_000 }, (_, index) => (index === 613 ? 1e6 : index === 77 ? -1e6 : 1));
    const kept = pickSampleIndices(values, 10);
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(kept).toEqual(expect.arrayContaining([0, 77, 613, 999]));
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
  });

  it('never exceeds the budget and is deterministic', () => {
    const values = Array.from({ length: 10_007 }, (_, index) => Math.sin(index * 0.37) * (index % 13));
    for (const samples of [4, 5, 17, 100, 1_001]) {
      const kept = pickSampleIndices(values, samples);
      expect(kept.length).toBeLessThanOrEqual(samples);
      expect(new Set(kept).size).toBe(kept.length);
      expect(pickSampleIndices(values, samples)).toEqual(kept);
    }
  });

  it('handles a budget just under the point count', () => {
    const values = [1, 2, 3, 4, 5, 6];
    const kept = pickSampleIndices(values, 5);
    expect(kept.length).toBeLessThanOrEqual(5);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(5);
  });
});

describe('extremeIndices', () => {
  it('ignores NaN and prefers the earlier index on ties', () => {
    expect(extremeIndices([Number.NaN, 2, 1, 1, 2, Number.NaN], 0, 6)).toEqual([2, 1]);
  });

  it('keeps the first point of an all-NaN bucket', () => {
    expect(extremeIndices([1, Number.NaN, Number.NaN, 1], 1, 3)).toEqual([1, 1]);
  });

  it('orders infinities as the extremes', () => {
    expect(extremeIndices([0, -Infinity, Infinity, 5], 0, 4)).toEqual([1, 2]);
  });
});

describe('extreme points of a series', () => {
  it('lets any number beat NaN, and NaN win only against NaN (earliest first)', () => {
    expect(lowerPoint(at(0, Number.NaN), at(1, 5))).toMatchObject({ step: 1 });
    expect(higherPoint(at(0, 5), at(1, Number.NaN))).toMatchObject({ step: 0 });
    expect(lowerPoint(at(3, Number.NaN), at(1, Number.NaN))).toMatchObject({ step: 1 });
  });

  it('breaks value ties by series order, whatever the argument order', () => {
    expect(lowerPoint(at(5, 1), at(2, 1))).toMatchObject({ step: 2 });
    expect(lowerPoint(at(2, 1), at(5, 1))).toMatchObject({ step: 2 });
    expect(higherPoint(at(9, Infinity), at(4, Infinity))).toMatchObject({ step: 4 });
  });
});

describe('bucketing blocks', () => {
  it('numbers buckets of whole blocks from the first block', () => {
    expect([10, 11, 12, 13, 14].map((block) => bucketOf(block, 10, 2))).toEqual([0, 0, 1, 1, 2]);
  });

  it('merges an edge block into its bucket, keeping the bucket’s extremes', () => {
    const buckets = new Map([[0, { min: at(70, -3), max: at(80, 5) }]]);
    mergeIntoBucket(buckets, 0, { min: at(1, -4), max: at(2, 5) });
    mergeIntoBucket(buckets, 3, { min: at(200, Number.NaN), max: at(200, Number.NaN) });
    expect(buckets.get(0)).toEqual({ min: at(1, -4), max: at(2, 5) });
    expect(buckets.get(3)?.min.step).toBe(200);
  });

  it('sizes buckets so the block count fits the bucket budget', () => {
    expect(blocksPerBucket(100, 10)).toBe(10);
    expect(blocksPerBucket(101, 10)).toBe(11);
    expect(blocksPerBucket(3, 10)).toBe(1);
    expect(bucketCount(2)).toBe(0);
    expect(bucketCount(500)).toBe(249);
  });
});
