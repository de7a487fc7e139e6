/**
 * The MLflow simulator's tracking API over real HTTP: experiments and runs, their searches and filters,
 * and logging to runs. Each test asserts the whole answer (status and JSON body).
 */
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { simClient, type SimClient } from '../support/mlflow-sim/client';
import { mlflowError, INVALID, MISSING } from './mlflow-sim-helpers';

const T0 = 1_700_000_000_000;
let now = T0;
let sim: MlflowSim;
let c: SimClient;

beforeEach(async () => {
  now = T0;
  sim = await startMlflowSim({ clock: () => now });
  c = simClient(sim);
});
afterEach(async () => {
  await sim.stop();
});

async function createExperiment(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await c.post('mlflow/experiments/create', { name, ...extra });
  expect(res.status).toBe(200);
  return (res.body as { experiment_id: string }).experiment_id;
}

async function createRun(experimentId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await c.post('mlflow/runs/create', { experiment_id: experimentId, ...extra });
  expect(res.status).toBe(200);
  return (res.body as { run: { info: { run_id: string } } }).run.info.run_id;
}


describe('mlflow-sim experiments', () => {
  it('creates an experiment and reads it back by id and by name', async () => {
    const created = await c.post('mlflow/experiments/create', { name: 'exp-a', tags: [{ key: 'team', value: 'vision' }] });
    expect(created).toMatchObject({ status: 200, body: { experiment_id: '1' } });
    const expected = {
      experiment: {
        experiment_id: '1', name: 'exp-a', artifact_location: 'mlflow-artifacts:/1', lifecycle_stage: 'active',
        last_update_time: T0, creation_time: T0, tags: [{ key: 'team', value: 'vision' }],
      },
    };
    expect(await c.get('mlflow/experiments/get', { experiment_id: '1' })).toMatchObject({ status: 200, body: expected });
    expect(await c.get('mlflow/experiments/get-by-name', { experiment_name: 'exp-a' })).toMatchObject({ status: 200, body: expected });
  });

  it('has the Default experiment with id 0', async () => {
    const res = await c.get('mlflow/experiments/get', { experiment_id: '0' });
    expect(res.body).toEqual({
      experiment: { experiment_id: '0', name: 'Default', artifact_location: 'mlflow-artifacts:/0', lifecycle_stage: 'active', last_update_time: T0, creation_time: T0 },
    });
  });

  it('refuses a taken name with 409 RESOURCE_ALREADY_EXISTS', async () => {
    await createExperiment('exp-a');
    expect(await c.post('mlflow/experiments/create', { name: 'exp-a' })).toMatchObject({
      status: 409, body: mlflowError('RESOURCE_ALREADY_EXISTS', 'Experiment(name=exp-a) already exists.'),
    });
  });

  it('refuses a name over 500 characters and an empty one', async () => {
    expect(await c.post('mlflow/experiments/create', { name: 'x'.repeat(501) })).toMatchObject(INVALID());
    expect(await c.post('mlflow/experiments/create', { name: 'x'.repeat(500) })).toMatchObject({ status: 200 });
    expect(await c.post('mlflow/experiments/create', { name: '' })).toMatchObject(INVALID("Missing value for required parameter 'name'."));
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for a missing id or name', async () => {
    expect(await c.get('mlflow/experiments/get', { experiment_id: '42' })).toMatchObject(MISSING);
    expect(await c.get('mlflow/experiments/get-by-name', { experiment_name: 'nope' })).toMatchObject(MISSING);
  });

  it('renames an experiment and moves its last_update_time', async () => {
    const id = await createExperiment('exp-a');
    now = T0 + 5;
    expect(await c.post('mlflow/experiments/update', { experiment_id: id, new_name: 'exp-c' })).toMatchObject({ status: 200, body: {} });
    expect((await c.get('mlflow/experiments/get', { experiment_id: id })).body).toMatchObject({ experiment: { name: 'exp-c', last_update_time: T0 + 5 } });
  });

  it('refuses renaming to a taken name with 409', async () => {
    const id = await createExperiment('exp-a');
    await createExperiment('exp-b');
    expect(await c.post('mlflow/experiments/update', { experiment_id: id, new_name: 'exp-b' })).toMatchObject({
      status: 409, body: mlflowError('RESOURCE_ALREADY_EXISTS', 'Experiment(name=exp-b) already exists.'),
    });
  });

  it('deletes and restores an experiment', async () => {
    const id = await createExperiment('exp-a');
    expect(await c.post('mlflow/experiments/delete', { experiment_id: id })).toMatchObject({ status: 200, body: {} });
    expect((await c.get('mlflow/experiments/get', { experiment_id: id })).body).toMatchObject({ experiment: { lifecycle_stage: 'deleted' } });
    expect(await c.post('mlflow/experiments/restore', { experiment_id: id })).toMatchObject({ status: 200, body: {} });
    expect((await c.get('mlflow/experiments/get', { experiment_id: id })).body).toMatchObject({ experiment: { lifecycle_stage: 'active' } });
  });

  it('refuses deleting or renaming a deleted experiment, and restoring an active one', async () => {
    const id = await createExperiment('exp-a');
    expect(await c.post('mlflow/experiments/restore', { experiment_id: id })).toMatchObject(INVALID(`Cannot restore an active experiment: ${id}`));
    await c.post('mlflow/experiments/delete', { experiment_id: id });
    expect(await c.post('mlflow/experiments/delete', { experiment_id: id })).toMatchObject(INVALID(`Cannot delete an already deleted experiment: ${id}`));
    expect(await c.post('mlflow/experiments/update', { experiment_id: id, new_name: 'exp-d' })).toMatchObject(INVALID('Cannot rename a non-active experiment.'));
  });

  it('answers 404 when deleting a missing experiment', async () => {
    expect(await c.post('mlflow/experiments/delete', { experiment_id: '99' })).toMatchObject(MISSING);
  });

  it('lets a deleted and an active experiment share a name, and get-by-name prefers the active one', async () => {
    const old = await createExperiment('shared');
    await c.post('mlflow/experiments/delete', { experiment_id: old });
    const fresh = await createExperiment('shared');
    expect((await c.get('mlflow/experiments/get-by-name', { experiment_name: 'shared' })).body).toMatchObject({ experiment: { experiment_id: fresh } });
    // Restoring the old one would make two active experiments share the name.
    expect(await c.post('mlflow/experiments/restore', { experiment_id: old })).toMatchObject({ status: 409, body: mlflowError('RESOURCE_ALREADY_EXISTS') });
  });

  it('refuses creating a run in a deleted experiment', async () => {
    const id = await createExperiment('exp-a');
    await c.post('mlflow/experiments/delete', { experiment_id: id });
    expect(await c.post('mlflow/runs/create', { experiment_id: id })).toMatchObject(INVALID(`The experiment ${id} must be in the 'active' state. Current state is deleted.`));
  });
});

describe('mlflow-sim experiment search', () => {
  beforeEach(async () => {
    for (const [i, name] of ['alpha', 'beta', 'Gamma'].entries()) {
      now = T0 + 1 + i;
      await createExperiment(name, { tags: [{ key: 'kind', value: i === 1 ? 'prod' : 'dev' }] });
    }
  });
  const names = (body: unknown) => ((body as { experiments?: { name: string }[] }).experiments ?? []).map((e) => e.name);

  it('lists active experiments newest first by default', async () => {
    const res = await c.post('mlflow/experiments/search', {});
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['Gamma', 'beta', 'alpha', 'Default']);
    expect(res.body).not.toHaveProperty('next_page_token');
  });

  it('filters on name with LIKE and ILIKE, and on tags, joined by AND', async () => {
    expect(names((await c.post('mlflow/experiments/search', { filter: "name LIKE 'g%'" })).body)).toEqual([]);
    expect(names((await c.post('mlflow/experiments/search', { filter: "name ILIKE 'g%'" })).body)).toEqual(['Gamma']);
    expect(names((await c.post('mlflow/experiments/search', { filter: "tags.kind = 'dev' AND name != 'alpha'" })).body)).toEqual(['Gamma']);
    expect(names((await c.post('mlflow/experiments/search', { filter: "attributes.name = 'beta'" })).body)).toEqual(['beta']);
  });

  it('orders by name and pages with next_page_token, also over GET', async () => {
    const first = await c.post('mlflow/experiments/search', { order_by: ['name ASC'], max_results: 2 });
    expect(names(first.body)).toEqual(['Default', 'Gamma']);
    const token = (first.body as { next_page_token: string }).next_page_token;
    expect(token).toEqual(expect.any(String));
    const second = await c.get('mlflow/experiments/search', { order_by: 'name ASC', max_results: 2, page_token: token });
    expect(second.status).toBe(200);
    expect(names(second.body)).toEqual(['alpha', 'beta']);
    expect(second.body).not.toHaveProperty('next_page_token');
  });

  it('shows deleted experiments only when view_type asks', async () => {
    const id = (await c.get('mlflow/experiments/get-by-name', { experiment_name: 'beta' })).body as { experiment: { experiment_id: string } };
    await c.post('mlflow/experiments/delete', { experiment_id: id.experiment.experiment_id });
    expect(names((await c.post('mlflow/experiments/search', { view_type: 'DELETED_ONLY' })).body)).toEqual(['beta']);
    expect(names((await c.post('mlflow/experiments/search', { view_type: 'ALL', order_by: ['name'] })).body)).toEqual(['Default', 'Gamma', 'alpha', 'beta']);
    expect(await c.post('mlflow/experiments/search', { view_type: 'SOME' })).toMatchObject(INVALID());
  });

  it.each([
    ['OR', "name = 'a' OR name = 'b'"],
    ['NOT', "NOT name = 'a'"],
    ['a metric (experiments filter on name and tags only)', 'metrics.loss > 1'],
    ['a numeric comparison on the name', "name > 'a'"],
    ['an unquoted value', 'name = alpha'],
  ])('refuses a filter with %s', async (_label, filter) => {
    expect(await c.post('mlflow/experiments/search', { filter })).toMatchObject(INVALID());
  });

  it('refuses max_results above 50000, a bad page token and an unknown order key', async () => {
    expect(await c.post('mlflow/experiments/search', { max_results: 50_001 })).toMatchObject(INVALID());
    expect(await c.post('mlflow/experiments/search', { max_results: 50_000 })).toMatchObject({ status: 200 });
    expect(await c.post('mlflow/experiments/search', { page_token: 'garbage' })).toMatchObject(INVALID());
    expect(await c.post('mlflow/experiments/search', { order_by: ['colour DESC'] })).toMatchObject(INVALID());
  });
});

describe('mlflow-sim runs', () => {
  let exp: string;
  beforeEach(async () => {
    exp = await createExperiment('exp');
  });

  it('creates a run and reads it back whole', async () => {
    const res = await c.post('mlflow/runs/create', { experiment_id: exp, run_name: 'r1', start_time: T0 + 1, tags: [{ key: 't', value: 'v' }] });
    expect(res.status).toBe(200);
    const runId = (res.body as { run: { info: { run_id: string } } }).run.info.run_id;
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    const run = {
      info: {
        run_id: runId, run_name: 'r1', experiment_id: exp, status: 'RUNNING', start_time: T0 + 1,
        artifact_uri: `mlflow-artifacts:/${exp}/${runId}/artifacts`, lifecycle_stage: 'active',
      },
      data: { tags: [{ key: 't', value: 'v' }] },
      inputs: {},
      outputs: {},
    };
    expect(res.body).toEqual({ run });
    expect(await c.get('mlflow/runs/get', { run_id: runId })).toMatchObject({ status: 200, body: { run } });
  });

  it('answers 404 for a run that does not exist and for a run in a missing experiment', async () => {
    expect(await c.get('mlflow/runs/get', { run_id: 'f'.repeat(32) })).toMatchObject(MISSING);
    expect(await c.post('mlflow/runs/create', { experiment_id: '77' })).toMatchObject(MISSING);
  });

  it('ends a run with update and answers run_info', async () => {
    const runId = await createRun(exp, { run_name: 'r1', start_time: T0 });
    const res = await c.post('mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: T0 + 10, run_name: 'renamed' });
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toEqual({
      run_info: {
        run_id: runId, run_name: 'renamed', experiment_id: exp, status: 'FINISHED', start_time: T0, end_time: T0 + 10,
        artifact_uri: `mlflow-artifacts:/${exp}/${runId}/artifacts`, lifecycle_stage: 'active',
      },
    });
    expect(await c.post('mlflow/runs/update', { run_id: runId, status: 'DONE' })).toMatchObject(INVALID());
  });

  it('deletes and restores a run, refusing writes while deleted', async () => {
    const runId = await createRun(exp);
    expect(await c.post('mlflow/runs/delete', { run_id: runId })).toMatchObject({ status: 200, body: {} });
    expect((await c.get('mlflow/runs/get', { run_id: runId })).body).toMatchObject({ run: { info: { lifecycle_stage: 'deleted' } } });
    expect(await c.post('mlflow/runs/set-tag', { run_id: runId, key: 'k', value: 'v' })).toMatchObject(INVALID(`The run ${runId} must be in the 'active' state. Current state is deleted.`));
    expect(await c.post('mlflow/runs/restore', { run_id: runId })).toMatchObject({ status: 200, body: {} });
    expect(await c.post('mlflow/runs/set-tag', { run_id: runId, key: 'k', value: 'v' })).toMatchObject({ status: 200, body: {} });
  });
});
