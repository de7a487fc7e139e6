/** The port contract on the Comet backend, over a fresh Comet simulator per test file. */
import fs from 'node:fs';
import type { CometSim } from '../support/comet-sim';
import { cometBackend, startSim, tempDataDir } from '../support/comet-backend';
import { describePort } from './describe-port';
import type { Backend } from '../../src/backends/port';
import { COMET_CAPABILITIES } from '../../src/backends/comet';
import { CALLER, WORKSPACE, bodyOf, uniqueProject } from './port/support';

let sim: CometSim;
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startSim([WORKSPACE]);
});

afterAll(async () => {
  await sim.stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describePort('comet', () => {
  const dir = tempDataDir();
  dirs.push(dir);
  return cometBackend(sim, dir);
}, COMET_CAPABILITIES);

describe('comet backend: how the port maps onto Comet', () => {
  let backend: Backend;
  beforeEach(() => {
    const dir = tempDataDir();
    dirs.push(dir);
    backend = cometBackend(sim, dir);
  });
  afterEach(() => backend.close());

  it('keeps the parent link and the end status as trackql.* others, hidden from getOthers', async () => {
    const parent = await backend.experiments.create(CALLER, { workspace: WORKSPACE, project: uniqueProject() });
    const child = await backend.experiments.create(CALLER, { workspace: WORKSPACE, project: parent.project, parentKey: parent.key });
    await backend.experiments.end(CALLER, { experimentKey: child.key, status: 'CRASHED' });
    const stored = sim.dump().experiments[child.key];
    expect(stored.others.map((o) => [o.name, o.value])).toEqual([['trackql.parentKey', parent.key], ['trackql.status', 'CRASHED']]);
    expect(stored.hasCrashed).toBe(true);
    expect(await backend.attributes.others(CALLER, [child.key])).toEqual([[]]);
  });

  it('stores a model version stage as a stage: tag beside its tags', async () => {
    const { key } = await backend.experiments.create(CALLER, { workspace: WORKSPACE, project: uniqueProject() });
    await backend.assets.put(CALLER, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName: 'net', maxBytes: 100 }, bodyOf('w'));
    const name = `reg-${uniqueProject()}`;
    await backend.registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName: name, version: '1.0.0', stage: 'staging', tags: ['t'] });
    const item = sim.dump().registryModels.find((m) => m.modelName === name)?.items[0];
    expect(item?.tags).toEqual(['stage:staging', 't']);
    const updated = await backend.registry.updateVersion(CALLER, { workspace: WORKSPACE, modelName: name, version: '1.0.0', stage: 'production', comment: 'ok' });
    expect(updated).toMatchObject({ stage: 'production', tags: ['t'], comment: 'ok', aliases: [] });
  });

  it('sends metrics on the batch plane, at most 1000 values a request, non-finite values as strings', async () => {
    const { key } = await backend.experiments.create(CALLER, { workspace: WORKSPACE, project: uniqueProject() });
    sim.resetCounts();
    const points = Array.from({ length: 2_500 }, (_, step) => ({ name: 'm', value: step === 7 ? Number.NaN : step, step }));
    expect(await backend.metrics.log(CALLER, key, points)).toBe('ACCEPTED');
    expect(sim.requestCounts()).toEqual({ 'POST clientlib/batch/logger/experiment/metric': 3 });
    expect(sim.dump().experiments[key].metrics[7].metricValue).toBe('NaN');
  });
});
