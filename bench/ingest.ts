/**
 * Ingestion on the embedded store: points per second through `logMetrics` over HTTP (batches of 1,000 and
 * 10,000, one and four concurrent writers), against raw better-sqlite3 inserting the same rows into the
 * same table of a store built by the same migrations, one transaction per batch.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteBackend } from '../src/backends/sqlite';
import { ANONYMOUS } from '../src/server/identity';
import { gqlOk, startChildGateway, tempDir } from '../test/support/gateway';
import { round, timed } from './lib/stats';
import type { BenchContext, BenchResult, Benchmark, Figure } from './lib/types';

const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`;
const METRICS = 10;

function batchPoints(batch: number, offset: number): { name: string; value: number; step: number; timestamp: number }[] {
  return Array.from({ length: batch }, (_, i) => {
    const n = offset + i;
    return { name: `m${n % METRICS}`, value: Math.sin(n) * 100, step: Math.floor(n / METRICS), timestamp: 1_700_000_000_000 + n };
  });
}

/** Raw better-sqlite3: the same rows into the same `metric_points` table, one transaction per batch. */
async function rawRate(batch: number, total: number): Promise<number> {
  const dir = tempDir('trackql-bench-raw-');
  try {
    const backend = createSqliteBackend({ dataDir: dir });
    const e = await backend.createExperiment(ANONYMOUS, { workspace: 'bench', project: 'raw', name: 'raw' });
    // Create the metric rows the points reference, as the first write of each name would.
    await backend.logMetrics(ANONYMOUS, e.key, batchPoints(METRICS, 0).map((p) => ({ ...p, step: 0 })));
    await backend.close();
    const db = new Database(path.join(dir, 'trackql.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const ids = db.prepare('SELECT name, id FROM metrics WHERE experiment_key = ?').all(e.key) as { name: string; id: number }[];
    const idOf = new Map(ids.map((r) => [r.name, r.id]));
    const insert = db.prepare('INSERT INTO metric_points (metric_id, step, timestamp, seq, value, epoch, context) VALUES (?, ?, ?, ?, ?, NULL, NULL)');
    const write = db.transaction((rows: ReturnType<typeof batchPoints>, seq0: number) => {
      rows.forEach((p, i) => insert.run(idOf.get(p.name), p.step + 1, p.timestamp, seq0 + i, p.value));
    });
    const { ms } = await timed(async () => {
      for (let offset = 0; offset < total; offset += batch) write(batchPoints(batch, offset), offset);
    });
    db.close();
    return (total / ms) * 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** TrackQL over HTTP: `writers` clients, each logging its own experiment, batches of `batch` points. */
async function gatewayRate(url: string, batch: number, writers: number, total: number, ctx: BenchContext, label: string): Promise<number> {
  const keys: string[] = [];
  for (let w = 0; w < writers; w += 1) {
    const data = await gqlOk(url, `mutation { createExperiment(input: {workspace: "bench", project: "ingest"}) { experiment { key } } }`);
    keys.push(data.createExperiment.experiment.key);
  }
  const perWriter = Math.ceil(total / writers / batch) * batch;
  let done = 0;
  const { ms } = await timed(() => Promise.all(keys.map(async (key) => {
    for (let offset = 0; offset < perWriter; offset += batch) {
      await gqlOk(url, LOG, { input: { experimentKey: key, points: batchPoints(batch, offset) } });
      done += batch;
      ctx.progress(done / (perWriter * writers), `${label}: ${done.toLocaleString('en-US')} points`);
    }
  })));
  return ((perWriter * writers) / ms) * 1000;
}

export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  title: 'Ingestion on the embedded store',
  async run(ctx): Promise<BenchResult> {
    const total = ctx.quick ? 40_000 : 400_000;
    const configs = [
      { batch: 1_000, writers: 1 }, { batch: 10_000, writers: 1 }, { batch: 1_000, writers: 4 }, { batch: 10_000, writers: 4 },
    ];
    const raw = new Map<number, number>();
    for (const batch of [1_000, 10_000]) raw.set(batch, await rawRate(batch, total));
    const gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
    const rows: Figure[] = [];
    const ratios: number[] = [];
    try {
      for (const c of configs) {
        const label = `batch ${c.batch.toLocaleString('en-US')}, ${c.writers} writer${c.writers > 1 ? 's' : ''}`;
        const rate = await gatewayRate(gw.url, c.batch, c.writers, total, ctx, label);
        const base = raw.get(c.batch) as number;
        ratios.push(rate / base);
        rows.push({ label, values: { 'raw better-sqlite3 points/s': Math.round(base), 'TrackQL points/s': Math.round(rate), ratio: round(rate / base, 2) } });
      }
    } finally {
      await gw.dispose();
    }
    const best = Math.max(...ratios);
    const at10k = rows.filter((r) => r.label.startsWith('batch 10,000')).map((r) => Number(r.values.ratio));
    return {
      name: 'ingest',
      title: 'Ingestion on the embedded store',
      setup: `${total.toLocaleString('en-US')} points per configuration across ${METRICS} metric names, logged with \`logMetrics\` over HTTP to a gateway on loopback (the client runs on the same 2 cores). The baseline inserts the same rows into the same \`metric_points\` table with one prepared statement in one transaction per batch; TrackQL also validates every point, keeps the per-metric summaries and the downsampling rollup current, and parses JSON over HTTP.`,
      tables: [{ title: 'Points per second', columns: ['raw better-sqlite3 points/s', 'TrackQL points/s', 'ratio'], rows, verdict: `TrackQL reaches ${round(Math.max(...at10k), 2)}× the raw insert rate with 10,000-point batches.` }],
      goals: [{ goal: 'logMetrics ≥ 0.5× the raw insert rate', met: best >= 0.5, measured: `${round(best, 2)}× (best configuration); ${ratios.map((r) => round(r, 2)).join(', ')} across configurations` }],
    };
  },
};
