/** The MLflow simulator's `experiments/set-experiment-tag`, over real HTTP: set, overwrite, and what it refuses. */
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { simClient, type SimClient } from '../support/mlflow-sim/client';
import { INVALID, MISSING, OK } from './mlflow-sim-helpers';

let sim: MlflowSim;
let c: SimClient;
let exp: string;

beforeEach(async () => {
  sim = await startMlflowSim();
  c = simClient(sim);
  exp = ((await c.post('mlflow/experiments/create', { name: 'exp' })).body as { experiment_id: string }).experiment_id;
});
afterEach(async () => {
  await sim.stop();
});

const tagsOf = async (id: string) => ((await c.get('mlflow/experiments/get', { experiment_id: id })).body as { experiment: { tags?: { key: string; value: string }[] } }).experiment.tags;

describe('mlflow-sim set-experiment-tag', () => {
  it('sets a tag and overwrites it, answering {}', async () => {
    expect(await c.post('mlflow/experiments/set-experiment-tag', { experiment_id: exp, key: 'mlflow.note.content', value: 'a' })).toMatchObject(OK);
    expect(await c.post('mlflow/experiments/set-experiment-tag', { experiment_id: exp, key: 'mlflow.note.content', value: 'b' })).toMatchObject(OK);
    expect(await tagsOf(exp)).toEqual([{ key: 'mlflow.note.content', value: 'b' }]);
  });

  it('refuses an unknown or deleted experiment, a missing key, and a value past the tag limit', async () => {
    expect(await c.post('mlflow/experiments/set-experiment-tag', { experiment_id: '999', key: 'k', value: 'v' })).toMatchObject(MISSING);
    expect(await c.post('mlflow/experiments/set-experiment-tag', { experiment_id: exp, value: 'v' })).toMatchObject(INVALID());
    expect(await c.post('mlflow/experiments/set-experiment-tag', { experiment_id: exp, key: 'k', value: 'v'.repeat(5_001) })).toMatchObject(INVALID());
    expect(await c.post('mlflow/experiments/delete', { experiment_id: exp })).toMatchObject(OK);
    expect(await c.post('mlflow/experiments/set-experiment-tag', { experiment_id: exp, key: 'k', value: 'v' })).toMatchObject(INVALID());
    expect(await tagsOf(exp)).toBeUndefined();
  });
});
