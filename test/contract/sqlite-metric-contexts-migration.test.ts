/** Schema 9 (metric contexts) moves the series of a data dir written by the previous release into the default context, losing nothing. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MetricHistory } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/backends/sqlite/migrations';
import { CALLER } from './port/support';

const KEY = 'd'.repeat(32);
const historyOf = (slot: MetricHistory | Error | undefined): MetricHistory => {
  if (!slot || slot instanceof Error) throw slot ?? new Error('no history');
  return slot;
};

describe('sqlite backend: the metric-contexts migration', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trackql-contexts-migration-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('upgrades a version-8 data dir: every series in the default context, points and rollups kept, contexts apart from then on', async () => {
    const db = new Database(path.join(dataDir, 'trackql.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 8));
    // Written as the previous release did: one series per name, a point's context only an attribute.
    db.exec(`
      INSERT INTO workspaces VALUES ('ws', 1);
      INSERT INTO projects (id, workspace, name, created_at, last_updated_at) VALUES ('p1', 'ws', 'proj', 1, 1);
      INSERT INTO experiments (key, project_id, name, status, started_at) VALUES ('${KEY}', 'p1', 'legacy', 'FINISHED', 5);
      INSERT INTO metrics VALUES (7, '${KEY}', 'loss', 3, 3, 0.5, 2, 12, 2, 0.5, 2, 12, 2, 3.0, 0, 10, 0);
      INSERT INTO metric_points VALUES (7, 0, 10, 0, 3.0, NULL, NULL), (7, 1, 11, 1, 1.0, 1, 'train'), (7, 2, 12, 2, 0.5, 1, 'validate');
      INSERT INTO metric_blocks VALUES (7, 0, 3, 0.5, 2, 12, 2, 3.0, 0, 10, 0);
    `);
    db.close();

    const backend = createSqliteBackend({ dataDir });
    try {
      expect((await backend.readiness()).detail).toMatchObject({ schemaVersion: MIGRATIONS.length });
      const [[summary]] = await backend.metrics.summaries(CALLER, [KEY]) as [[unknown]];
      expect(summary).toEqual({
        experimentKey: KEY, name: 'loss', context: null, last: 0.5, min: 0.5, max: 3, count: 3,
        lastStep: 2, minStep: 2, maxStep: 0, lastTimestamp: 12,
      });
      const [raw, sampled] = (await backend.metrics.histories(CALLER, [
        { experimentKey: KEY, name: 'loss', first: 10 },
        { experimentKey: KEY, name: 'loss', samples: 2 },
      ])).map(historyOf);
      // Points keep the context they were logged with, as data; the series they belong to is the default one.
      expect(raw.points.map((p) => [p.value, p.context])).toEqual([[3, null], [1, 'train'], [0.5, 'validate']]);
      expect(sampled).toMatchObject({ sampled: true, totalCount: 3 });
      await backend.metrics.log(CALLER, KEY, [{ name: 'loss', step: 3, value: 0.25, context: 'train' }, { name: 'loss', step: 3, value: 0.4 }]);
      const [after] = await backend.metrics.summaries(CALLER, [KEY]);
      expect(after).toEqual([
        expect.objectContaining({ context: null, last: 0.4, count: 4 }),
        expect.objectContaining({ context: 'train', last: 0.25, count: 1 }),
      ]);
      // Foreign keys are back on: deleting the run takes every series, point and rollup with it.
      await backend.experiments.delete(CALLER, KEY);
    } finally {
      await backend.close();
    }
    const check = new Database(path.join(dataDir, 'trackql.db'), { readonly: true });
    expect(schemaVersion(check)).toBe(MIGRATIONS.length);
    for (const table of ['metrics', 'metric_points', 'metric_blocks']) expect([table, check.prepare(`SELECT count(*) FROM ${table}`).pluck().get()]).toEqual([table, 0]);
    expect(check.pragma('foreign_key_check')).toEqual([]);
    check.close();
  });

  it('leaves a data dir whose references would break untouched, at its old version', () => {
    const file = path.join(dataDir, 'trackql.db');
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 8));
    // A point whose series does not exist: written with foreign keys off by some other tool.
    db.pragma('foreign_keys = OFF');
    db.exec(`INSERT INTO metric_points VALUES (99, 0, 1, 0, 1.0, NULL, NULL)`);
    db.pragma('foreign_keys = ON');
    expect(() => migrate(db)).toThrow(/broken references; nothing was changed/);
    expect(schemaVersion(db)).toBe(8);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT count(*) FROM metric_points').pluck().get()).toBe(1);
    db.close();
  });
});
