/** Schema 7 (run details) upgrades a data dir written by the previous release in place, and cascades with its runs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { OutputLine, Page } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/backends/sqlite/migrations';
import { CALLER } from './port/support';

const KEY = 'c'.repeat(32);

describe('sqlite backend: the run-details migration', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trackql-details-migration-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('upgrades a version-6 data dir, keeps its runs, and gives them empty details', async () => {
    const db = new Database(path.join(dataDir, 'trackql.db'));
    migrate(db, MIGRATIONS.slice(0, 6));
    db.exec(`
      INSERT INTO workspaces VALUES ('ws', 1);
      INSERT INTO projects (id, workspace, name, description, created_at, last_updated_at) VALUES ('p1', 'ws', 'proj', 'kept', 1, 1);
      INSERT INTO experiments (key, project_id, name, status, started_at) VALUES ('${KEY}', 'p1', 'legacy', 'FINISHED', 5);
    `);
    db.close();

    const backend = createSqliteBackend({ dataDir });
    try {
      expect((await backend.readiness()).detail).toMatchObject({ schemaVersion: MIGRATIONS.length });
      expect((await backend.projects.get(CALLER, [{ workspace: 'ws', name: 'proj' }]))[0]).toMatchObject({ description: 'kept' });
      expect(await backend.details.get(CALLER, [KEY])).toEqual([{ code: null, systemDetails: null, git: null, html: null, modelGraph: null, dependencies: [] }]);
      expect(await backend.details.projectNotes(CALLER, [{ workspace: 'ws', name: 'proj' }])).toEqual([null]);
      await backend.details.update(CALLER, { experimentKey: KEY, code: 'x = 1' });
      await backend.details.appendOutput(CALLER, KEY, [{ text: 'hello', stream: 'STDOUT' }]);
      await backend.details.logCurve(CALLER, { experimentKey: KEY, name: 'c', x: [0], y: [1] });
      await backend.details.setProjectNotes(CALLER, { workspace: 'ws', name: 'proj' }, 'n');
      expect(((await backend.details.output(CALLER, [{ experimentKey: KEY, first: 10 }]))[0] as Page<OutputLine>).totalCount).toBe(1);
      await backend.experiments.delete(CALLER, KEY);
    } finally {
      await backend.close();
    }
    const check = new Database(path.join(dataDir, 'trackql.db'), { readonly: true });
    expect(schemaVersion(check)).toBe(MIGRATIONS.length);
    // A deleted run takes its details, output and curves with it.
    for (const table of ['run_details', 'output_lines', 'curves']) expect([table, check.prepare(`SELECT count(*) FROM ${table}`).pluck().get()]).toEqual([table, 0]);
    check.close();
  });
});
