/** The port contract on the MLflow backend, over a fresh MLflow simulator per test file, plus what only MLflow has. */
import fs from 'node:fs';
import { MLFLOW_CAPABILITIES } from '../../src/backends/mlflow';
import type { Backend } from '../../src/backends/port';
import { mlflowBackend, tempDataDir } from '../support/mlflow-backend';
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { describePort } from './describe-port';
import { CALLER, WORKSPACE, bodyOf, collect, expectCode, newExperiment, uniqueProject } from './port/support';

let sim: MlflowSim;
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startMlflowSim();
});

afterAll(async () => {
  await sim.stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function make(): Backend {
  const dir = tempDataDir();
  dirs.push(dir);
  return mlflowBackend(sim, dir);
}

describePort('mlflow', make, MLFLOW_CAPABILITIES);

describe('mlflow backend: how the port maps onto MLflow', () => {
  let backend: Backend;
  beforeEach(() => {
    backend = make();
  });
  afterEach(() => backend.close());

  it('refuses a workspace other than the configured one and creates nothing', async () => {
    const project = uniqueProject();
    await expectCode(backend.experiments.create(CALLER, { workspace: 'elsewhere', project }), 'BAD_USER_INPUT');
    expect([...sim.state.experiments.values()].map((e) => e.name)).not.toContain(project);
  });

  it('keeps tags as empty-valued MLflow tags, others as valued ones, the parent as mlflow.parentRunId', async () => {
    const parent = await newExperiment(backend, uniqueProject(), { tags: ['gpu'] });
    const child = await newExperiment(backend, parent.project, { parentKey: parent.key, parameters: [{ name: 'lr', value: '0.1' }] });
    await backend.attributes.logOthers(CALLER, child.key, [{ key: 'host', value: 'a' }]);
    expect(sim.state.runs.get(parent.key)?.tags.get('gpu')).toBe('');
    const stored = sim.state.runs.get(child.key);
    expect(stored?.tags.get('mlflow.parentRunId')).toBe(parent.key);
    expect(stored?.tags.get('host')).toBe('a');
    expect(stored?.params.get('lr')).toBe('0.1');
    await expectCode(backend.attributes.logOthers(CALLER, child.key, [{ key: 'mlflow.user', value: 'x' }]), 'BAD_USER_INPUT');
  });

  it('reads runs logged by other MLflow clients, their artifacts as assets', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    const root = sim.state.runs.get(key)?.artifactUri.replace('mlflow-artifacts:/', '').replace(/^\/+/, '');
    sim.state.artifacts.set(`${root}/plots/loss.png`, Buffer.from('png bytes'));
    const [page] = await backend.assets.list(CALLER, [{ experimentKey: key, first: 10 }]);
    expect(page).toMatchObject({ totalCount: 1, items: [{ fileName: 'plots/loss.png', type: 'artifact', size: 9 }] });
    const id = (page as { items: { assetId: string }[] }).items[0].assetId;
    const opened = await backend.assets.open(CALLER, key, id, { range: { start: 4, end: 8 } });
    expect((await collect(opened!.stream)).toString()).toBe('bytes');
  });

  it('names versions as TrackQL does, keeps stages as MLflow stages and refuses reserved aliases', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    await backend.assets.put(CALLER, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName: 'net', maxBytes: 100 }, bodyOf('w'));
    const name = `reg-${uniqueProject()}`;
    await backend.registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName: name, version: '1.0.0', stage: 'staging' });
    const stored = sim.state.models.get(name)?.versions.get('1');
    expect(stored).toMatchObject({ currentStage: 'Staging', runId: key });
    expect(stored?.tags.get('trackql.version')).toBe('1.0.0');
    const ref = { workspace: WORKSPACE, modelName: name, version: '1.0.0' };
    for (const alias of ['latest', 'Latest', 'v3']) {
      await expect(backend.registry.updateVersion(CALLER, { ...ref, addAliases: [alias] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'RESERVED_ALIAS' } });
    }
    await expectCode(backend.registry.updateVersion(CALLER, { ...ref, stage: 'shipped' }), 'BAD_USER_INPUT');
    expect(sim.state.models.get(name)?.aliases.size).toBe(0);
  });

  it('sends log-batch requests within MLflow\'s limits: 1000 metrics, 100 params, 100 tags each', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    sim.resetCalls();
    const points = Array.from({ length: 2_500 }, (_, step) => ({ name: 'm', value: step === 7 ? Number.NaN : step, step }));
    expect(await backend.metrics.log(CALLER, key, points)).toBe('ACCEPTED');
    expect(sim.callCount('POST mlflow/runs/log-batch')).toBe(3);
    expect(sim.state.runs.get(key)?.metrics).toHaveLength(2_500);
    expect(sim.state.runs.get(key)?.metrics[7].value).toBeNaN();
    sim.resetCalls();
    const params = Array.from({ length: 250 }, (_, i) => ({ name: `p${i}`, value: String(i) }));
    expect(await backend.attributes.logParameters(CALLER, key, params)).toBe('ACCEPTED');
    await backend.attributes.logOthers(CALLER, key, Array.from({ length: 150 }, (_, i) => ({ key: `o${i}`, value: 'v' })));
    expect(sim.callCount('POST mlflow/runs/log-batch')).toBe(3 + 2);
    expect(sim.state.runs.get(key)?.params.size).toBe(250);
  });

  it('never reads an asset tag another client wrote with a path outside the run as an asset', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    const forged = JSON.stringify({ f: '../../other-run/secret.bin', t: 'text', s: null, c: 1, m: null, n: null, z: 3, h: null });
    sim.state.runs.get(key)?.tags.set('trackql.asset.0123456789abcdef', forged);
    expect(await backend.assets.list(CALLER, [{ experimentKey: key, first: 10 }], { fresh: true })).toMatchObject([{ totalCount: 0 }]);
    expect(await backend.assets.open(CALLER, key, '0123456789abcdef')).toBeNull();
  });
});
