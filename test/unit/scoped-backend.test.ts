/**
 * The access-checking Backend over a real SQLite store: what each role sees and may do, what is hidden
 * (null, empty) and what is FORBIDDEN, and that an open store costs no extra port call.
 */
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Authenticator } from '../../src/auth/authenticator';
import { openKeyStore, type KeyStore } from '../../src/auth/key-store';
import type { Grant } from '../../src/auth/roles';
import { scopeBackend } from '../../src/auth/scoped-backend';
import type { Asset, Backend, Caller, Experiment, Page } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { ErrorCode, TrackqlError } from '../../src/errors';
import { ANONYMOUS, callerFromAuthorization } from '../../src/server/identity';
import { countingBackend } from '../support/counting-backend';
import { tempDir } from '../support/gateway';

let dataDir: string;
let inner: Backend;
let keys: KeyStore;
let scoped: Backend;
let ml: Experiment;
let cv: Experiment;
let crossChild: Experiment;

const keyFor = (...grants: Grant[]): Caller => callerFromAuthorization(keys.create({ grants }).secret);

async function codeOf(work: Promise<unknown>): Promise<string | null> {
  try {
    await work;
    return null;
  } catch (error) {
    return error instanceof TrackqlError ? error.code : String(error);
  }
}

const codes = (rows: unknown[]) => rows.map((r) => (r instanceof TrackqlError ? r.code : r === null ? null : 'ok'));

beforeEach(async () => {
  dataDir = tempDir('trackql-scoped-');
  inner = createSqliteBackend({ dataDir });
  ml = await inner.experiments.create(ANONYMOUS, { workspace: 'ml', project: 'p', name: 'ml-run', tags: ['t'] });
  cv = await inner.experiments.create(ANONYMOUS, { workspace: 'cv', project: 'q', name: 'cv-run', tags: ['secret'] });
  crossChild = await inner.experiments.create(ANONYMOUS, { workspace: 'cv', project: 'q', parentKey: ml.key });
  for (const e of [ml, cv, crossChild]) {
    await inner.metrics.log(ANONYMOUS, e.key, [{ name: 'loss', value: 1, step: 0 }]);
    await inner.assets.put(ANONYMOUS, { experimentKey: e.key, fileName: 'w.bin', type: 'model', modelName: 'net', maxBytes: 100 }, Readable.from([Buffer.from('abc')]));
  }
  keys = openKeyStore(dataDir);
  scoped = scopeBackend(inner, new Authenticator(keys, { cacheMs: 0 }), () => keys.close());
});
afterEach(async () => {
  await scoped.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('with no key ever created (open store)', () => {
  it('lets everyone do everything, with the same port calls as the store alone', async () => {
    const { backend: counted, calls } = countingBackend(inner);
    const open = scopeBackend(counted, new Authenticator(keys, { cacheMs: 0 }));
    expect((await open.experiments.get(ANONYMOUS, [ml.key, cv.key])).map((e) => (e as Experiment).key)).toEqual([ml.key, cv.key]);
    await open.metrics.log(ANONYMOUS, cv.key, [{ name: 'loss', value: 2, step: 1 }]);
    await open.projects.create(ANONYMOUS, { workspace: 'new', name: 'x' });
    expect(calls.map((c) => c.method)).toEqual(['experiments.get', 'metrics.log', 'projects.create']);
  });
});

describe('reads', () => {
  it('treats experiments outside the key\'s workspaces as missing: null, empty, left out', async () => {
    const writer = keyFor({ workspace: 'ml', role: 'write' });
    expect((await scoped.experiments.get(writer, [ml.key, cv.key, 'nope'])).map((e) => (e as Experiment | null)?.key ?? null)).toEqual([ml.key, null, null]);
    expect(await scoped.attributes.tags(writer, [ml.key, cv.key])).toEqual([['t'], []]);
    expect((await scoped.metrics.summaries(writer, [ml.key, cv.key])).map((s) => (s as unknown[]).length)).toEqual([1, 0]);
    const pages = await scoped.assets.list(writer, [{ experimentKey: ml.key, first: 10 }, { experimentKey: cv.key, first: 10 }]);
    expect(pages.map((p) => (p as Page<Asset>).totalCount)).toEqual([1, 0]);
    expect(await scoped.assets.models(writer, [cv.key])).toEqual([[]]);
    expect(await scoped.attributes.parameters(writer, [cv.key])).toEqual([[]]);
    expect(await scoped.attributes.others(writer, [cv.key])).toEqual([[]]);
    const [hidden] = await scoped.metrics.histories(writer, [{ experimentKey: cv.key, name: 'loss', samples: 10 }]);
    expect(hidden).toEqual({ points: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0, sampled: true });
    expect(await scoped.experiments.children(writer, [ml.key])).toEqual([[]]); // its child lives in cv
    const [asset] = ((await inner.assets.list(ANONYMOUS, [{ experimentKey: cv.key, first: 1 }]))[0] as Page<Asset>).items;
    expect(await scoped.assets.open(writer, cv.key, asset.assetId)).toBeNull();
    expect(await scoped.assets.get(writer, [{ experimentKey: cv.key, assetId: asset.assetId }])).toEqual([null]);
  });

  it('answers FORBIDDEN for a named workspace without a grant, whether it exists or not', async () => {
    const writer = keyFor({ workspace: 'ml', role: 'write' });
    expect((await scoped.projects.listWorkspaces(writer)).map((w) => w.name)).toEqual(['ml']);
    expect(codes(await scoped.projects.getWorkspaces(writer, ['ml', 'cv', 'nope']))).toEqual(['ok', ErrorCode.FORBIDDEN, ErrorCode.FORBIDDEN]);
    expect(codes(await scoped.projects.get(writer, [{ workspace: 'ml', name: 'p' }, { workspace: ' cv', name: 'q' }]))).toEqual(['ok', ErrorCode.FORBIDDEN]);
    expect(codes(await scoped.registry.models(writer, [{ workspace: 'cv', name: 'm' }]))).toEqual([ErrorCode.FORBIDDEN]);
    expect(codes(await scoped.registry.versions(writer, [{ workspace: 'cv', name: 'm' }]))).toEqual([ErrorCode.FORBIDDEN]);
    expect(await codeOf(scoped.projects.list(writer, 'cv', { first: 10 }))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(scoped.registry.list(writer, 'cv', { first: 10 }))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(scoped.experiments.list(writer, { project: { workspace: 'cv', name: 'q' }, page: { first: 10 } }))).toBe(ErrorCode.FORBIDDEN);
  });

  it('reads every workspace with a * grant', async () => {
    const all = keyFor({ workspace: '*', role: 'read' });
    expect((await scoped.projects.listWorkspaces(all)).map((w) => w.name).sort()).toEqual(['cv', 'ml']);
    expect(await scoped.experiments.children(all, [ml.key])).toEqual([[expect.objectContaining({ key: crossChild.key })]]);
    expect(await codeOf(scoped.metrics.log(all, ml.key, [{ name: 'loss', value: 0, step: 1 }]))).toBe(ErrorCode.FORBIDDEN);
  });

  it('costs no extra port call for the nested reads of a listed page', async () => {
    const reader = keyFor({ workspace: 'ml', role: 'read' });
    const { backend: counted, calls } = countingBackend(inner);
    const checked = scopeBackend(counted, new Authenticator(keys, { cacheMs: 0 }));
    const page = await checked.experiments.list(reader, { project: { workspace: 'ml', name: 'p' }, page: { first: 10 } });
    await checked.attributes.tags(reader, page.items.map((e) => e.key));
    await checked.metrics.log(reader, ml.key, []).catch(() => undefined);
    expect(calls.map((c) => c.method)).toEqual(['experiments.list', 'attributes.tags']);
  });

  it('refuses callers without a valid key', async () => {
    keyFor({ workspace: 'ml', role: 'read' });
    expect(await codeOf(scoped.experiments.get(ANONYMOUS, [ml.key]))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(await codeOf(scoped.projects.listWorkspaces(callerFromAuthorization('tqk_forged')))).toBe(ErrorCode.UNAUTHENTICATED);
  });
});

describe('writes', () => {
  it('needs write on the experiment\'s workspace; one the key cannot see is NOT_FOUND, as a missing one', async () => {
    const reader = keyFor({ workspace: 'ml', role: 'read' });
    const writer = keyFor({ workspace: 'ml', role: 'write' });
    const point = [{ name: 'loss', value: 0.5, step: 1 }];
    expect(await codeOf(scoped.metrics.log(reader, ml.key, point))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(scoped.assets.checkUpload(reader, ml.key))).toBe(ErrorCode.FORBIDDEN);
    expect(await scoped.metrics.log(writer, ml.key, point)).toBe('ACCEPTED');
    const hidden = scoped.attributes.addTags(writer, cv.key, ['x']);
    await expect(hidden).rejects.toThrow(`Experiment '${cv.key}' does not exist`);
    await expect(scoped.attributes.addTags(writer, 'f'.repeat(32), ['x'])).rejects.toThrow(`Experiment '${'f'.repeat(32)}' does not exist`);
    expect(await inner.attributes.tags(ANONYMOUS, [cv.key])).toEqual([['secret']]);
  });

  it('keeps createProject and deleteExperiment for admin', async () => {
    const writer = keyFor({ workspace: 'ml', role: 'write' });
    const admin = keyFor({ workspace: 'ml', role: 'admin' });
    expect(await codeOf(scoped.projects.create(writer, { workspace: 'ml', name: 'new' }))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(scoped.experiments.delete(writer, ml.key))).toBe(ErrorCode.FORBIDDEN);
    expect((await scoped.experiments.create(writer, { workspace: 'ml', project: 'made-on-the-fly' })).project).toBe('made-on-the-fly');
    expect((await scoped.projects.create(admin, { workspace: 'ml', name: 'new' })).name).toBe('new');
    expect(await codeOf(scoped.projects.create(admin, { workspace: 'cv', name: 'new' }))).toBe(ErrorCode.FORBIDDEN);
    await scoped.experiments.delete(admin, ml.key);
    expect(await inner.experiments.get(ANONYMOUS, [ml.key])).toEqual([null]);
  });

  it('creates no experiment in, or under a parent from, a workspace it cannot write or see', async () => {
    const writer = keyFor({ workspace: 'ml', role: 'write' });
    expect(await codeOf(scoped.experiments.create(writer, { workspace: 'cv', project: 'q' }))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(scoped.experiments.create(writer, { workspace: 'ml', project: 'p', parentKey: cv.key }))).toBe(ErrorCode.NOT_FOUND);
  });

  it('registers models only into writable workspaces, and with includeChildren only readable runs', async () => {
    const writer = keyFor({ workspace: 'ml', role: 'write' });
    const input = { experimentKey: ml.key, experimentModelName: 'net', registryName: 'net', version: '1' };
    expect(await codeOf(scoped.registry.register(writer, { ...input, workspace: 'cv' }))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(scoped.registry.register(writer, { ...input, includeChildren: true }))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(scoped.registry.register(writer, { ...input, experimentKey: cv.key }))).toBe(ErrorCode.NOT_FOUND);
    expect((await scoped.registry.register(writer, input)).versions.map((v) => v.version)).toEqual(['1']);
    expect(await codeOf(scoped.registry.updateVersion(writer, { workspace: 'cv', modelName: 'net', version: '1', stage: 'prod' }))).toBe(ErrorCode.FORBIDDEN);
    expect((await scoped.registry.updateVersion(writer, { workspace: 'ml', modelName: 'net', version: '1', stage: 'prod' })).stage).toBe('prod');
  });
});
