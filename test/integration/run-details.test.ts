/**
 * Run details through the real server: every new field and mutation of a run page, the git patch served like
 * an asset, hostile input (10 MB of output, HTML with scripts) and the live event of new details.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { ROOT, codes, gql, gqlOk, tempDir } from '../support/gateway';
import { eventually, liveClient, record, type LiveClient } from '../support/live';

const RUN_PAGE = readFileSync(path.join(ROOT, 'examples', 'operations', 'run-page.graphql'), 'utf8');
const CREATE = `mutation { createExperiment(input: {workspace: "ml", project: "details", name: "trainer"}) { experiment { key } } }`;
const UPDATE = `mutation($input: UpdateRunDetailsInput!) { updateRunDetails(input: $input) { experiment { key } } }`;
const APPEND = `mutation($input: AppendOutputInput!) { appendOutput(input: $input) { experimentKey accepted status } }`;
const SCRIPT = '<script>document.title = "pwned"</script><img src=x onerror="alert(1)">';

let gateway: Gateway;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir();
  gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }));
});
afterAll(async () => {
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const newRun = async (): Promise<string> => (await gqlOk(gateway.url, CREATE)).createExperiment.experiment.key as string;

describe('a run page', () => {
  it('keeps metric contexts apart: one series per (metric, context), each with its own summary and history', async () => {
    const key = await newRun();
    const points = [
      { name: 'loss', step: 0, value: 0.9, context: 'train' }, { name: 'loss', step: 1, value: 0.5, context: 'train' },
      { name: 'loss', step: 1, value: 0.7, context: 'validate' }, { name: 'loss', step: 1, value: 0.6 },
    ];
    await gqlOk(gateway.url, `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`, { input: { experimentKey: key, points } });
    const data = await gqlOk(gateway.url, `query($key: String!) { experiment(key: $key) {
      all: metrics(names: ["loss"]) { context last }
      train: metrics(context: "train") { context min max }
      plain: metric(name: "loss") { context last }
      validate: metric(name: "loss", context: "validate") { last history { points { value context } } }
      missing: metric(name: "loss", context: "test") { last }
    } workspace(name: "ml") { capabilities { metrics { contexts } } } }`, { key });
    expect(data.workspace.capabilities.metrics.contexts).toBe(true);
    expect(data.experiment).toEqual({
      all: [{ context: null, last: 0.6 }, { context: 'train', last: 0.5 }, { context: 'validate', last: 0.7 }],
      train: [{ context: 'train', min: 0.5, max: 0.9 }],
      plain: { context: null, last: 0.6 },
      validate: { last: 0.7, history: { points: [{ value: 0.7, context: 'validate' }] } },
      missing: null,
    });
    const run = (await gqlOk(gateway.url, RUN_PAGE, { key })).experiment;
    expect(run.metrics.map((m: { context: string | null }) => m.context)).toEqual([null, 'train', 'validate']);

    // A metric logged only in named contexts is found without naming one: the first context by name, in
    // metric(name) as in filters and ordering.
    const other = await newRun();
    await gqlOk(gateway.url, `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`, { input: { experimentKey: other, points: [
      { name: 'loss', step: 0, value: 0.3, context: 'validate' }, { name: 'loss', step: 0, value: 0.1, context: 'train' },
    ] } });
    const found = await gqlOk(gateway.url, `query($key: String!) { experiment(key: $key) { metric(name: "loss") { context last } }
      project(workspace: "ml", name: "details") { experiments(first: 10, filter: {metric: {name: "loss", op: LT, value: 0.2}}) { nodes { key } } } }`, { key: other });
    expect(found.experiment.metric).toEqual({ context: 'train', last: 0.1 });
    expect(found.project.experiments.nodes.map((n: { key: string }) => n.key)).toEqual([other]);
  });

  it('shows every detail written by the new mutations, with the git patch as a signed download', async () => {
    const key = await newRun();
    await gqlOk(gateway.url, UPDATE, { input: {
      experimentKey: key, code: 'import torch\nprint("hi")\n', html: '<h1>Notes</h1>', modelGraph: '{"layers":[]}',
      git: { commit: 'abc123', branch: 'main', origin: 'git@example.org:r.git', root: '/src', user: 'ada' },
      systemDetails: { hostname: 'gpu-1', user: 'ada', os: 'Linux-6.1', osType: 'Linux', osRelease: '6.1', pid: 4242, command: ['python', 'train.py'],
        executable: '/usr/bin/python3', pythonVersion: '3.11.4', totalRam: 68719476736, gpus: [{ index: 0, name: 'A100', uuid: 'GPU-1', totalMemory: 85899345920 }],
        installedPackages: ['torch==2.1.0'], osPackages: ['libc6'], additional: [{ key: 'cuda', value: '12.1' }] },
      dependencies: [{ name: 'torch', version: '2.1.0' }],
    } });
    await gqlOk(gateway.url, APPEND, { input: { experimentKey: key, lines: [{ text: 'epoch 1' }, { text: 'warning: slow', stream: 'STDERR', timestamp: '2024-01-01T00:00:00.000Z' }] } });
    await gqlOk(gateway.url, `mutation($k: String!) { logCurve(input: {experimentKey: $k, name: "roc", x: [0, 1], y: [0, 1], step: 3}) { experiment { key } } }`, { k: key });
    await gqlOk(gateway.url, `mutation { setProjectNotes(input: {workspace: "ml", project: "details", notes: "baseline sweep"}) { project { notes } } }`);
    const upload = await gqlOk(gateway.url, `mutation($k: String!) { createAssetUpload(input: {experimentKey: $k, fileName: "git_diff.patch", type: "git-patch"}) { uploadUrl } }`, { k: key });
    expect((await fetch(upload.createAssetUpload.uploadUrl, { method: 'PUT', body: 'diff --git a/x b/x\n' })).status).toBe(201);

    const { experiment } = await gqlOk(gateway.url, RUN_PAGE, { key });
    expect(experiment).toMatchObject({
      code: 'import torch\nprint("hi")\n', html: '<h1>Notes</h1>', modelGraph: '{"layers":[]}',
      git: { commit: 'abc123', branch: 'main', origin: 'git@example.org:r.git', root: '/src', user: 'ada' },
      systemDetails: { hostname: 'gpu-1', pid: 4242, totalRam: 68719476736, gpus: [{ index: 0, name: 'A100', uuid: 'GPU-1', totalMemory: 85899345920 }], additional: [{ key: 'cuda', value: '12.1' }] },
      dependencies: [{ name: 'torch', version: '2.1.0' }],
      curves: [{ name: 'roc', step: 3, x: [0, 1], y: [0, 1] }],
      output: { totalCount: 2, nodes: [
        { offset: 0, text: 'epoch 1', stream: 'STDOUT', timestamp: null },
        { offset: 1, text: 'warning: slow', stream: 'STDERR', timestamp: '2024-01-01T00:00:00.000Z' },
      ] },
    });
    expect(experiment.project.notes).toBe('baseline sweep');
    expect(experiment.project.columns).toEqual(expect.arrayContaining([{ name: 'hostname', source: 'SYSTEM', type: 'string' }]));
    const patch = await fetch(experiment.git.patchUrl);
    expect(patch.status).toBe(200);
    expect(await patch.text()).toBe('diff --git a/x b/x\n');
  });

  it('reads a run with nothing logged as nulls and empty lists, and pages output by cursor', async () => {
    const key = await newRun();
    const empty = (await gqlOk(gateway.url, RUN_PAGE, { key })).experiment;
    expect(empty).toMatchObject({ code: null, html: null, git: null, systemDetails: null, curves: [], dependencies: [], output: { totalCount: 0, nodes: [] } });
    await gqlOk(gateway.url, APPEND, { input: { experimentKey: key, lines: Array.from({ length: 5 }, (_, i) => ({ text: `l${i}` })) } });
    const first = (await gqlOk(gateway.url, RUN_PAGE, { key, outputFirst: 2 })).experiment.output;
    const rest = (await gqlOk(gateway.url, RUN_PAGE, { key, outputFirst: 10, outputAfter: first.pageInfo.endCursor })).experiment.output;
    expect(rest.nodes.map((n: { text: string }) => n.text)).toEqual(['l2', 'l3', 'l4']);
  });
});

describe('capabilities', () => {
  it('reports what the embedded store does with run details and renames', async () => {
    await newRun();
    const data = await gqlOk(gateway.url, '{ workspaces { capabilities { details { outputStreams dependencies } experiments { rename } } } }');
    expect(data.workspaces[0].capabilities).toEqual({ details: { outputStreams: true, dependencies: true }, experiments: { rename: true } });
  });

  it('answers a retried updateRunDetails from its record, and refuses the same key with another input', async () => {
    const key = await newRun();
    const input = { experimentKey: key, code: 'v1', idempotencyKey: `update-${key}` };
    expect(await gqlOk(gateway.url, UPDATE, { input })).toEqual(await gqlOk(gateway.url, UPDATE, { input }));
    const conflict = await gql(gateway.url, UPDATE, { input: { ...input, code: 'v2' } });
    expect(codes(conflict)).toEqual(['BAD_USER_INPUT']);
    expect((await gqlOk(gateway.url, RUN_PAGE, { key })).experiment.code).toBe('v1');
  });
});

describe('hostile input', () => {
  it('refuses 10 MB of output in one call with a clear error and stores none of it', async () => {
    const key = await newRun();
    const res = await gql(gateway.url, APPEND, { input: { experimentKey: key, lines: [{ text: 'x'.repeat(10 * 1024 * 1024) }] } });
    expect(codes(res)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect((await gqlOk(gateway.url, RUN_PAGE, { key })).experiment.output.totalCount).toBe(0);
  });

  it('returns HTML with scripts as JSON string data, verbatim, never as a page', async () => {
    const key = await newRun();
    await gqlOk(gateway.url, UPDATE, { input: { experimentKey: key, html: SCRIPT, code: '\u0000\u0001\u00ff binary' } });
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($k: String!) { experiment(key: $k) { html code } }', variables: { k: key } }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await res.json()).toEqual({ data: { experiment: { html: SCRIPT, code: '\u0000\u0001\u00ff binary' } } });
  });

  it('keeps the dashboard free of HTML sinks, so logged HTML cannot run in it', () => {
    const sources = (readdirSync(path.join(ROOT, 'web'), { recursive: true }) as string[])
      .filter((f) => /\.(tsx?|html)$/.test(f))
      .map((f) => readFileSync(path.join(ROOT, 'web', f), 'utf8'));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source).not.toMatch(/dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML|document\.write/);
  });

  it('answers a retried appendOutput from its idempotency record, storing the lines once', async () => {
    const key = await newRun();
    const input = { experimentKey: key, lines: [{ text: 'once' }], idempotencyKey: `append-${key}` };
    const first = await gqlOk(gateway.url, APPEND, { input });
    expect(await gqlOk(gateway.url, APPEND, { input })).toEqual(first);
    expect((await gqlOk(gateway.url, RUN_PAGE, { key })).experiment.output.totalCount).toBe(1);
  });
});

describe('live events', () => {
  let live: LiveClient;
  beforeAll(() => {
    live = liveClient(gateway.url);
  });
  afterAll(() => live.dispose());

  it('publishes UPDATED when a run gets new details', async () => {
    const key = await newRun();
    const feed = record<{ experimentUpdated: { kind: string; experimentKey: string } }>(live.client,
      'subscription { experimentUpdated(workspace: "ml", project: "details") { kind experimentKey } }');
    // The subscription starts asynchronously: write until its first event arrives.
    await eventually(async () => {
      await gqlOk(gateway.url, UPDATE, { input: { experimentKey: key, code: 'x = 1' } });
      return feed.results.length > 0;
    }, 5000, 'an UPDATED event');
    expect(feed.results[0].data?.experimentUpdated).toEqual({ kind: 'UPDATED', experimentKey: key });
    // Output lines and a curve are writes to the run too: one event per call, none for a replay.
    const seen = feed.results.length;
    const output = { experimentKey: key, lines: [{ text: 'a' }, { text: 'b' }], idempotencyKey: `out-${key}` };
    await gqlOk(gateway.url, APPEND, { input: output });
    await gqlOk(gateway.url, APPEND, { input: output });
    await gqlOk(gateway.url, `mutation($k: String!) { logCurve(input: {experimentKey: $k, name: "pr", x: [0], y: [1]}) { experiment { key } } }`, { k: key });
    await eventually(async () => feed.results.length >= seen + 2, 5000, 'events of output and curve');
    await gqlOk(gateway.url, UPDATE, { input: { experimentKey: key, html: 'marker' } });
    await eventually(async () => feed.results.length >= seen + 3, 5000, 'the marker event');
    expect(feed.results.slice(seen).map((r) => r.data?.experimentUpdated)).toEqual(Array(3).fill({ kind: 'UPDATED', experimentKey: key }));
    feed.unsubscribe();
  });
});
