/**
 * Crash safety of the embedded store: the gateway is killed with SIGKILL while several writers log metric
 * batches, then restarted on the same data dir. Every acknowledged batch must be there in full, every batch
 * either whole or absent, the database intact, and the stored summaries equal to what the points say.
 * Retrying the unacknowledged batches with their idempotency keys then stores each batch exactly once.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';

const WRITERS = 4;
const POINTS = 250; // per metric per batch
const METRICS = ['loss', 'acc'];
const KILL_AFTER_ACKS = 40;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted status } }`;

interface Batch {
  writer: number;
  index: number;
  experimentKey: string;
  marker: string;
  acked: boolean;
}

function batchInput(b: Batch) {
  // Column form for one metric, point form for the other: both must land in the same transaction.
  const steps = Array.from({ length: POINTS }, (_, i) => b.index * POINTS + i);
  return {
    experimentKey: b.experimentKey,
    idempotencyKey: b.marker,
    series: [{ name: 'loss', steps, values: steps.map((s) => 1 / (s + 1)), context: b.marker }],
    points: steps.map((step) => ({ name: 'acc', value: (step % 97) / 97, step, context: b.marker })),
  };
}

describe('crash safety (SIGKILL while logging)', () => {
  let dataDir: string;
  let gw: ChildGateway;

  beforeAll(() => {
    dataDir = tempDir('trackql-crash-');
  });
  afterAll(async () => {
    await gw?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged batch whole, no batch in part, and consistent summaries', async () => {
    const env = { TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' };
    gw = await startChildGateway(env);
    const keys: string[] = [];
    for (let w = 0; w < WRITERS; w += 1) {
      keys.push((await gqlOk(gw.url, `mutation { createExperiment(input: { workspace: "crash", project: "p", name: "w${w}" }) { experiment { key } } }`)).createExperiment.experiment.key);
    }
    const batches: Batch[] = [];
    let acks = 0;
    let killed = false;
    const url = gw.url;
    const writer = async (w: number): Promise<void> => {
      for (let index = 0; !killed; index += 1) {
        const batch: Batch = { writer: w, index, experimentKey: keys[w], marker: `w${w}-b${index}`, acked: false };
        batches.push(batch);
        try {
          const res = await gql(url, LOG, { input: batchInput(batch) });
          if (res.data?.logMetrics?.status === 'ACCEPTED') {
            batch.acked = true;
            acks += 1;
          }
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    while (acks < KILL_AFTER_ACKS) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    expect(await gw.stop('SIGKILL')).toBeNull(); // killed by the signal, no exit code
    await writing;

    gw = await startChildGateway(env);
    const db = new Database(path.join(dataDir, 'trackql.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const stored = new Map(db.prepare<[], { context: string; n: number }>('SELECT context, count(*) AS n FROM metric_points GROUP BY context').all().map((r) => [r.context, r.n]));
      const whole = POINTS * METRICS.length;
      for (const b of batches) {
        const n = stored.get(b.marker) ?? 0;
        if (b.acked) expect([b.marker, n]).toEqual([b.marker, whole]);
        else expect([b.marker, [0, whole].includes(n)]).toEqual([b.marker, true]);
      }
      expect(batches.filter((b) => b.acked).length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
      // Writers never pause: the kill caught some batches in flight, which is the case under test.
      expect(batches.some((b) => !b.acked)).toBe(true);
      expectSummariesMatchPoints(db);
    } finally {
      db.close();
    }

    // Retry everything with the same keys: the unacknowledged batches land once, the others replay.
    for (const b of batches) {
      const res = await gqlOk(gw.url, LOG, { input: batchInput(b) });
      expect(res.logMetrics).toEqual({ accepted: POINTS * METRICS.length, status: 'ACCEPTED' });
    }
    const after = new Database(path.join(dataDir, 'trackql.db'), { readonly: true });
    try {
      const counts = after.prepare<[], { context: string; n: number }>('SELECT context, count(*) AS n FROM metric_points GROUP BY context').all();
      expect(counts.length).toBe(batches.length);
      expect(counts.every((c) => c.n === POINTS * METRICS.length)).toBe(true);
      expectSummariesMatchPoints(after);
    } finally {
      after.close();
    }
    // Each batch is marked by its context, so each is a series of its own: their counts add up.
    const summary = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { metrics(names: ["loss"]) { count } } }`, { k: keys[0] });
    const counted = (summary.experiment.metrics as { count: number }[]).reduce((n, m) => n + m.count, 0);
    expect(counted).toBe(batches.filter((b) => b.writer === 0).length * POINTS);
  }, 120_000);
});

/** The summary row of every series (count, min, max, last) and its block rollups, recomputed from its points. */
function expectSummariesMatchPoints(db: Database.Database): void {
  const rows = db.prepare<[], { id: number; name: string; count: number; min_value: number; max_value: number; last_value: number; last_step: number }>(
    'SELECT id, name, count, min_value, max_value, last_value, last_step FROM metrics',
  ).all();
  expect(rows.length).toBeGreaterThan(0);
  const points = db.prepare<[number], { n: number; lo: number; hi: number }>('SELECT count(*) AS n, min(value) AS lo, max(value) AS hi FROM metric_points WHERE metric_id = ?');
  const last = db.prepare<[number], { value: number; step: number }>('SELECT value, step FROM metric_points WHERE metric_id = ? ORDER BY step DESC, timestamp DESC, seq DESC LIMIT 1');
  const blocks = db.prepare<[number], number>('SELECT coalesce(sum(count), 0) FROM metric_blocks WHERE metric_id = ?').pluck();
  for (const row of rows) {
    const actual = points.get(row.id) as { n: number; lo: number; hi: number };
    const tail = last.get(row.id) as { value: number; step: number };
    expect({ series: row.id, count: row.count, min: row.min_value, max: row.max_value, last: row.last_value, lastStep: row.last_step, blocks: blocks.get(row.id) })
      .toEqual({ series: row.id, count: actual.n, min: actual.lo, max: actual.hi, last: tail.value, lastStep: tail.step, blocks: actual.n });
  }
}
