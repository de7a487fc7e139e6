/**
 * The Comet simulator over real HTTP: the behaviours the Comet adapter will be tested against, each asserted
 * on the wire (status, envelope, headers, bytes) and in the simulator's own records (counts, dump).
 */
import { request as httpRequest } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CLIENTLIB_ROOT, Limits, REST_ROOT, startCometSim, type CometSim } from '../support/comet-sim';
import { MultipartParser } from '../support/comet-sim/multipart';

const KEY = 'key-alpha-0123456789abcdef';
const OTHER_KEY = 'key-bravo-0123456789abcdef';

let sim: CometSim;
let ws: string;

beforeEach(async () => {
  sim = await startCometSim({ apiKeys: [KEY, OTHER_KEY] });
  ws = sim.workspaceOf(KEY);
});
afterEach(async () => {
  await sim.stop();
});

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

interface CallOptions {
  key?: string | null;
  query?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  body?: RequestInit['body'];
}

/** Calls `path` below the REST root (or a full path starting with `/`) and parses the JSON answer. */
async function call(method: 'GET' | 'POST', path: string, o: CallOptions = {}): Promise<Reply> {
  const url = new URL(path.startsWith('/') ? `${sim.url}${path}` : `${sim.url}${REST_ROOT}${path}`);
  for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...o.headers };
  const key = o.key === undefined ? KEY : o.key;
  if (key !== null) headers.Authorization = key;
  let body = o.body;
  if (o.json !== undefined) {
    headers['Content-Type'] = 'application/json;charset=utf-8';
    body = JSON.stringify(o.json);
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

const get = (path: string, query: Record<string, string> = {}, key?: string | null) => call('GET', path, { query, key });
const post = (path: string, json: unknown, key?: string | null) => call('POST', path, { json, key });

async function createExperiment(project = 'proj', name = 'run-1', key = KEY): Promise<string> {
  const res = await post('write/experiment/create', { workspaceName: sim.workspaceOf(key), projectName: project, experimentName: name }, key);
  expect(res.status).toBe(200);
  return (res.body as { experimentKey: string }).experimentKey;
}

const SAVED = { msg: 'saved', code: 200, data: null, sdk_error_code: 0 };

describe('comet-sim auth', () => {
  it.each([
    ['no Authorization header', null],
    ['an unknown key', 'not-a-key'],
    ['a Bearer-prefixed key (Comet takes the raw key)', `Bearer ${KEY}`],
  ])('refuses %s with 401 and sdk_error_code 90212', async (_label, key) => {
    const res = await get('workspaces', {}, key);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 401, msg: expect.any(String), sdk_error_code: 90212 });
  });

  it('shows each key only its own workspace', async () => {
    expect((await get('workspaces')).body).toEqual({ workspaceNames: [ws] });
    expect((await get('workspaces', {}, OTHER_KEY)).body).toEqual({ workspaceNames: [sim.workspaceOf(OTHER_KEY)] });
    expect(ws).not.toContain(KEY);
    const account = await get('account-details');
    expect(account.body).toEqual({ userName: expect.any(String), defaultWorkspaceName: ws });
  });

  it("refuses another key's experiment and workspace with 403 and 90210", async () => {
    const key = await createExperiment();
    const read = await get('experiment/tags', { experimentKey: key }, OTHER_KEY);
    expect(read.status).toBe(403);
    expect(read.body).toMatchObject({ code: 403, sdk_error_code: 90210 });
    const write = await post('write/experiment/tags', { experimentKey: key, addedTags: ['x'] }, OTHER_KEY);
    expect(write.status).toBe(403);
    const projects = await get('projects', { workspaceName: ws }, OTHER_KEY);
    expect(projects.status).toBe(403);
    const unknown = await get('projects', { workspaceName: 'nowhere' });
    expect(unknown).toMatchObject({ status: 400, body: { sdk_error_code: 90219 } });
  });

  it("accepts the key in Java's Comet-Sdk-Api header too", async () => {
    const res = await call('GET', 'workspaces', { key: null, headers: { 'Comet-Sdk-Api': KEY } });
    expect(res.body).toEqual({ workspaceNames: [ws] });
  });

  it('binds keys to workspaces given by seed', async () => {
    sim.seed({ keys: [{ apiKey: 'team-key', workspaces: ['team', 'shared'], defaultWorkspace: 'shared' }] });
    expect((await get('workspaces', {}, 'team-key')).body).toEqual({ workspaceNames: ['shared', 'team'] });
    expect(sim.workspaceOf('team-key')).toBe('shared');
  });
});

describe('comet-sim experiments round trip', () => {
  it('creates an experiment (and its project) and reads its metadata', async () => {
    const res = await post('write/experiment/create', { workspaceName: ws, projectName: 'proj', experimentName: 'run-1' });
    expect(res.body).toEqual({
      experimentKey: expect.stringMatching(/^[0-9a-f]{32}$/), workspaceName: ws, projectName: 'proj',
      link: expect.any(String), name: 'run-1',
    });
    const key = (res.body as { experimentKey: string }).experimentKey;
    const meta = await get('experiment/metadata', { experimentKey: key });
    expect(meta.body).toMatchObject({
      experimentKey: key, experimentName: 'run-1', projectName: 'proj', workspaceName: ws, archived: false,
      running: true, throttle: false, optimizationId: null, startTimeMillis: expect.any(Number), endTimeMillis: null,
    });
    const project = await get('project', { workspaceName: ws, projectName: 'proj' });
    expect(project.body).toMatchObject({ projectName: 'proj', workspaceName: ws, numberOfExperiments: 1, isPublic: false });
    expect(project.body).not.toHaveProperty('public');
    const listing = await get('experiments', { workspaceName: ws, projectName: 'proj', archived: 'false' });
    expect((listing.body as { experiments: unknown[] }).experiments).toHaveLength(1);
  });

  it('answers 404 with 90211 for an unknown experiment and 404 for an unknown project', async () => {
    const meta = await get('experiment/metadata', { experimentKey: 'f'.repeat(32) });
    expect(meta).toMatchObject({ status: 404, body: { code: 404, sdk_error_code: 90211 } });
    const write = await post('write/experiment/metric', { experimentKey: 'f'.repeat(32), metricName: 'm', metricValue: 1 });
    expect(write).toMatchObject({ status: 400, body: { sdk_error_code: 90211 } });
    expect((await get('project', { workspaceName: ws, projectName: 'nope' })).status).toBe(404);
  });

  it('stores metrics, parameters, others and tags and reads values back as strings', async () => {
    const key = await createExperiment();
    const metric = (metricValue: number | string, step: number) =>
      post('write/experiment/metric', { experimentKey: key, metricName: 'loss', metricValue, step, timestamp: 1_700_000_000_000 + step });
    expect((await metric(0.5, 1)).body).toEqual(SAVED);
    await metric('0.25', 2);
    await metric('NaN', 3);
    await metric(0.75, 4);
    await metric('0.1', 5);
    expect((await post('write/experiment/parameter', { experimentKey: key, parameterName: 'lr', parameterValue: 0.01 })).body).toEqual(SAVED);
    await post('write/experiment/parameter', { experimentKey: key, parameterName: 'opt', parameterValue: 'adam' });
    await post('write/experiment/log-other', { experimentKey: key, key: 'note', value: 42 });
    await post('write/experiment/tags', { experimentKey: key, addedTags: ['a', 'b'] });
    await post('write/experiment/tags', { experimentKey: key, addedTags: ['b', 'c'] });

    const summary = await get('experiment/metrics/summary', { experimentKey: key });
    expect(summary.body).toEqual({ values: [expect.objectContaining({
      name: 'loss', valueMax: '0.75', valueMin: '0.1', valueCurrent: '0.1', stepMax: 4, stepMin: 5, stepCurrent: 5,
      timestampCurrent: 1_700_000_000_005, runContextCurrent: null,
    })] });
    const params = (await get('experiment/parameters', { experimentKey: key })).body as { values: { name: string; valueCurrent: string }[] };
    expect(params.values.map((v) => [v.name, v.valueCurrent])).toEqual([['lr', '0.01'], ['opt', 'adam']]);
    const others = (await get('experiment/log-other', { experimentKey: key })).body as { values: { name: string; valueCurrent: string }[] };
    expect(others.values.map((v) => [v.name, v.valueCurrent])).toEqual([['note', '42']]);
    expect((await get('experiment/tags', { experimentKey: key })).body).toEqual({ tags: ['a', 'b', 'c'] });
    const history = (await get('experiment/metrics/get-metric', { experimentKey: key, metricName: 'loss' })).body as {
      metrics: { metricValue: unknown }[];
    };
    expect(history.metrics.map((p) => p.metricValue).sort()).toEqual(['0.1', '0.25', '0.5', '0.75', 'NaN']);
  });

  it('returns get-metric points unsorted, in the same order every time', async () => {
    const key = await createExperiment();
    for (let step = 0; step < 30; step++) {
      await post('write/experiment/metric', { experimentKey: key, metricName: 'acc', metricValue: step / 100, step });
    }
    const read = async () => ((await get('experiment/metrics/get-metric', { experimentKey: key, metricName: 'acc' })).body as {
      metrics: { step: number; metricValue: string; metricName: string; runContext: null; epoch: null; timestamp: number }[];
    }).metrics;
    const first = await read();
    const steps = first.map((p) => p.step);
    expect(steps).not.toEqual([...steps].sort((a, b) => a - b));
    expect([...steps].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(first.every((p) => typeof p.metricValue === 'string')).toBe(true);
    expect((await read()).map((p) => p.step)).toEqual(steps);
  });

  it('keeps every point in arrival order across REST and batch writes', async () => {
    const key = await createExperiment();
    await post('write/experiment/metric', { experimentKey: key, metricName: 'a', metricValue: 1, step: 9 });
    await call('POST', `${CLIENTLIB_ROOT}batch/logger/experiment/metric`, {
      json: { experimentKey: key, values: [{ metricName: 'b', metricValue: 2, step: 1 }, { metricName: 'a', metricValue: 3, step: 2 }] },
    });
    await post('write/experiment/metric', { experimentKey: key, metricName: 'b', metricValue: '-Infinity', step: 0 });
    const stored = sim.dump().experiments[key].metrics.map((p) => [p.metricName, p.metricValue, p.step]);
    expect(stored).toEqual([['a', '1', 9], ['b', '2', 1], ['a', '3', 2], ['b', '-Infinity', 0]]);
  });

  it('downsamples a history beyond 15,000 points on read and keeps every point in the dump', async () => {
    const n = Limits.MAX_POINTS_PER_METRIC + 500;
    const metrics = Array.from({ length: n }, (_, step) => ({ metricName: 'm', metricValue: step, step }));
    const [key] = sim.seed({ experiments: [{ workspace: ws, project: 'p', metrics }] }).experimentKeys;
    const read = (await get('experiment/metrics/get-metric', { experimentKey: key, metricName: 'm' })).body as { metrics: { step: number }[] };
    expect(read.metrics).toHaveLength(Limits.MAX_POINTS_PER_METRIC);
    expect(Math.max(...read.metrics.map((p) => p.step))).toBe(n - 1);
    expect(sim.dump().experiments[key].metrics).toHaveLength(n);
  });

  it('ends, archives, restores and deletes experiments', async () => {
    const key = await createExperiment();
    expect((await post('write/experiment/set-start-end-time', { experimentKey: key, endTimeMillis: 1_800_000_000_000 })).body).toEqual(SAVED);
    expect((await post('write/experiment/update-status', { experimentKey: key, isAlive: false })).body).toEqual(SAVED);
    expect((await get('experiment/metadata', { experimentKey: key })).body).toMatchObject({ endTimeMillis: 1_800_000_000_000, running: false });
    expect((await get('write/experiment/archive', { experimentKey: key })).body).toEqual({ msg: 'Archived' });
    const live = await get('experiments', { workspaceName: ws, projectName: 'proj', archived: 'false' });
    expect(live.body).toEqual({ experiments: [] });
    const archived = await get('experiments', { workspaceName: ws, projectName: 'proj', archived: 'TRUE' });
    expect((archived.body as { experiments: { archived: boolean }[] }).experiments).toEqual([expect.objectContaining({ archived: true })]);
    await get('write/experiment/restore', { experimentKey: key });
    expect((await get('experiment/metadata', { experimentKey: key })).body).toMatchObject({ archived: false });
    expect((await get('write/experiment/delete', { experimentKey: key })).body).toEqual(SAVED);
    expect((await get('experiment/metadata', { experimentKey: key })).status).toBe(404);
  });

  it('creates projects and refuses duplicates', async () => {
    const body = { workspaceName: ws, projectName: 'new-proj', projectDescription: 'd', isPublic: true };
    expect((await post('write/project/create', body)).body).toEqual(SAVED);
    expect((await post('write/project/create', body)).status).toBe(400);
    const projects = (await get('projects', { workspaceName: ws })).body as { projects: unknown[] };
    expect(projects.projects).toEqual([expect.objectContaining({ projectName: 'new-proj', projectDescription: 'd', isPublic: true })]);
    expect((await post('write/project/create', { workspaceName: ws, projectName: 'x'.repeat(100) })).status).toBe(400);
  });
});

describe('comet-sim strict validation', () => {
  it.each([
    ['an unknown field', { metricName: 'm', metricValue: 1, value: 2 }, "unknown field 'value'"],
    ['a missing metricValue', { metricName: 'm' }, "missing required field 'metricValue'"],
    ['a non-numeric metricValue', { metricName: 'm', metricValue: 'high' }, 'metricValue must be a number'],
    ['a fractional step', { metricName: 'm', metricValue: 1, step: 1.5 }, "field 'step' must be integer"],
  ])('refuses a metric with %s', async (_label, fields, message) => {
    const key = await createExperiment();
    const res = await post('write/experiment/metric', { experimentKey: key, ...fields });
    expect(res.status).toBe(400);
    expect((res.body as { msg: string }).msg).toContain(message);
    expect(sim.dump().experiments[key].metrics).toEqual([]);
  });

  it('refuses a missing experimentKey with 90998, unknown query parameters, and non-JSON bodies', async () => {
    expect(await post('write/experiment/tags', { addedTags: ['a'] })).toMatchObject({ status: 400, body: { sdk_error_code: 90998 } });
    const key = await createExperiment();
    const typo = await get('experiment/tags', { experimentKey: key, experimentkey: key });
    expect(typo.status).toBe(400);
    expect((typo.body as { msg: string }).msg).toContain("unknown query parameter 'experimentkey'");
    const text = await call('POST', 'write/experiment/tags', { body: '{}', headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('answers 405 for a known path with the wrong method and 404 for an unknown path', async () => {
    expect((await call('GET', 'write/experiment/metric')).status).toBe(405);
    expect((await call('GET', 'experiment/nothing-here')).status).toBe(404);
  });
});

describe('comet-sim clientlib batch plane', () => {
  const batchPath = `${CLIENTLIB_ROOT}batch/logger/experiment/metric`;
  const values = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ metricName: 'loss', metricValue: from + i, step: from + i, timestamp: 1_000 + from + i }));

  it('takes up to 1000 values per request, in arrival order, and refuses 1001 whole', async () => {
    const key = await createExperiment();
    expect((await call('POST', batchPath, { json: { experimentKey: key, values: values(Limits.BATCH_MAX_VALUES) } })).body).toEqual(SAVED);
    const tooMany = await call('POST', batchPath, { json: { experimentKey: key, values: values(1001, 5000) } });
    expect(tooMany.status).toBe(400);
    expect((tooMany.body as { msg: string }).msg).toContain('at most 1000');
    const stored = sim.dump().experiments[key].metrics;
    expect(stored).toHaveLength(1000);
    expect(stored.map((p) => p.step)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(stored[7]).toEqual({ metricName: 'loss', metricValue: '7', step: 7, epoch: null, timestamp: 1_007, context: null });
  });

  it('accepts gzip bodies and refuses a batch with one bad value whole', async () => {
    const key = await createExperiment();
    const zipped = gzipSync(JSON.stringify({ experimentKey: key, values: values(3) }));
    const res = await call('POST', batchPath, {
      body: zipped, headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    });
    expect(res.body).toEqual(SAVED);
    const bad = await call('POST', batchPath, { json: { experimentKey: key, values: [...values(2, 10), { metricName: 'x', metricValue: {} }] } });
    expect(bad.status).toBe(400);
    expect(sim.dump().experiments[key].metrics.map((p) => p.step)).toEqual([0, 1, 2]);
  });

  it('stores parameter batches with their source', async () => {
    const key = await createExperiment();
    const res = await call('POST', `${CLIENTLIB_ROOT}batch/logger/experiment/parameter`, {
      json: { experimentKey: key, values: [{ parameterName: 'lr', parameterValue: 0.1, source: 'manual' }, { parameterName: 'bs', parameterValue: 32 }] },
    });
    expect(res.body).toEqual(SAVED);
    expect(sim.dump().experiments[key].parameters.map((p) => [p.name, p.value, p.source])).toEqual([['lr', '0.1', 'manual'], ['bs', '32', null]]);
    const badSource = await call('POST', `${CLIENTLIB_ROOT}batch/logger/experiment/parameter`, {
      json: { experimentKey: key, values: [{ parameterName: 'lr', parameterValue: 1, source: 'magic' }] },
    });
    expect(badSource.status).toBe(400);
  });

  it('requires the same auth as REST', async () => {
    const res = await call('POST', batchPath, { key: null, json: { experimentKey: 'k', values: [] } });
    expect(res).toMatchObject({ status: 401, body: { sdk_error_code: 90212 } });
  });
});

describe('comet-sim assets', () => {
  async function upload(key: string, bytes: Buffer, query: Record<string, string>, metadata?: string): Promise<Reply> {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'file');
    if (metadata !== undefined) form.append('metadata', metadata);
    return call('POST', 'write/experiment/upload-asset', { query: { experimentKey: key, ...query }, body: form });
  }

  it('uploads multipart bytes and metadata, lists them and downloads the same bytes', async () => {
    const key = await createExperiment();
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const res = await upload(key, bytes, { fileName: 'weights.bin', type: 'asset', step: '3' }, JSON.stringify({ a: 1 }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ assetId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const assetId = (res.body as { assetId: string }).assetId;
    const list = (await get('experiment/asset/list', { experimentKey: key })).body as { assets: unknown[] };
    expect(list.assets).toEqual([expect.objectContaining({
      assetId, fileName: 'weights.bin', fileSize: 70_000, step: 3, type: 'asset', metadata: '{"a":1}', remote: false, experimentKey: key,
    })]);
    const download = await fetch(`${sim.url}${REST_ROOT}experiment/asset/get-asset?experimentKey=${key}&assetId=${assetId}`, {
      headers: { Authorization: KEY },
    });
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await get('experiment/asset/list', { experimentKey: key, type: 'image' })).body).toEqual({ assets: [] });
  });

  it('refuses an upload without a file part, with bad metadata, or with an unknown type', async () => {
    const key = await createExperiment();
    const noFile = new FormData();
    noFile.append('metadata', '{}');
    const res = await call('POST', 'write/experiment/upload-asset', { query: { experimentKey: key, fileName: 'f' }, body: noFile });
    expect(res.status).toBe(400);
    expect((await upload(key, Buffer.from('x'), { fileName: 'f' }, 'not json')).status).toBe(400);
    expect((await upload(key, Buffer.from('x'), { fileName: 'f', type: 'pdf' })).status).toBe(400);
    expect((await upload(key, Buffer.from('x'), {})).status).toBe(400); // fileName is required
    expect(sim.dump().experiments[key].assets).toEqual([]);
  });

  it('parses a multipart body split at every byte', () => {
    const body = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"k":"v"}\r\n'
      + '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\n'
      + 'line1\r\n--Xy\r\n-\r\n--XyZ--\r\nepilogue',
    );
    const parser = new MultipartParser('XyZ', 1_000);
    for (const byte of body) parser.write(Buffer.from([byte]));
    const form = parser.end();
    expect(form.parts.map((p) => [p.name, p.filename, p.data.toString()])).toEqual([
      ['metadata', null, '{"k":"v"}'],
      ['file', 'file', 'line1\r\n--Xy\r\n-'],
    ]);
  });
});

describe('comet-sim faults, outages, latency and counts', () => {
  async function statuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await get('workspaces')).status);
    return out;
  }

  it('fails about the given fraction of requests, the same ones for the same seed', async () => {
    sim.setFaults({ rate: 0.3, status: 503, seed: 7 });
    const first = await statuses(100);
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(15);
    expect(failed).toBeLessThan(45);
    expect(first.every((s) => s === 200 || s === 503)).toBe(true);
    sim.setFaults({ rate: 0.3, status: 503, seed: 7 });
    expect(await statuses(100)).toEqual(first);
    sim.setFaults({});
    expect(await statuses(5)).toEqual([200, 200, 200, 200, 200]);
  });

  it('answers 429 with Retry-After when asked, and without it by default', async () => {
    sim.setFaults({ rate: 1, status: 429, retryAfterSeconds: 2 });
    const limited = await get('workspaces');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body).toMatchObject({ code: 429 });
    sim.setFaults({ rate: 1, status: 429 });
    const bare = await get('workspaces');
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
  });

  it('limits faults to matching routes and can hang a response', async () => {
    sim.setFaults({ rate: 1, status: 500, routes: /^GET experiment\/tags$/ });
    const key = await createExperiment();
    expect((await get('experiment/tags', { experimentKey: key })).status).toBe(500);
    expect((await get('experiment/metadata', { experimentKey: key })).status).toBe(200);
    sim.setFaults({ rate: 1, timeout: true });
    await expect(fetch(`${sim.url}${REST_ROOT}workspaces`, { headers: { Authorization: KEY }, signal: AbortSignal.timeout(150) }))
      .rejects.toThrow();
  });

  it('refuses every connection while down and keeps its state', async () => {
    const key = await createExperiment();
    sim.setDown(true);
    await expect(fetch(`${sim.url}${REST_ROOT}workspaces`, { headers: { Authorization: KEY } })).rejects.toThrow();
    sim.setDown(false);
    expect((await get('experiment/metadata', { experimentKey: key })).status).toBe(200);
  });

  it('delays every response by the latency', async () => {
    sim.setLatency(120);
    const started = Date.now();
    await get('workspaces');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('counts requests per route, not seeded data, and resets', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: ws, project: 'p', tags: ['t'] }] });
    expect(sim.totalRequests()).toBe(0);
    await get('experiment/tags', { experimentKey: key });
    await get('experiment/tags', { experimentKey: key });
    await call('POST', `${CLIENTLIB_ROOT}batch/logger/experiment/metric`, { json: { experimentKey: key, values: [] } });
    await get('workspaces', {}, 'bad-key');
    expect(sim.requestCounts()).toEqual({
      'GET experiment/tags': 2, 'POST clientlib/batch/logger/experiment/metric': 1, 'GET workspaces': 1,
    });
    expect(sim.totalRequests()).toBe(4);
    sim.resetCounts();
    expect(sim.requestCounts()).toEqual({});
  });

  it('gzips large JSON answers when the client accepts gzip', async () => {
    sim.seed({ experiments: Array.from({ length: 20 }, (_, i) => ({ workspace: ws, project: 'p', name: `run-${i}` })) });
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      const url = new URL(`${sim.url}${REST_ROOT}experiments?workspaceName=${ws}&projectName=p`);
      const req = httpRequest(url, { headers: { Authorization: KEY, 'Accept-Encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw.encoding).toBe('gzip');
    expect((JSON.parse(gunzipSync(raw.body).toString()) as { experiments: unknown[] }).experiments).toHaveLength(20);
  });
});

describe('comet-sim project query and charts', () => {
  async function seedThree(): Promise<string[]> {
    return sim.seed({
      experiments: [
        { workspace: ws, project: 'p', name: 'a', tags: ['best'], parameters: { lr: 0.1 }, metrics: [{ metricName: 'acc', metricValue: 0.9, step: 1 }] },
        { workspace: ws, project: 'p', name: 'b', parameters: { lr: 0.2 }, metrics: [{ metricName: 'acc', metricValue: 0.5, step: 1 }] },
        { workspace: ws, project: 'p', name: 'c', tags: ['best'], parameters: { lr: 'auto' } },
      ],
    }).experimentKeys;
  }
  const query = (predicates: unknown[]) => post('project/query', { workspaceName: ws, projectName: 'p', predicates });
  const rule = (field: string, type: string, operator: string, value: unknown) => ({ id: field, field, type, operator, value });

  it('lists column names with types and sources', async () => {
    await seedThree();
    const res = (await get('project/column-names', { workspaceName: ws, projectName: 'p' })).body as { columns: unknown[] };
    expect(res.columns).toEqual(expect.arrayContaining([
      { name: 'acc', id: 'acc--metrics', type: 'double', source: 'metrics' },
      { name: 'lr', id: 'lr--params', type: 'string', source: 'params' },
      { name: 'best', id: 'best--tag', type: 'string', source: 'tag' },
      { name: 'duration', id: 'duration--metadata', type: 'timenumber', source: 'metadata' },
    ]));
  });

  it('filters by metric and tag predicates, ANDed, and matches nothing on an unknown column', async () => {
    const [a, , c] = await seedThree();
    const metric = { source: 'metrics', query: { condition: 'AND', valid: true, rules: [rule('acc', 'double', 'greater', 0.8)] } };
    const tag = { source: 'tag', query: { condition: 'AND', valid: true, rules: [rule('best', 'string', 'equal', 'best')] } };
    expect((await query([metric])).body).toEqual({ experimentKeys: [a] });
    expect((await query([tag])).body).toEqual({ experimentKeys: [a, c] });
    expect((await query([metric, tag])).body).toEqual({ experimentKeys: [a] });
    const nullAcc = { source: 'metrics', query: { condition: 'AND', rules: [rule('acc', 'double', 'is_null', null)] } };
    expect((await query([nullAcc])).body).toEqual({ experimentKeys: [c] });
    const unknown = { source: 'metrics', query: { condition: 'AND', rules: [rule('f1', 'double', 'greater', 0)] } };
    expect((await query([unknown])).body).toEqual({ experimentKeys: [] });
  });

  it.each([
    ['a type that is not the column type', { source: 'metrics', query: { condition: 'AND', rules: [{ id: 'acc', field: 'acc', type: 'string', operator: 'equal', value: '1' }] } }],
    ['an OR condition', { source: 'metrics', query: { condition: 'OR', rules: [] } }],
    ['an unknown operator', { source: 'metrics', query: { condition: 'AND', rules: [{ id: 'acc', field: 'acc', type: 'double', operator: 'like', value: 1 }] } }],
    ['a text operator on a double', { source: 'metrics', query: { condition: 'AND', rules: [{ id: 'acc', field: 'acc', type: 'double', operator: 'contains', value: '1' }] } }],
    ['a negated tag', { source: 'tag', query: { condition: 'AND', rules: [{ id: 'best', field: 'best', type: 'string', operator: 'not_equal', value: 'best' }] } }],
  ])('refuses %s with 400', async (_label, predicate) => {
    await seedThree();
    expect((await query([predicate])).status).toBe(400);
  });

  it('answers multi-metric-chart per experiment key, as octet-stream, sampled unless fetchFull', async () => {
    const metrics = Array.from({ length: 2000 }, (_, step) => ({ metricName: 'loss', metricValue: 1 / (step + 1), step }));
    const [key] = sim.seed({ experiments: [{ workspace: ws, project: 'p', parameters: { lr: 0.1 }, metrics }] }).experimentKeys;
    const body = { targetedExperiments: [key, 'f'.repeat(32)], metrics: ['loss'], params: ['lr'], independentMetrics: true, fetchFull: false };
    const res = await post('experiments/multi-metric-chart', body);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const chart = res.body as { empty: boolean; experiments: Record<string, { params: unknown; metrics: { metricName: string; values: unknown[]; steps: number[] }[] }> };
    expect(chart.empty).toBe(false);
    expect(Object.keys(chart.experiments)).toEqual([key]);
    expect(chart.experiments[key].params).toEqual({ lr: '0.1' });
    const [loss] = chart.experiments[key].metrics;
    expect(loss.metricName).toBe('loss');
    expect(loss.values).toHaveLength(Limits.CHART_SAMPLE_POINTS);
    expect(loss.steps[0]).toBe(0);
    expect(loss.steps[loss.steps.length - 1]).toBe(1999);
    const full = await post('experiments/multi-metric-chart', { ...body, fetchFull: true });
    expect((full.body as typeof chart).experiments[key].metrics[0].values).toHaveLength(2000);
    const foreign = await post('experiments/multi-metric-chart', body, OTHER_KEY);
    expect(foreign.status).toBe(403);
  });
});

describe('comet-sim model registry', () => {
  async function experimentWithModel(): Promise<{ key: string; experimentModelId: string }> {
    const key = await createExperiment();
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('weights')]), 'file');
    const up = await call('POST', 'write/experiment/upload-asset', {
      query: { experimentKey: key, fileName: 'model.pt', type: 'model-element', groupingName: 'net' }, body: form,
    });
    expect(up.status).toBe(200);
    const models = (await get('experiment/model', { experimentKey: key })).body as { models: { experimentModelId: string; modelName: string }[] };
    expect(models.models).toEqual([expect.objectContaining({ modelName: 'net', experimentKey: key, registryRecords: [] })]);
    return { key, experimentModelId: models.models[0].experimentModelId };
  }

  it('registers a model (legacy flow) with a normalised name, adds versions and updates them', async () => {
    const { key, experimentModelId } = await experimentWithModel();
    const created = await post('write/registry-model', {
      experimentModelId, registryModelName: '--My Model__v2!', version: '1.0.0', isPublic: false, description: 'd', comment: 'first', stages: ['dev'],
    });
    expect(created.body).toEqual({ registryModelId: expect.any(String), registryModelItemId: expect.any(String) });
    const list = (await get('registry-model', { workspaceName: ws })).body as { registryModels: { modelName: string; numberOfVersions: number }[] };
    expect(list.registryModels).toEqual([expect.objectContaining({ modelName: 'my-model-v2', numberOfVersions: 1 })]);
    expect((await get('registry-model/details', { workspaceName: ws, modelName: 'My Model v2' })).status).toBe(404);

    const again = await post('write/registry-model/item', { experimentModelId, registryModelName: 'my model v2', version: '1.1.0', comment: 'second' });
    const itemId = (again.body as { registryModelItemId: string }).registryModelItemId;
    expect((await post('write/registry-model/item', { experimentModelId, registryModelName: 'my-model-v2', version: '1.1.0' })).status).toBe(400);
    expect((await post('write/registry-model/item', { experimentModelId, registryModelName: 'my-model-v2', version: 'v2' })).status).toBe(400);
    expect((await post('write/registry-model/item', { experimentModelId, registryModelName: 'absent', version: '2.0.0' })))
      .toMatchObject({ status: 400, body: { sdk_error_code: 42008 } });

    expect((await post('write/registry-model/item/update', { registryModelItemId: itemId, comment: 'edited' })).body).toEqual(SAVED);
    await get('write/registry-model/item/stage', { modelItemId: itemId, stage: 'production' });
    await get('write/registry-model/item/stage', { modelItemId: itemId, stage: 'canary' });
    await get('write/registry-model/item/stage/delete', { modelItemId: itemId, stage: 'canary' });
    expect((await post('write/registry-model/item/status', { modelItemId: itemId, status: 'Production' })).body).toEqual(SAVED);
    expect((await post('write/registry-model/item/status', { modelItemId: itemId, status: 'Shipped' })).status).toBe(400);

    const details = (await get('registry-model/details', { workspaceName: ws, modelName: 'my-model-v2' })).body as {
      versions: { version: string; comment: string; stages: string[]; assets: { fileName: string }[]; experimentModel: { experimentKey: string } }[];
    };
    expect(details.versions.map((v) => [v.version, v.comment, v.stages])).toEqual([['1.0.0', 'first', ['dev']], ['1.1.0', 'edited', ['production']]]);
    expect(details.versions[0].assets.map((a) => a.fileName)).toEqual(['model.pt']);
    expect(details.versions[0].experimentModel.experimentKey).toBe(key);
    const records = (await get('experiment/model', { experimentKey: key })).body as { models: { registryRecords: { version: string }[] }[] };
    expect(records.models[0].registryRecords.map((r) => r.version)).toEqual(['1.0.0', '1.1.0']);
  });

  it('registers through the novel flow and lists items newest first', async () => {
    const { key } = await experimentWithModel();
    const create = (version: string, extra: Record<string, unknown> = {}) => post('write/registry-model/item/create', {
      experimentKey: key, experimentModelName: 'net', registryModelName: 'Novel Net', version, tags: ['t'], status: 'Staging', ...extra,
    });
    expect((await create('0.1.0')).status).toBe(200);
    expect((await create('0.2.0', { experimentModelName: undefined, modelName: 'net', status: undefined })).status).toBe(200);
    expect((await create('0.3.0', { experimentModelName: 'missing' }))).toMatchObject({ status: 400, body: { sdk_error_code: 42006 } });
    const items = (await get('registry-model/items', { workspaceName: ws, modelName: 'novel-net' })).body as { items: { version: string; status: string | null }[] };
    expect(items.items.map((i) => [i.version, i.status])).toEqual([['0.2.0', null], ['0.1.0', 'Staging']]);
    const staged = (await get('registry-model/items', { workspaceName: ws, modelName: 'novel-net', status: 'Staging' })).body as { items: unknown[] };
    expect(staged.items).toHaveLength(1);
    const one = await get('registry-model/item/details', { workspaceName: ws, modelName: 'novel-net', version: '0.1.0' });
    expect(one.body).toMatchObject({ version: '0.1.0', tags: ['t'], status: 'Staging', experimentKey: key });
  });
});
