/**
 * The port contract on the MLflow backend, over a fresh MLflow simulator per test file. Assets and the
 * registry are not mapped onto MLflow yet: their refusal is asserted here instead of their contract.
 */
import fs from 'node:fs';
import { MLFLOW_CAPABILITIES } from '../../src/backends/mlflow';
import type { Backend } from '../../src/backends/port';
import { mlflowBackend, tempDataDir } from '../support/mlflow-backend';
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { describeAttributes } from './port/attributes';
import { describeDeadLetters } from './port/dead-letters';
import { describeProjectsAndExperiments } from './port/experiments';
import { describeMetricHistories } from './port/history';
import { describeListing } from './port/listing';
import { describeMetricWrites } from './port/metrics';
import { CALLER, WORKSPACE, bodyOf, expectCode, newExperiment, uniqueProject } from './port/support';

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

describe('mlflow backend: port contract', () => {
  let backend: Backend | null = null;
  const current = (): Backend => {
    if (backend === null) throw new Error('no backend: the contract suite creates one per test');
    return backend;
  };
  beforeEach(() => {
    backend = make();
  });
  afterEach(async () => {
    await backend?.close();
    backend = null;
  });

  describeProjectsAndExperiments(current);
  describeAttributes(current, MLFLOW_CAPABILITIES);
  describeMetricWrites(current);
  describeMetricHistories(current);
  describeListing(current);
  describeDeadLetters(current, MLFLOW_CAPABILITIES);
});

describe('mlflow backend: how the port maps onto MLflow', () => {
  let backend: Backend;
  beforeEach(() => {
    backend = make();
  });
  afterEach(() => backend.close());

  it('refuses assets and the registry as unsupported, naming what is missing', async () => {
    const { key } = await newExperiment(backend, uniqueProject());
    await expect(backend.assets.put(CALLER, { experimentKey: key, fileName: 'f', type: 't', maxBytes: 10 }, bodyOf('x')))
      .rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
    await expect(backend.registry.models(CALLER, [{ workspace: WORKSPACE, name: 'm' }]))
      .rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
  });

  it('refuses a workspace other than the configured one and creates nothing', async () => {
    const project = uniqueProject();
    await expectCode(backend.experiments.create(CALLER, { workspace: 'elsewhere', project }), 'BAD_USER_INPUT');
    expect([...sim.state.experiments.values()].map((e) => e.name)).not.toContain(project);
  });
});
