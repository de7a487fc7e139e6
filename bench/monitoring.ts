/**
 * Production monitoring on the embedded store: prediction events with 20 features logged in column form
 * through the monitoring service (what `logPredictions` calls after GraphQL has parsed its input) against raw
 * better-sqlite3 inserting the same event and value rows into the same tables, one transaction per
 * 10,000-event batch; then `featureDrift` (24 hourly buckets) and `predictionCounts` over the whole window.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Backend, ModelVersionRef } from '../src/backends/port';
import { createSqliteBackend } from '../src/backends/sqlite';
import { ANONYMOUS } from '../src/server/identity';
import { MonitoringService, type RawColumns } from '../src/services/monitoring.service';
import { tempDir } from '../test/support/gateway';
import { formatSpread, spreadOf } from './lib/repeat';
import { round, summarize, type Summary } from './lib/stats';
import type { BenchResult, Benchmark } from './lib/types';

const FEATURES = 20;
const BATCH = 10_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const REF: ModelVersionRef = { workspace: 'bench', modelName: 'churn', version: '1.0.0' };

/** Feature f of event n: deterministic, drifting with the hour for even features. */
const valueOf = (n: number, f: number, total: number): number => ((n * 7919 + f * 104729) % 1000) / 10 + (f % 2 === 0 ? (n / total) * 20 : 0);
const timeOf = (n: number, total: number): number => T0 + Math.floor((n * 24 * HOUR) / total);

function columns(offset: number, total: number): RawColumns {
  const ids = Array.from({ length: BATCH }, (_, i) => `p${offset + i}`);
  return {
    predictionIds: ids,
    timestamps: ids.map((_, i) => timeOf(offset + i, total)),
    features: Array.from({ length: FEATURES }, (_, f) => ({ name: `f${f}`, values: ids.map((_, i) => valueOf(offset + i, f, total)) })),
  };
}

async function registered(dir: string): Promise<Backend> {
  const backend = createSqliteBackend({ dataDir: dir });
  const { key } = await backend.experiments.create(ANONYMOUS, { workspace: 'bench', project: 'monitoring' });
  const { Readable } = await import('node:stream');
  await backend.assets.put(ANONYMOUS, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName: 'net', maxBytes: 10 }, Readable.from([Buffer.from('w')]));
  await backend.registry.register(ANONYMOUS, { experimentKey: key, experimentModelName: 'net', registryName: REF.modelName, version: REF.version });
  return backend;
}

/** Events per second through the service and the SQLite port (validation, merge checks, typed rows, rollups). */
async function serviceRate(dir: string, total: number, progress: (f: number) => void): Promise<{ rate: number; backend: Backend }> {
  const backend = await registered(dir);
  const service = new MonitoringService(backend, () => T0 + 48 * HOUR);
  const start = process.hrtime.bigint();
  for (let offset = 0; offset < total; offset += BATCH) {
    await service.logPredictions(ANONYMOUS, { workspace: REF.workspace, modelName: REF.modelName, modelVersion: REF.version }, null, columns(offset, total));
    progress(offset / total);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { rate: (total / ms) * 1000, backend };
}

/** The same rows with plain prepared inserts into the same tables: events and typed values, no rollups, no checks. */
async function rawRate(dir: string, total: number): Promise<number> {
  const backend = await registered(dir);
  // One event through the port creates the model and its 20 feature series, as the first real write would.
  await backend.monitoring.log(ANONYMOUS, REF, [{ predictionId: 'seed', timestamp: T0, features: Object.fromEntries(Array.from({ length: FEATURES }, (_, f) => [`f${f}`, 1])), prediction: {}, labels: {} }]);
  await backend.close();
  const db = new Database(path.join(dir, 'trackql.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const model = db.prepare('SELECT id FROM mpm_models').pluck().get() as number;
  const series = db.prepare('SELECT s.id FROM mpm_series s JOIN mpm_features f ON f.id = s.feature ORDER BY f.name').pluck().all() as number[];
  const event = db.prepare('INSERT INTO mpm_events (model, part, prediction_id, ts, predicted) VALUES (?, 0, ?, ?, 1)');
  const value = db.prepare('INSERT INTO mpm_values (series, ts, event, num, txt) VALUES (?, ?, ?, ?, NULL)');
  const start = process.hrtime.bigint();
  for (let offset = 0; offset < total; offset += BATCH) {
    const c = columns(offset, total);
    const timestamps = c.timestamps as readonly number[];
    const values = (c.features ?? []).map((column) => column.values as readonly number[]);
    db.transaction(() => {
      for (let i = 0; i < BATCH; i += 1) {
        const ts = timestamps[i];
        const id = Number(event.run(model, c.predictionIds[i], ts).lastInsertRowid);
        for (let f = 0; f < FEATURES; f += 1) value.run(series[f], ts, id, values[f][i]);
      }
    })();
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  db.close();
  return (total / ms) * 1000;
}

async function latencies(run: () => Promise<unknown>, n: number): Promise<number[]> {
  await run();
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = process.hrtime.bigint();
    await run();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

export const monitoringBenchmark: Benchmark = {
  name: 'monitoring',
  title: 'Production monitoring on the embedded store',
  async run(ctx): Promise<BenchResult> {
    const total = ctx.quick ? 100_000 : 1_000_000;
    const repetitions = 3;
    const runs: { raw: number; rate: number; drift: Summary; counts: Summary }[] = [];
    // Each repetition on fresh stores, raw and service in turn (interleaved, so a slow phase hits both).
    for (let r = 0; r < repetitions; r += 1) {
      const serviceDir = tempDir('trackql-bench-mpm-');
      const rawDir = tempDir('trackql-bench-mpm-raw-');
      const share = (f: number) => (r + f) / repetitions;
      try {
        const raw = await rawRate(rawDir, total);
        ctx.progress(share(0.3), `run ${r + 1}/${repetitions}: raw inserts done`);
        const { rate, backend } = await serviceRate(serviceDir, total, (f) => ctx.progress(share(0.3 + f * 0.5), `run ${r + 1}/${repetitions}: logPredictions ${Math.round(f * total).toLocaleString('en-US')} events`));
        const window = { ref: REF, from: T0, to: T0 + 24 * HOUR };
        const drift = summarize(await latencies(async () => {
          const [slot] = await backend.monitoring.drift(ANONYMOUS, [{ ...window, feature: 'f0', source: 'INPUT', interval: 'HOUR', algorithm: 'PSI', reference: 'FIRST_WINDOW' }]);
          if (slot instanceof Error || slot.length !== 24) throw new Error(`featureDrift answered ${slot instanceof Error ? slot.message : `${slot.length} buckets`}`);
        }, 20));
        const counts = summarize(await latencies(async () => {
          const [slot] = await backend.monitoring.counts(ANONYMOUS, [{ ...window, interval: 'HOUR' }]);
          if (slot instanceof Error || slot.reduce((n, b) => n + b.count, 0) !== total) throw new Error('predictionCounts did not count every event');
        }, 50));
        await backend.close();
        runs.push({ raw, rate, drift, counts });
      } finally {
        rmSync(serviceDir, { recursive: true, force: true });
        rmSync(rawDir, { recursive: true, force: true });
      }
    }
    ctx.progress(1, 'done');
    const raw = spreadOf(runs.map((x) => x.raw));
    const rate = spreadOf(runs.map((x) => x.rate));
    const ratio = spreadOf(runs.map((x) => x.rate / x.raw));
    const drift = (q: 'p50' | 'p95' | 'max') => spreadOf(runs.map((x) => x.drift[q]));
    const counts = (q: 'p50' | 'p95' | 'max') => spreadOf(runs.map((x) => x.counts[q]));
    const size = total.toLocaleString('en-US');
    return {
        name: 'monitoring',
        title: 'Production monitoring on the embedded store',
        repetitions,
        setup: `${size} prediction events × ${FEATURES} numerical features over 24 hours, in column-form batches of ${BATCH.toLocaleString('en-US')} events through \`MonitoringService.logPredictions\` (the code \`logPredictions\` runs after GraphQL parsed its input; HTTP and JSON parsing are not in this figure) on a fresh SQLite store; the baseline inserts the same event and value rows into the same tables with two prepared statements, one transaction per batch. Reads: \`featureDrift\` (PSI, 24 hourly buckets, 20 calls) and \`predictionCounts\` (24 hourly buckets, 50 calls) over the whole window, through the port. ${repetitions} repetitions on fresh stores, raw and service in turn; each cell is the median of the runs, with their range.`,
        tables: [
          {
            title: 'Ingestion, events per second (median, range of runs)',
            columns: ['events/s', 'ratio to raw'],
            rows: [
              { label: 'raw better-sqlite3 inserts', values: { 'events/s': formatSpread(raw), 'ratio to raw': 1 } },
              { label: 'logPredictions (column form)', values: { 'events/s': formatSpread(rate), 'ratio to raw': formatSpread(ratio, 2) } },
            ],
            verdict: `logPredictions runs at ${round(ratio.median, 2)}× the raw insert rate of the same rows.`,
          },
          {
            title: `Aggregates over ${size} events, ms (median, range of runs)`,
            columns: ['p50', 'p95', 'max'],
            rows: [
              { label: 'featureDrift, 24 hourly buckets', values: { p50: formatSpread(drift('p50'), 1), p95: formatSpread(drift('p95'), 1), max: formatSpread(drift('max'), 1) } },
              { label: 'predictionCounts, 24 hourly buckets', values: { p50: formatSpread(counts('p50'), 1), p95: formatSpread(counts('p95'), 1), max: formatSpread(counts('max'), 1) } },
            ],
          },
        ],
        raw: { total, runs },
        goals: [
          { goal: 'logPredictions column form ≥ 0.5× raw inserts of the same rows', met: ratio.median >= 0.5, measured: `${round(ratio.median, 2)}×` },
          { goal: 'featureDrift p50 < 200 ms', met: drift('p50').median < 200, measured: `${round(drift('p50').median, 1)} ms` },
          { goal: 'predictionCounts p50 < 50 ms', met: counts('p50').median < 50, measured: `${round(counts('p50').median, 1)} ms` },
        ],
        notes: ['Aggregates read per-minute rollups kept current in the write transaction (schema-008-monitoring.ts): their cost grows with the minutes of the window, not the events.'],
    };
  },
};
