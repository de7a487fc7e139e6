/**
 * Run details on the MLflow backend, beyond the shared contract: MLflow's own system tags read from runs
 * other clients logged (and what that costs upstream), writes as tags through the outbox, the `trackql/`
 * artifact folder kept out of assets, append-only output, and project notes as the experiment's note.
 */
import fs from 'node:fs';
import type { Backend, RunDetails } from '../../src/backends/port';
import { mlflowBackend, tempDataDir } from '../support/mlflow-backend';
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { simClient, type SimClient } from '../support/mlflow-sim/client';
import { CALLER, WORKSPACE, bodyOf, expectCode, newExperiment, uniqueProject } from './port/support';

let sim: MlflowSim;
let client: SimClient;
let backend: Backend;
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startMlflowSim();
  client = simClient(sim);
});
afterAll(async () => {
  await sim.stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  const dir = tempDataDir();
  dirs.push(dir);
  backend = mlflowBackend(sim, dir, { outboxBackoffMs: 20, outboxMaxBackoffMs: 40, maxRetries: 1 });
});
afterEach(async () => {
  sim.clearFaults();
  await backend.close();
});

async function experimentOf(name: string, artifactLocation?: string): Promise<string> {
  const made = await client.post('mlflow/experiments/create', { name, ...(artifactLocation && { artifact_location: artifactLocation }) });
  return (made.body as { experiment_id: string }).experiment_id;
}

/** A run as MLflow's Python client starts one: its system tags set at creation. */
async function pythonRun(experimentId: string, i: number): Promise<string> {
  const made = await client.post('mlflow/runs/create', {
    experiment_id: experimentId, run_name: `py-${i}`, start_time: 1_700_000_000_000 + i,
    tags: [
      { key: 'mlflow.user', value: 'ada' },
      { key: 'mlflow.source.name', value: '/home/ada/train.py' },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.source.git.commit', value: `c0ffee${i}` },
      { key: 'mlflow.source.git.branch', value: 'main' },
      { key: 'mlflow.source.git.repoURL', value: 'git@example.org:ml/train.git' },
      { key: 'mlflow.note.content', value: `<p>run ${i}</p>` },
    ],
  });
  const runId = (made.body as { run: { info: { run_id: string } } }).run.info.run_id;
  await client.post('mlflow/runs/log-batch', { run_id: runId, metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: '0.01' }], tags: [] });
  return runId;
}

const details = (slot: RunDetails | Error | null | undefined): RunDetails => {
  if (!slot || slot instanceof Error) throw slot ?? new Error('missing');
  return slot;
};
const runTags = (key: string): Map<string, string> => sim.state.runs.get(key)?.tags ?? new Map();
const artifactPaths = (key: string): string[] => {
  const root = sim.state.runs.get(key)?.artifactUri.replace('mlflow-artifacts:/', '').replace(/^\/+/, '') ?? '';
  return [...sim.state.artifacts.keys()].filter((p) => p.startsWith(`${root}/`)).map((p) => p.slice(root.length + 1)).sort();
};

describe('mlflow run details', () => {
  it('reads the git, user, entry point and description MLflow\'s client logged, for 100 runs in two calls and no download', async () => {
    const project = uniqueProject('py');
    const experimentId = await experimentOf(project);
    const keys: string[] = [];
    for (let i = 0; i < 100; i++) keys.push(await pythonRun(experimentId, i));
    sim.resetCalls();
    const slots = await backend.details.get(CALLER, keys);
    expect(sim.callCount()).toBe(2); // the experiments, then one runs/search for the 100 ids
    expect(sim.callCount(/artifacts/)).toBe(0);
    expect(details(slots[7])).toEqual({
      code: null, modelGraph: null, html: '<p>run 7</p>', dependencies: [],
      git: { commit: 'c0ffee7', branch: 'main', origin: 'git@example.org:ml/train.git', root: null, user: null },
      systemDetails: expect.objectContaining({ user: 'ada', command: ['/home/ada/train.py'], hostname: null, executable: null }),
    });
    // MLflow's system tags never show as TrackQL tags or others.
    expect(await backend.attributes.tags(CALLER, [keys[7]])).toEqual([[]]);
    expect(await backend.attributes.others(CALLER, [keys[7]])).toEqual([[]]);
    const [columns] = await backend.details.projectColumns(CALLER, [{ workspace: WORKSPACE, name: project }]);
    expect((columns as { source: string; name: string }[]).map((c) => `${c.source}:${c.name}`)).toEqual(expect.arrayContaining(['METRIC:loss', 'PARAMETER:lr', 'SYSTEM:user']));
  });

  it('writes git, user, entry point and description as MLflow\'s tags in one log-batch, the rest of the system details as one file', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    sim.resetCalls();
    await backend.details.update(CALLER, {
      experimentKey: key, html: '<b>notes</b>',
      git: { commit: 'abc', branch: 'dev', origin: 'https://example.org/r.git' },
      systemDetails: { user: 'grace', command: ['train.py', '--lr', '0.1'], hostname: 'gpu-1' },
    });
    expect(sim.callCount('POST mlflow/runs/log-batch')).toBe(1);
    expect(sim.callCount('PUT mlflow-artifacts/artifacts/*')).toBe(1);
    const tags = runTags(key);
    expect(Object.fromEntries([...tags].filter(([k]) => k.startsWith('mlflow.')))).toEqual({
      'mlflow.note.content': '<b>notes</b>', 'mlflow.source.git.commit': 'abc', 'mlflow.source.git.branch': 'dev',
      'mlflow.source.git.repoURL': 'https://example.org/r.git', 'mlflow.user': 'grace', 'mlflow.source.name': 'train.py',
    });
    expect(artifactPaths(key)).toEqual(['trackql/system.json']);
    expect(await backend.attributes.others(CALLER, [key])).toEqual([[]]);
    expect(details((await backend.details.get(CALLER, [key]))[0]).systemDetails).toMatchObject({ user: 'grace', hostname: 'gpu-1', command: ['train.py', '--lr', '0.1'] });
  });

  it('queues detail tags in the outbox while MLflow refuses log-batch, and delivers them after', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    sim.addFault({ route: 'POST mlflow/runs/log-batch', action: { kind: 'status', status: 503 }, times: Infinity });
    await backend.details.update(CALLER, { experimentKey: key, git: { commit: 'queued' } });
    expect(runTags(key).get('mlflow.source.git.commit')).toBeUndefined();
    sim.clearFaults();
    for (let i = 0; i < 100 && !runTags(key).has('mlflow.source.git.commit'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(runTags(key).get('mlflow.source.git.commit')).toBe('queued');
    expect(details((await backend.details.get(CALLER, [key], { fresh: true }))[0]).git).toMatchObject({ commit: 'queued', branch: null });
  });

  it('appends output as one new file per call, never rewriting one, and a page downloads only the files it overlaps', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    const lines = (n: number, call: number) => Array.from({ length: n }, (_, i) => ({ text: `c${call} l${i}`, stream: 'STDOUT' as const }));
    for (let call = 0; call < 3; call++) await backend.details.appendOutput(CALLER, key, lines(5, call));
    const files = artifactPaths(key);
    expect(files).toHaveLength(3);
    expect(files.map((f) => f.replace(/-[0-9a-f]{16}\.jsonl$/, ''))).toEqual(['trackql/output/000000000000-5', 'trackql/output/000000000005-5', 'trackql/output/000000000010-5']);
    sim.resetCalls();
    const [page] = await backend.details.output(CALLER, [{ experimentKey: key, first: 3, after: Buffer.from('o:6').toString('base64url') }]);
    expect(page).toMatchObject({ totalCount: 15, items: [{ offset: 7, text: 'c1 l2' }, { offset: 8, text: 'c1 l3' }, { offset: 9, text: 'c1 l4' }] });
    expect(sim.callCount('GET mlflow-artifacts/artifacts/*')).toBe(1);
    expect(sim.callCount('GET mlflow/artifacts/list')).toBe(1);
  });

  it('keeps the details folder out of assets and refuses uploads into it', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    await backend.details.update(CALLER, { experimentKey: key, code: 'print(1)', dependencies: [{ name: 'numpy', version: '1.26.0' }] });
    await backend.details.appendOutput(CALLER, key, [{ text: 'hello', stream: 'STDOUT' }]);
    await backend.details.logCurve(CALLER, { experimentKey: key, name: 'roc', x: [0, 1], y: [0, 1] });
    await backend.assets.put(CALLER, { experimentKey: key, fileName: 'model.bin', type: 'model-element', maxBytes: 10 }, bodyOf('w'));
    expect(artifactPaths(key).filter((p) => p.startsWith('trackql/'))).toHaveLength(4);
    const [page] = await backend.assets.list(CALLER, [{ experimentKey: key, first: 10 }], { fresh: true });
    expect(page).toMatchObject({ totalCount: 1, items: [{ fileName: 'model.bin' }] });
    await expect(backend.assets.put(CALLER, { experimentKey: key, fileName: 'trackql/code.txt', type: 'text', maxBytes: 10 }, bodyOf('x')))
      .rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'RESERVED_PATH' } });
    expect(details((await backend.details.get(CALLER, [key]))[0]).code).toBe('print(1)');
  });

  it('refuses HTML past MLflow\'s tag limit, and writes none of that update', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    await expectCode(backend.details.update(CALLER, { experimentKey: key, html: 'x'.repeat(5_001), code: 'kept?' }), 'PAYLOAD_TOO_LARGE');
    await backend.details.update(CALLER, { experimentKey: key, html: 'y'.repeat(4_000) });
    await expectCode(backend.details.update(CALLER, { experimentKey: key, html: 'z'.repeat(1_001), htmlMode: 'APPEND', code: 'kept?' }), 'PAYLOAD_TOO_LARGE');
    expect(artifactPaths(key)).toEqual([]);
    expect(details((await backend.details.get(CALLER, [key]))[0])).toMatchObject({ html: 'y'.repeat(4_000), code: null });
  });

  it('reads tag-backed details of a run whose artifacts are not proxied, and refuses the artifact-backed ones with ARTIFACTS_NOT_PROXIED', async () => {
    const experimentId = await experimentOf(uniqueProject('s3'), 's3://bucket/runs');
    const key = await pythonRun(experimentId, 1);
    expect(details((await backend.details.get(CALLER, [key]))[0])).toMatchObject({ git: { commit: 'c0ffee1' }, code: null });
    await expect(backend.details.update(CALLER, { experimentKey: key, code: 'x', git: { commit: 'new' } }))
      .rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'ARTIFACTS_NOT_PROXIED' } });
    expect(runTags(key).get('mlflow.source.git.commit')).toBe('c0ffee1');
    expect(await backend.details.output(CALLER, [{ experimentKey: key, first: 10 }])).toMatchObject([{ totalCount: 0 }]);
  });

  it('answers a details file changed outside the gateway as an upstream fault in that run\'s slot only', async () => {
    const project = uniqueProject();
    const bad = await newExperiment(backend, project);
    const good = await newExperiment(backend, project);
    for (const key of [bad.key, good.key]) {
      await backend.details.update(CALLER, { experimentKey: key, systemDetails: { hostname: 'h' } });
      await backend.details.appendOutput(CALLER, key, [{ text: 'x', stream: 'STDOUT' }]);
    }
    const root = sim.state.runs.get(bad.key)?.artifactUri.replace('mlflow-artifacts:/', '').replace(/^\/+/, '') ?? '';
    sim.state.artifacts.set(`${root}/trackql/system.json`, Buffer.from('{"pid": "not a number"}'));
    const chunk = [...sim.state.artifacts.keys()].find((p) => p.startsWith(`${root}/trackql/output/`)) as string;
    sim.state.artifacts.set(chunk, Buffer.from('{"t":"x","s":"O"}\n{"t":"y","s":"O"}\n'));
    const [broken, fine] = await backend.details.get(CALLER, [bad.key, good.key], { fresh: true });
    expect(broken).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', extensions: { reason: 'BAD_SHAPE' } });
    expect(details(fine).systemDetails).toMatchObject({ hostname: 'h' });
    const pages = await backend.details.output(CALLER, [{ experimentKey: bad.key, first: 5 }, { experimentKey: good.key, first: 5 }]);
    expect(pages[0]).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', extensions: { reason: 'BAD_SHAPE' } });
    expect(pages[1]).toMatchObject({ totalCount: 1, items: [{ text: 'x' }] });
  });

  it('keeps project notes as the experiment\'s mlflow.note.content, the same text as its description', async () => {
    const project = uniqueProject();
    const experimentId = await experimentOf(project);
    await client.post('mlflow/experiments/set-experiment-tag', { experiment_id: experimentId, key: 'mlflow.note.content', value: 'from the UI' });
    const ref = { workspace: WORKSPACE, name: project };
    expect(await backend.details.projectNotes(CALLER, [ref])).toEqual(['from the UI']);
    sim.resetCalls();
    await backend.details.setProjectNotes(CALLER, ref, '# Plan');
    expect(sim.callCount('POST mlflow/experiments/set-experiment-tag')).toBe(1);
    expect(sim.state.experiments.get(experimentId)?.tags.get('mlflow.note.content')).toBe('# Plan');
    expect(await backend.projects.get(CALLER, [ref])).toMatchObject([{ description: '# Plan' }]);
    await expectCode(backend.details.setProjectNotes(CALLER, ref, 'n'.repeat(5_001)), 'PAYLOAD_TOO_LARGE');
    // A description too long for the tag is refused before the rename that comes with it.
    await expectCode(backend.projects.update(CALLER, { ...ref, newName: `${project}-2`, description: 'n'.repeat(5_001) }), 'PAYLOAD_TOO_LARGE');
    await backend.projects.update(CALLER, { ...ref, description: 'Plan B' });
    expect(await backend.details.projectNotes(CALLER, [ref])).toEqual(['Plan B']);
    expect(sim.state.experiments.get(experimentId)?.name).toBe(project);
  });
});
