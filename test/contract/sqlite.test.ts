/** The port contract on the SQLite backend (fresh data dir per test), plus what only SQLite has: files. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { Authenticator } from '../../src/auth/authenticator';
import { openKeyStore } from '../../src/auth/key-store';
import { scopeBackend } from '../../src/auth/scoped-backend';
import { SQLITE_CAPABILITIES, createSqliteBackend } from '../../src/backends/sqlite';
import { callerFromAuthorization } from '../../src/server/identity';
import { openDatabase } from '../../src/backends/sqlite/db';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from '../../src/backends/sqlite/migrations';
import type { Backend, ExperimentFilter } from '../../src/backends/port';
import { describePort } from './describe-port';
import { CALLER, WORKSPACE, actingAs, bodyOf, expectCode } from './port/support';

const dirs: string[] = [];
function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trackql-sqlite-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describePort('sqlite', () => createSqliteBackend({ dataDir: freshDir() }), SQLITE_CAPABILITIES);

/**
 * The same contract through the access policy, with a key that reads everywhere (the contract asks about
 * workspaces that do not exist, which is FORBIDDEN without a grant) and writes only in the contract's own
 * workspace, so every write is checked against the workspace of its target: the policy changes no answer.
 */
describePort('sqlite with API keys', () => {
  const dataDir = freshDir();
  const keys = openKeyStore(dataDir);
  const caller = callerFromAuthorization(keys.create({ grants: [{ workspace: '*', role: 'read' }, { workspace: WORKSPACE, role: 'admin' }] }).secret);
  const scoped = scopeBackend(createSqliteBackend({ dataDir }), new Authenticator(keys, { cacheMs: 0 }), () => keys.close());
  return actingAs(scoped, caller);
}, SQLITE_CAPABILITIES);

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((entry) => fs.statSync(path.join(dir, entry)).isFile())
    .sort();
}

describe('sqlite backend: data dir and schema', () => {
  let backend: Backend | null = null;
  afterEach(async () => {
    await backend?.close();
    backend = null;
  });

  it('creates a missing data dir with the database file, blobs/ and tmp/', async () => {
    const dataDir = path.join(freshDir(), 'nested', 'data');
    backend = createSqliteBackend({ dataDir });
    expect(fs.existsSync(path.join(dataDir, 'trackql.db'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'blobs')).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'tmp')).isDirectory()).toBe(true);
  });

  it('clears upload temp files left by a crash, but not fresh ones', async () => {
    const dataDir = freshDir();
    const tmp = path.join(dataDir, 'tmp');
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'old.part'), 'x');
    fs.writeFileSync(path.join(tmp, 'fresh.part'), 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    fs.utimesSync(path.join(tmp, 'old.part'), twoHoursAgo, twoHoursAgo);
    backend = createSqliteBackend({ dataDir });
    expect(fs.readdirSync(tmp)).toEqual(['fresh.part']);
  });

  it('opens connections in WAL mode with synchronous=NORMAL, foreign keys and a busy timeout', () => {
    const db = openDatabase(path.join(freshDir(), 'x.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('leaves the database file in WAL mode for every later connection', async () => {
    const dataDir = freshDir();
    backend = createSqliteBackend({ dataDir });
    const other = new Database(path.join(dataDir, 'trackql.db'), { readonly: true });
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(other)).toBe(MIGRATIONS.length);
    other.close();
  });

  it('keeps data across close and reopen, and close is idempotent', async () => {
    const dataDir = freshDir();
    backend = createSqliteBackend({ dataDir });
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p', name: 'kept' });
    await backend.metrics.log(CALLER, key, [{ name: 'loss', value: Infinity, step: 1 }]);
    await backend.close();
    await backend.close();
    backend = createSqliteBackend({ dataDir });
    expect((await backend.experiments.get(CALLER, [key]))[0]).toMatchObject({ name: 'kept' });
    const [[summary]] = (await backend.metrics.summaries(CALLER, [key])) as { last: number }[][];
    expect(summary.last).toBe(Infinity);
  });

  it('round-trips ±Infinity through a REAL column and stores NaN as NULL (why NULL encodes NaN)', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v REAL)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (const value of [Infinity, -Infinity, Number.NaN, -0, 1e308]) insert.run(value);
    const values = db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all();
    expect(values).toEqual([Infinity, -Infinity, null, 0, 1e308]);
    db.close();
  });
});

describe('sqlite backend: beyond the port contract', () => {
  let backend: Backend;
  beforeEach(() => {
    backend = createSqliteBackend({ dataDir: freshDir() });
  });
  afterEach(async () => {
    await backend.close();
  });

  it('creates a missing workspace along with the project when an experiment is logged to it', async () => {
    const experiment = await backend.experiments.create(CALLER, { workspace: 'brand-new', project: 'p' });
    expect(experiment).toMatchObject({ workspace: 'brand-new', project: 'p' });
    expect(await backend.projects.listWorkspaces(CALLER)).toEqual([{ name: 'brand-new', createdAt: expect.any(Number) }]);
  });

  it('reads filter members set to null as unset, and rejects a node setting two conditions', async () => {
    const a = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p', tags: ['gpu'] });
    await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    const project = { workspace: 'w', name: 'p' };
    const withNulls = { tag: 'gpu', status: null, or: null } as unknown as ExperimentFilter;
    const page = await backend.experiments.list(CALLER, { project, filter: { and: [withNulls] }, page: { first: 10 } });
    expect(page.items.map((item) => item.key)).toEqual([a.key]);
    const two = { tag: 'gpu', nameContains: 'x' } as unknown as ExperimentFilter;
    await expectCode(backend.experiments.list(CALLER, { project, filter: two, page: { first: 10 } }), 'BAD_USER_INPUT');
  });

  it('keeps model versions of a deleted experiment, without the experiment key', async () => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    await backend.assets.put(CALLER, { experimentKey: key, fileName: 'w.bin', type: 'model', modelName: 'net', maxBytes: 100 }, bodyOf('w'));
    await backend.registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName: 'reg', version: '1.0.0' });
    await backend.experiments.delete(CALLER, key);
    const [versions] = await backend.registry.versions(CALLER, [{ workspace: 'w', name: 'reg' }]);
    expect(versions).toEqual([expect.objectContaining({ version: '1.0.0', experimentKey: null, experimentModelName: 'net' })]);
  });

  it('uses the injected clock for times it assigns', async () => {
    const pinned = createSqliteBackend({ dataDir: freshDir(), now: () => 42_000 });
    try {
      const experiment = await pinned.experiments.create(CALLER, { workspace: 'w', project: 'p' });
      expect(experiment.startedAt).toBe(42_000);
      expect((await pinned.experiments.end(CALLER, { experimentKey: experiment.key, status: 'FINISHED' })).endedAt).toBe(42_000);
    } finally {
      await pinned.close();
    }
  });
});

describe('sqlite backend: round trips', () => {
  it('answers each batch read with one SQL statement, however many keys', async () => {
    const statements: string[] = [];
    const backend = createSqliteBackend({ dataDir: freshDir(), onStatement: (sql) => statements.push(sql) });
    try {
      const keys: string[] = [];
      for (let index = 0; index < 20; index++) {
        const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p', tags: ['t'], parameters: [{ name: 'x', value: '1' }] });
        await backend.metrics.log(CALLER, key, [{ name: 'loss', value: index, step: 0 }]);
        keys.push(key);
      }
      const asked = [...keys, 'f'.repeat(32), keys[0]];
      const reads: [string, () => Promise<unknown>][] = [
        ['getExperiments', () => backend.experiments.get(CALLER, asked)],
        ['getChildExperiments', () => backend.experiments.children(CALLER, asked)],
        ['getParameters', () => backend.attributes.parameters(CALLER, asked)],
        ['getTags', () => backend.attributes.tags(CALLER, asked)],
        ['getOthers', () => backend.attributes.others(CALLER, asked)],
        ['getMetricSummaries', () => backend.metrics.summaries(CALLER, asked)],
        ['listAssets', () => backend.assets.list(CALLER, asked.map((experimentKey, i) => ({ experimentKey, first: 1 + (i % 3), type: i % 2 ? 'image' : null })))],
        ['getAssets', () => backend.assets.get(CALLER, asked.map((experimentKey) => ({ experimentKey, assetId: 'a' })))],
        ['getExperimentModels', () => backend.assets.models(CALLER, asked)],
        ['getProjects', () => backend.projects.get(CALLER, [{ workspace: 'w', name: 'p' }, { workspace: 'w', name: 'q' }])],
        ['getWorkspaces', () => backend.projects.getWorkspaces(CALLER, ['w', 'v'])],
        ['getRegisteredModels', () => backend.registry.models(CALLER, [{ workspace: 'w', name: 'm' }])],
        ['getModelVersions', () => backend.registry.versions(CALLER, [{ workspace: 'w', name: 'm' }])],
      ];
      for (const [name, read] of reads) {
        statements.length = 0;
        await read();
        expect([name, statements.length]).toEqual([name, 1]);
      }
    } finally {
      await backend.close();
    }
  });
});

describe('sqlite backend: migrations', () => {
  it('upgrades a version-1 data dir in place and keeps its data', async () => {
    const dataDir = freshDir();
    const db = new Database(path.join(dataDir, 'trackql.db'));
    migrate(db, MIGRATIONS.slice(0, 1));
    expect(schemaVersion(db)).toBe(1);
    db.exec(`
      INSERT INTO workspaces VALUES ('old-ws', 1);
      INSERT INTO projects (id, workspace, name, created_at, last_updated_at) VALUES ('p1', 'old-ws', 'old-proj', 1, 1);
      INSERT INTO experiments (key, project_id, name, status, started_at) VALUES ('${'a'.repeat(32)}', 'p1', 'legacy', 'FINISHED', 5);
    `);
    db.close();

    const backend = createSqliteBackend({ dataDir });
    try {
      const [experiment] = await backend.experiments.get(CALLER, ['a'.repeat(32)]);
      expect(experiment).toMatchObject({ name: 'legacy', workspace: 'old-ws', project: 'old-proj', status: 'FINISHED' });
      expect((await backend.readiness()).detail).toMatchObject({ schemaVersion: MIGRATIONS.length });
    } finally {
      await backend.close();
    }
    const check = new Database(path.join(dataDir, 'trackql.db'), { readonly: true });
    const indexes = check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").pluck().all();
    expect(indexes).toEqual(expect.arrayContaining(['experiments_by_project', 'experiments_by_parent']));
    expect(schemaVersion(check)).toBe(MIGRATIONS.length);
    check.close();
  });

  it('applies a later migration to an existing file, each migration in its own transaction', () => {
    const db = new Database(':memory:');
    migrate(db);
    const extra: Migration = { version: MIGRATIONS.length + 1, name: 'extra', up: (conn) => conn.exec('CREATE TABLE extra (x INTEGER)') };
    const result = migrate(db, [...MIGRATIONS, extra]);
    expect(result).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length + 1, applied: ['extra'] });
    expect(migrate(db, [...MIGRATIONS, extra]).applied).toEqual([]);
    db.close();
  });

  it('rolls back a failing migration and leaves the version at the last one applied', () => {
    const db = new Database(':memory:');
    migrate(db);
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'broken',
      up: (conn) => conn.exec('CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;'),
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a data dir written by a newer schema', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    expect(() => migrate(db)).toThrow(/newer release/);
    db.close();
  });
});

describe('sqlite backend: blobs on disk', () => {
  let backend: Backend;
  let dataDir: string;
  beforeEach(() => {
    dataDir = freshDir();
    backend = createSqliteBackend({ dataDir });
  });
  afterEach(async () => {
    await backend.close();
  });

  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

  it('stores bytes once under blobs/<sha[0:2]>/<sha>, shared by identical uploads', async () => {
    const a = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    const input = { experimentKey: a.key, type: 'text', maxBytes: 100 };
    const first = await backend.assets.put(CALLER, { ...input, fileName: 'a.txt' }, bodyOf('same bytes'));
    const second = await backend.assets.put(CALLER, { ...input, fileName: 'b.txt' }, bodyOf('same bytes'));
    const digest = sha('same bytes');
    expect(first.sha256).toBe(digest);
    expect(second.assetId).not.toBe(first.assetId);
    expect(filesUnder(path.join(dataDir, 'blobs'))).toEqual([path.join(digest.slice(0, 2), digest)]);
    expect(fs.readFileSync(path.join(dataDir, 'blobs', digest.slice(0, 2), digest), 'utf8')).toBe('same bytes');
    expect(filesUnder(path.join(dataDir, 'tmp'))).toEqual([]);
  });

  it('leaves nothing on disk when an upload goes over the limit mid-stream', async () => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    const body = new PassThrough();
    const upload = backend.assets.put(CALLER, { experimentKey: key, fileName: 'x.bin', type: 'bin', maxBytes: 1024 }, body);
    body.write(Buffer.alloc(1000));
    body.write(Buffer.alloc(1000));
    await expectCode(upload, 'PAYLOAD_TOO_LARGE');
    expect(body.destroyed).toBe(false); // the caller's stream is left to the caller (e.g. to answer 413)
    body.destroy();
    expect(filesUnder(path.join(dataDir, 'tmp'))).toEqual([]);
    expect(filesUnder(path.join(dataDir, 'blobs'))).toEqual([]);
  });

  it('removes a blob with the last experiment that references it', async () => {
    const a = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    const b = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    await backend.assets.put(CALLER, { experimentKey: a.key, fileName: 's', type: 't', maxBytes: 100 }, bodyOf('shared'));
    await backend.assets.put(CALLER, { experimentKey: b.key, fileName: 's', type: 't', maxBytes: 100 }, bodyOf('shared'));
    await backend.assets.put(CALLER, { experimentKey: a.key, fileName: 'o', type: 't', maxBytes: 100 }, bodyOf('only a'));
    await backend.experiments.delete(CALLER, a.key);
    const shared = sha('shared');
    expect(filesUnder(path.join(dataDir, 'blobs'))).toEqual([path.join(shared.slice(0, 2), shared)]);
    await backend.experiments.delete(CALLER, b.key);
    expect(filesUnder(path.join(dataDir, 'blobs'))).toEqual([]);
  });

  it('collects at start the blobs a process queued but did not collect (a crash after the delete)', async () => {
    const a = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    const b = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    await backend.assets.put(CALLER, { experimentKey: a.key, fileName: 'x', type: 't', maxBytes: 100 }, bodyOf('only in a'));
    await backend.assets.put(CALLER, { experimentKey: a.key, fileName: 'y', type: 't', maxBytes: 100 }, bodyOf('in a and b'));
    await backend.assets.put(CALLER, { experimentKey: b.key, fileName: 'y', type: 't', maxBytes: 100 }, bodyOf('in a and b'));
    // What the delete's transaction commits, without the collection that follows it.
    const db = openDatabase(path.join(dataDir, 'trackql.db'));
    db.transaction(() => {
      db.prepare('INSERT INTO blob_gc (sha256) SELECT DISTINCT sha256 FROM assets WHERE experiment_key = ?').run(a.key);
      db.prepare('DELETE FROM experiments WHERE key = ?').run(a.key);
    }).immediate();
    const kept = sha('in a and b');
    expect(filesUnder(path.join(dataDir, 'blobs')).sort()).toEqual([kept, sha('only in a')].map((d) => path.join(d.slice(0, 2), d)).sort());
    const restarted = createSqliteBackend({ dataDir });
    await restarted.close();
    expect(filesUnder(path.join(dataDir, 'blobs'))).toEqual([path.join(kept.slice(0, 2), kept)]);
    expect(db.prepare('SELECT count(*) FROM blob_gc').pluck().get()).toBe(0);
    db.close();
  });

  it('rejects an unsatisfiable byte range with BAD_USER_INPUT', async () => {
    const { key } = await backend.experiments.create(CALLER, { workspace: 'w', project: 'p' });
    const asset = await backend.assets.put(CALLER, { experimentKey: key, fileName: 'f', type: 't', maxBytes: 100 }, bodyOf('12345'));
    await expectCode(backend.assets.open(CALLER, key, asset.assetId, { range: { start: 5, end: 9 } }), 'BAD_USER_INPUT');
    await expectCode(backend.assets.open(CALLER, key, asset.assetId, { range: { start: 3, end: 1 } }), 'BAD_USER_INPUT');
  });
});
