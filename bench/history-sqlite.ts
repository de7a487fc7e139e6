/**
 * Measures the SQLite backend's metric hot paths: logging 10k-point batches, and reading a 1,000,000-point
 * series downsampled (and, for comparison, the two simpler designs we measured against the block rollups).
 *
 * Run: npx tsc -p bench/tsconfig.history.json && node dist/bench/history-sqlite.js
 * (or after any build that emits bench/). Options: POINTS=1000000 BATCH=10000 RUNS=20.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Backend, Caller, MetricHistoryRequest } from '../src/backends/port';
import { createSqliteBackend } from '../src/backends/sqlite';
import { pickSampleIndices } from '../src/backends/sqlite/sampling';

const POINTS = Number(process.env.POINTS ?? 1_000_000);
const BATCH = Number(process.env.BATCH ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 20);
const CALLER: Caller = { apiKey: null, keyId: 'bench' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeMs(work: () => unknown): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timeAsyncMs(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A noisy wave with one spike every 100k steps, timestamps 1 ms apart. */
function batch(name: string, from: number, size: number) {
  return Array.from({ length: size }, (_, index) => {
    const step = from + index;
    return { name, step, value: step % 100_000 === 77 ? 1e6 : Math.sin(step / 500) + (step % 7) / 10, timestamp: 1_700_000_000_000 + step };
  });
}

async function measureInsert(backend: Backend, key: string): Promise<void> {
  let total = 0;
  let elapsed = 0;
  for (let from = 0; from < POINTS; from += BATCH) {
    const points = batch('loss', from, Math.min(BATCH, POINTS - from));
    elapsed += await timeAsyncMs(() => backend.metrics.log(CALLER, key, points));
    total += points.length;
  }
  console.log(`insert: ${total} points in ${BATCH}-point batches: ${(elapsed / 1000).toFixed(2)} s = ${Math.round(total / (elapsed / 1000))} points/s`);
  const multi = Array.from({ length: BATCH }, (_, index) => ({ name: `m${index % 10}`, step: Math.floor(index / 10), value: index, timestamp: index }));
  const multiMs = await timeAsyncMs(() => backend.metrics.log(CALLER, key, multi));
  console.log(`insert: one ${BATCH}-point batch over 10 metrics: ${multiMs.toFixed(1)} ms = ${Math.round(BATCH / (multiMs / 1000))} points/s`);
}

async function measureReads(backend: Backend, key: string): Promise<void> {
  const cases: [string, MetricHistoryRequest][] = [
    ['samples=500', { experimentKey: key, name: 'loss', samples: 500 }],
    ['samples=1000', { experimentKey: key, name: 'loss', samples: 1_000 }],
    ['samples=5000', { experimentKey: key, name: 'loss', samples: 5_000 }],
    ['samples=1000, 250k<step<750k', { experimentKey: key, name: 'loss', samples: 1_000, afterStep: 250_000, beforeStep: 750_000 }],
    ['raw page first=1000 mid-series', { experimentKey: key, name: 'loss', first: 1_000, afterStep: 500_000 }],
  ];
  for (const [label, request] of cases) {
    await backend.metrics.histories(CALLER, [request]); // warm-up
    const times: number[] = [];
    let points = 0;
    for (let run = 0; run < RUNS; run++) {
      times.push(
        await timeAsyncMs(async () => {
          const [history] = await backend.metrics.histories(CALLER, [request]);
          if (history instanceof Error) throw history;
          points = history.points.length;
        }),
      );
    }
    console.log(`read ${label}: median ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms over ${RUNS} runs (${points} points)`);
  }
}

/** The two simpler designs, measured on the same file for comparison. */
function measureAlternatives(dbFile: string, key: string): void {
  const db = new Database(dbFile, { readonly: true });
  const metricId = db.prepare('SELECT id FROM metrics WHERE experiment_key = ? AND name = ?').pluck().get(key, 'loss') as number;
  const scan = db.prepare('SELECT value FROM metric_points WHERE metric_id = ? ORDER BY step, timestamp, seq').pluck();
  const scanMs = timeMs(() => pickSampleIndices((scan.all(metricId) as (number | null)[]).map((v) => v ?? Number.NaN), 1_000));
  console.log(`alternative, one pass over every value in JS (pluck + pickSampleIndices): ${scanMs.toFixed(0)} ms`);
  const width = Math.ceil(POINTS / 499);
  const grouped = (aggregate: string) =>
    db.prepare(
      `SELECT step / CAST(? AS INTEGER) AS bucket, ${aggregate}(value), step, timestamp, seq
       FROM metric_points WHERE metric_id = ? GROUP BY bucket`,
    ).raw();
  const groupMs = timeMs(() => {
    grouped('min').all(width, metricId);
    grouped('max').all(width, metricId);
  });
  console.log(`alternative, SQL GROUP BY step bucket with bare-column min() and max() (2 queries): ${groupMs.toFixed(0)} ms`);
  const countMs = timeMs(() => db.prepare('SELECT count(*) FROM metric_points WHERE metric_id = ?').pluck().get(metricId));
  console.log(`reference, SELECT count(*) over the series: ${countMs.toFixed(0)} ms`);
  db.close();
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trackql-bench-'));
  try {
    const backend = createSqliteBackend({ dataDir });
    const { key } = await backend.experiments.create(CALLER, { workspace: 'bench', project: 'history' });
    await measureInsert(backend, key);
    await measureReads(backend, key);
    await backend.close();
    measureAlternatives(path.join(dataDir, 'trackql.db'), key);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
