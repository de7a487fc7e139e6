/**
 * SQLite-only: the summaries and block rollups kept on write agree with the raw points, whatever the order
 * and batching of the writes, and downsampling over them keeps the range's extremes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Backend, MetricHistory, MetricPointInput } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { BLOCK_STEPS, BlockStore, SPAN_BLOCKS } from '../../src/backends/sqlite/metric-blocks';
import { bucketGrid } from '../../src/backends/sqlite/history';
import { CALLER } from './port/support';

/** Small seeded PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RollupRow {
  block: number;
  count: number;
  min_value: number | null;
  max_value: number | null;
}

describe('sqlite backend: rollups kept on write', () => {
  let dataDir: string;
  let backend: Backend;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trackql-rollups-'));
    backend = createSqliteBackend({ dataDir });
  });
  afterEach(async () => {
    await backend.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** 6,000 points over steps 0..2999 (repeats included), shuffled, with NaN and ±Infinity, in uneven batches. */
  async function logShuffled(key: string, seed: number): Promise<MetricPointInput[]> {
    const next = random(seed);
    const points: MetricPointInput[] = Array.from({ length: 6_000 }, (_, index) => {
      const roll = next();
      const value = roll < 0.05 ? Number.NaN : roll < 0.06 ? Infinity : roll < 0.07 ? -Infinity : Math.round(next() * 1e6) / 1e3;
      return { name: 'm', step: Math.floor(next() * 3_000), value, timestamp: 1_000 + index };
    });
    for (let index = points.length - 1; index > 0; index--) {
      const other = Math.floor(next() * (index + 1));
      [points[index], points[other]] = [points[other], points[index]];
    }
    for (let offset = 0; offset < points.length; ) {
      const size = 1 + Math.floor(next() * 900);
      await backend.metrics.log(CALLER, key, points.slice(offset, offset + size));
      offset += size;
    }
    return points;
  }

  const finite = (values: number[]) => values.filter((value) => !Number.isNaN(value));

  it.each([1, 2, 3])('matches block rollups and the summary to the raw points (seed %i)', async (seed) => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    const points = await logShuffled(key, seed);
    const db = new Database(path.join(dataDir, 'trackql.db'), { readonly: true });
    try {
      const rollups = db.prepare('SELECT block, count, min_value, max_value FROM metric_blocks ORDER BY block').all() as RollupRow[];
      const byBlock = new Map<number, number[]>();
      for (const point of points) {
        const block = Math.floor(point.step / BLOCK_STEPS);
        byBlock.set(block, [...(byBlock.get(block) ?? []), point.value]);
      }
      expect(rollups.map((row) => row.block)).toEqual([...byBlock.keys()].sort((a, b) => a - b));
      for (const row of rollups) {
        const values = byBlock.get(row.block) as number[];
        const numbers = finite(values);
        expect(row.count).toBe(values.length);
        expect(row.min_value).toBe(numbers.length ? Math.min(...numbers) : null);
        expect(row.max_value).toBe(numbers.length ? Math.max(...numbers) : null);
      }
    } finally {
      db.close();
    }
    const [[summary]] = (await backend.metrics.summaries(CALLER, [key])) as { min: number; max: number; count: number; last: number; lastStep: number }[][];
    const numbers = finite(points.map((point) => point.value));
    const last = [...points].sort((a, b) => a.step - b.step || (a.timestamp as number) - (b.timestamp as number)).pop() as MetricPointInput;
    expect(summary).toMatchObject({ count: 6_000, min: Math.min(...numbers), max: Math.max(...numbers), lastStep: last.step });
    expect(Object.is(summary.last, last.value)).toBe(true);
  });

  it.each([
    [50, null, null],
    [50, 700, 2_300],
    [400, 33, 2_999],
    [12, 1_000, 1_130],
  ])('samples %i points (after %p, before %p) keeping the range’s first, last, min and max', async (samples, afterStep, beforeStep) => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    await logShuffled(key, 7);
    const request = { experimentKey: key, name: 'm', afterStep, beforeStep };
    const [raw] = (await backend.metrics.histories(CALLER, [{ ...request, first: 10_000 }])) as MetricHistory[];
    const [sampled] = (await backend.metrics.histories(CALLER, [{ ...request, samples }])) as MetricHistory[];
    expect(sampled.totalCount).toBe(raw.totalCount);
    expect(sampled.points.length).toBeLessThanOrEqual(samples);
    expect(sampled.points[0]).toEqual(raw.points[0]);
    expect(sampled.points[sampled.points.length - 1]).toEqual(raw.points[raw.points.length - 1]);
    const numbers = finite(raw.points.map((point) => point.value));
    const values = sampled.points.map((point) => point.value);
    expect(values).toContain(Math.min(...numbers));
    expect(values).toContain(Math.max(...numbers));
    // Every sampled point is a stored point, in series order.
    const position = new Map(raw.points.map((point, index) => [JSON.stringify(point), index]));
    const positions = sampled.points.map((point) => position.get(JSON.stringify(point)));
    expect(positions.every((index) => index !== undefined)).toBe(true);
    expect(positions).toEqual([...(positions as number[])].sort((a, b) => a - b));
  });

  /** 60,000 points over steps 0..59,999 with spikes, NaN and ties, in batches of 5,000: 938 blocks, 59 spans. */
  async function logLong(key: string): Promise<void> {
    const next = random(11);
    for (let start = 0; start < 60_000; start += 5_000) {
      await backend.metrics.log(CALLER, key, Array.from({ length: 5_000 }, (_, i) => {
        const roll = next();
        const value = roll < 0.01 ? Number.NaN : roll < 0.02 ? 1_000 : roll < 0.03 ? -1_000 : Math.round(next() * 100);
        return { name: 'm', step: start + i, value, timestamp: 1_000 + start + i };
      }));
    }
  }

  it('keeps span rollups that agree with the blocks, and buckets alike from either level', async () => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    await logLong(key);
    const db = new Database(path.join(dataDir, 'trackql.db'));
    try {
      const spans = db.prepare('SELECT span, count FROM metric_spans ORDER BY span').all() as { span: number; count: number }[];
      const blocks = db.prepare('SELECT block, count FROM metric_blocks ORDER BY block').all() as { block: number; count: number }[];
      expect(spans.map((row) => row.span)).toEqual([...new Set(blocks.map((row) => Math.floor(row.block / SPAN_BLOCKS)))]);
      expect(spans.reduce((n, row) => n + row.count, 0)).toBe(60_000);
      const metricId = db.prepare('SELECT id FROM metrics').pluck().get() as number;
      const store = new BlockStore(db);
      for (const [from, to, buckets] of [[1, 936, 20], [5, 900, 7], [17, 31, 1], [3, 700, 40]] as const) {
        const { origin, perBucket } = bucketGrid(from - 1, to - from + 2, buckets);
        store.useSpans = true;
        const viaSpans = store.bucketExtremes(metricId, from, to, origin, perBucket);
        store.useSpans = false;
        const viaBlocks = store.bucketExtremes(metricId, from, to, origin, perBucket);
        expect([from, to, [...viaSpans.entries()]]).toEqual([from, to, [...viaBlocks.entries()]]);
        expect(viaSpans.size).toBeLessThanOrEqual(buckets);
      }
    } finally {
      db.close();
    }
  });

  it.each([
    [100, null, null],
    [1_000, 1_234, 58_765],
  ])('samples a long series (%i samples, after %p, before %p) from the span rollups, keeping first, last, min and max', async (samples, afterStep, beforeStep) => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    await logLong(key);
    const request = { experimentKey: key, name: 'm', afterStep, beforeStep };
    const raw: MetricHistory['points'] = [];
    for (let after: string | null = null; ;) {
      const [page] = (await backend.metrics.histories(CALLER, [{ ...request, first: 10_000, after }])) as MetricHistory[];
      raw.push(...page.points);
      if (!page.hasNextPage) break;
      after = page.cursors[page.cursors.length - 1];
    }
    const [sampled] = (await backend.metrics.histories(CALLER, [{ ...request, samples }])) as MetricHistory[];
    expect(sampled).toMatchObject({ sampled: true, totalCount: raw.length });
    expect(sampled.points.length).toBeLessThanOrEqual(samples);
    expect(sampled.points.length).toBeGreaterThan(samples / 2);
    expect(sampled.points[0]).toEqual(raw[0]);
    expect(sampled.points[sampled.points.length - 1]).toEqual(raw[raw.length - 1]);
    const values = sampled.points.map((point) => point.value);
    expect(values).toContain(1_000);
    expect(values).toContain(-1_000);
    const position = new Map(raw.map((point, index) => [JSON.stringify(point), index]));
    const positions = sampled.points.map((point) => position.get(JSON.stringify(point)));
    expect(positions.every((index) => index !== undefined)).toBe(true);
    expect(positions).toEqual([...(positions as number[])].sort((a, b) => a - b));
  });

  it('fills the span rollups of a data dir from before them exactly as writes keep them', async () => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    await logShuffled(key, 5);
    await logLong((await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' })).key);
    await backend.close();
    const file = path.join(dataDir, 'trackql.db');
    const db = new Database(file);
    const kept = db.prepare('SELECT * FROM metric_spans ORDER BY metric_id, span').all();
    expect(kept.length).toBeGreaterThan(50);
    // As the previous release left it: no span level, schema version 9.
    db.exec('DROP TABLE metric_spans');
    db.pragma('user_version = 9');
    db.close();
    backend = createSqliteBackend({ dataDir });
    await backend.readiness();
    const reopened = new Database(file, { readonly: true });
    try {
      expect(reopened.prepare('SELECT * FROM metric_spans ORDER BY metric_id, span').all()).toEqual(kept);
    } finally {
      reopened.close();
    }
  });
});
