/**
 * The MLflow simulator's model registry over real HTTP: registered models, versions, stage transitions,
 * aliases (with the reserved names) and tags. Each test asserts the whole answer.
 */
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { simClient, type SimClient } from '../support/mlflow-sim/client';
import { mlflowError, INVALID, MISSING, OK } from './mlflow-sim-helpers';

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


const version = (name: string, v: string, extra: Record<string, unknown> = {}) => ({
  name, version: v, creation_timestamp: T0, last_updated_timestamp: T0, current_stage: 'None',
  source: `runs:/r/${v}`, status: 'READY', ...extra,
});

async function model(name: string, versions = 0): Promise<void> {
  expect(await c.post('mlflow/registered-models/create', { name })).toMatchObject({ status: 200 });
  for (let i = 1; i <= versions; i++) {
    expect(await c.post('mlflow/model-versions/create', { name, source: `runs:/r/${i}` })).toMatchObject({ status: 200 });
  }
}

describe('mlflow-sim registered models', () => {
  it('creates a model and reads it back whole', async () => {
    const res = await c.post('mlflow/registered-models/create', { name: 'clf', description: 'a classifier', tags: [{ key: 'k', value: 'v' }] });
    const expected = { name: 'clf', creation_timestamp: T0, last_updated_timestamp: T0, description: 'a classifier', tags: [{ key: 'k', value: 'v' }] };
    expect(res).toMatchObject({ status: 200, body: { registered_model: expected } });
    expect(await c.get('mlflow/registered-models/get', { name: 'clf' })).toEqual(expect.objectContaining({ status: 200, body: { registered_model: expected } }));
  });

  it('refuses a taken name with 409 and a missing model with 404', async () => {
    await model('clf');
    expect(await c.post('mlflow/registered-models/create', { name: 'clf' })).toMatchObject({
      status: 409, body: mlflowError('RESOURCE_ALREADY_EXISTS', 'Registered Model (name=clf) already exists.'),
    });
    expect(await c.get('mlflow/registered-models/get', { name: 'nope' })).toMatchObject(MISSING);
  });

  it('updates the description with PATCH', async () => {
    await model('clf');
    now = T0 + 1;
    expect(await c.patch('mlflow/registered-models/update', { name: 'clf', description: 'new' })).toMatchObject({
      status: 200, body: { registered_model: { name: 'clf', creation_timestamp: T0, description: 'new', last_updated_timestamp: T0 + 1 } },
    });
  });

  it('renames a model, taking its versions along', async () => {
    await model('clf', 1);
    const renamed = await c.post('mlflow/registered-models/rename', { name: 'clf', new_name: 'clf2' });
    expect(renamed).toMatchObject({ status: 200, body: { registered_model: { name: 'clf2', latest_versions: [version('clf2', '1')] } } });
    expect(await c.get('mlflow/model-versions/get', { name: 'clf2', version: '1' })).toMatchObject({ status: 200, body: { model_version: version('clf2', '1') } });
    expect(await c.get('mlflow/registered-models/get', { name: 'clf' })).toMatchObject(MISSING);
  });

  it('refuses renaming to a taken name with 409', async () => {
    await model('clf');
    await model('other');
    expect(await c.post('mlflow/registered-models/rename', { name: 'clf', new_name: 'other' })).toMatchObject({
      status: 409, body: mlflowError('RESOURCE_ALREADY_EXISTS', 'Registered Model (name=other) already exists.'),
    });
  });

  it('deletes a model with DELETE and a JSON body', async () => {
    await model('clf', 1);
    expect(await c.del('mlflow/registered-models/delete', { name: 'clf' })).toMatchObject(OK);
    expect(await c.get('mlflow/registered-models/get', { name: 'clf' })).toMatchObject(MISSING);
    expect(await c.del('mlflow/registered-models/delete', { name: 'clf' })).toMatchObject(MISSING);
  });

  it('searches by name with LIKE, orders, and pages (default 100, max 1000)', async () => {
    for (const n of ['b-model', 'a-model', 'c-other']) await model(n);
    const names = (body: unknown) => ((body as { registered_models?: { name: string }[] }).registered_models ?? []).map((m) => m.name);
    expect(names((await c.get('mlflow/registered-models/search')).body)).toEqual(['a-model', 'b-model', 'c-other']);
    expect(names((await c.get('mlflow/registered-models/search', { filter: "name LIKE '%model'", order_by: 'name DESC' })).body)).toEqual(['b-model', 'a-model']);
    const first = await c.get('mlflow/registered-models/search', { max_results: 2 });
    expect(first.body).toEqual({ registered_models: [expect.objectContaining({ name: 'a-model' }), expect.objectContaining({ name: 'b-model' })], next_page_token: expect.any(String) });
    const page = (first.body as { next_page_token: string }).next_page_token;
    expect(names((await c.get('mlflow/registered-models/search', { max_results: 2, page_token: page })).body)).toEqual(['c-other']);
    expect(await c.get('mlflow/registered-models/search', { max_results: 1001 })).toMatchObject(INVALID());
    expect(await c.get('mlflow/registered-models/search', { filter: "name = 'a' OR name = 'b'" })).toMatchObject(INVALID());
  });

  it('sets and deletes model tags', async () => {
    await model('clf');
    expect(await c.post('mlflow/registered-models/set-tag', { name: 'clf', key: 'k', value: 'v' })).toMatchObject(OK);
    expect((await c.get('mlflow/registered-models/get', { name: 'clf' })).body).toMatchObject({ registered_model: { tags: [{ key: 'k', value: 'v' }] } });
    expect(await c.del('mlflow/registered-models/delete-tag', { name: 'clf', key: 'k' })).toMatchObject(OK);
    expect((await c.get('mlflow/registered-models/get', { name: 'clf' })).body).toEqual({ registered_model: expect.not.objectContaining({ tags: expect.anything() }) });
    expect(await c.del('mlflow/registered-models/delete-tag', { name: 'clf', key: 'k' })).toMatchObject(MISSING);
  });
});

describe('mlflow-sim model versions', () => {
  it('numbers versions 1, 2, ... as strings and never reuses a deleted number', async () => {
    await model('clf', 2);
    expect(await c.del('mlflow/model-versions/delete', { name: 'clf', version: '2' })).toMatchObject(OK);
    const res = await c.post('mlflow/model-versions/create', { name: 'clf', source: 's3://x', run_id: 'r', run_link: 'l', description: 'd', tags: [{ key: 'k', value: 'v' }] });
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toEqual({ model_version: { ...version('clf', '3', { source: 's3://x', run_id: 'r', run_link: 'l', description: 'd' }), tags: [{ key: 'k', value: 'v' }] } });
    expect(await c.get('mlflow/model-versions/get', { name: 'clf', version: '2' })).toMatchObject(MISSING);
  });

  it('refuses a version for a missing model, without a source, or with a non-integer version', async () => {
    expect(await c.post('mlflow/model-versions/create', { name: 'nope', source: 's' })).toMatchObject(MISSING);
    await model('clf', 1);
    expect(await c.post('mlflow/model-versions/create', { name: 'clf' })).toMatchObject(INVALID("Missing value for required parameter 'source'. See the API docs for more information about request parameters."));
    expect(await c.get('mlflow/model-versions/get', { name: 'clf', version: 'one' })).toMatchObject(INVALID("Model version must be an integer, got 'one'"));
  });

  it('updates a version description with PATCH', async () => {
    await model('clf', 1);
    expect(await c.patch('mlflow/model-versions/update', { name: 'clf', version: '1', description: 'better' })).toMatchObject({
      status: 200, body: { model_version: version('clf', '1', { description: 'better' }) },
    });
  });

  it('answers the download URI of a version', async () => {
    await model('clf', 1);
    expect(await c.get('mlflow/model-versions/get-download-uri', { name: 'clf', version: '1' })).toMatchObject({ status: 200, body: { artifact_uri: 'runs:/r/1' } });
  });

  it('sets and deletes version tags, refusing to delete a missing one', async () => {
    await model('clf', 1);
    expect(await c.post('mlflow/model-versions/set-tag', { name: 'clf', version: '1', key: 'k', value: 'v' })).toMatchObject(OK);
    expect((await c.get('mlflow/model-versions/get', { name: 'clf', version: '1' })).body).toEqual({ model_version: { ...version('clf', '1'), tags: [{ key: 'k', value: 'v' }] } });
    expect(await c.del('mlflow/model-versions/delete-tag', { name: 'clf', version: '1', key: 'k' })).toMatchObject(OK);
    expect(await c.del('mlflow/model-versions/delete-tag', { name: 'clf', version: '1', key: 'k' })).toMatchObject(MISSING);
  });

  it('transitions stages, archiving the others on request, and reports latest_versions per stage', async () => {
    await model('clf', 3);
    const stage = (v: string, s: string, archive: boolean) =>
      c.post('mlflow/model-versions/transition-stage', { name: 'clf', version: v, stage: s, archive_existing_versions: archive });
    expect((await stage('1', 'production', false)).body).toEqual({ model_version: version('clf', '1', { current_stage: 'Production' }) });
    expect(await stage('2', 'Production', false)).toMatchObject({ status: 200 });
    expect(await stage('3', 'Production', true)).toMatchObject({ status: 200 });
    const m = (await c.get('mlflow/registered-models/get', { name: 'clf' })).body as { registered_model: { latest_versions: { version: string; current_stage: string }[] } };
    expect(m.registered_model.latest_versions.map((v) => [v.current_stage, v.version])).toEqual([['Production', '3'], ['Archived', '2']]);
  });

  it('refuses an unknown stage and a transition without archive_existing_versions', async () => {
    await model('clf', 1);
    const res = await c.post('mlflow/model-versions/transition-stage', { name: 'clf', version: '1', stage: 'Live', archive_existing_versions: false });
    expect(res).toMatchObject(INVALID('Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.'));
    expect(await c.post('mlflow/model-versions/transition-stage', { name: 'clf', version: '1', stage: 'Staging' })).toMatchObject(
      INVALID(expect.stringContaining("'archive_existing_versions'")),
    );
  });

  it('searches versions by name and run_id, newest first', async () => {
    await model('clf', 2);
    await c.post('mlflow/model-versions/create', { name: 'clf', source: 's', run_id: 'abc' });
    const versions = (body: unknown) => ((body as { model_versions?: { version: string }[] }).model_versions ?? []).map((v) => v.version);
    expect(versions((await c.get('mlflow/model-versions/search', { filter: "name = 'clf'" })).body)).toEqual(['3', '2', '1']);
    expect(versions((await c.get('mlflow/model-versions/search', { filter: "run_id = 'abc'" })).body)).toEqual(['3']);
    expect(await c.get('mlflow/model-versions/search', { filter: "stage = 'None'" })).toMatchObject(INVALID());
  });
});

describe('mlflow-sim aliases', () => {
  beforeEach(async () => {
    await model('clf', 2);
  });
  const setAlias = (alias: string, v = '1') => c.post('mlflow/registered-models/alias', { name: 'clf', alias, version: v });

  it('sets an alias, reads the version by alias, moves it, and deletes it', async () => {
    expect(await setAlias('champion')).toMatchObject(OK);
    expect(await c.get('mlflow/registered-models/alias', { name: 'clf', alias: 'champion' })).toMatchObject({
      status: 200, body: { model_version: version('clf', '1', { aliases: ['champion'] }) },
    });
    expect((await c.get('mlflow/registered-models/get', { name: 'clf' })).body).toMatchObject({ registered_model: { aliases: [{ alias: 'champion', version: '1' }] } });
    expect(await setAlias('champion', '2')).toMatchObject(OK);
    expect((await c.get('mlflow/registered-models/alias', { name: 'clf', alias: 'champion' })).body).toMatchObject({ model_version: { version: '2' } });
    expect(await c.del('mlflow/registered-models/alias', { name: 'clf', alias: 'champion' })).toMatchObject(OK);
    expect(await c.get('mlflow/registered-models/alias', { name: 'clf', alias: 'champion' })).toMatchObject(MISSING);
  });

  it.each(['latest', 'LATEST', 'v1', 'v42', 'V7'])('refuses the reserved alias %s', async (alias) => {
    expect(await setAlias(alias)).toMatchObject(INVALID(expect.stringContaining('reserved')));
  });

  it.each([['a space', 'has space'], ['a dot', 'a.b'], ['256 characters', 'a'.repeat(256)]])('refuses an alias with %s', async (_label, alias) => {
    expect(await setAlias(alias)).toMatchObject(INVALID());
  });

  it('accepts word characters and dashes up to 255 characters', async () => {
    expect(await setAlias('prod-v_2')).toMatchObject(OK);
    expect(await setAlias('a'.repeat(255))).toMatchObject(OK);
  });

  it('refuses an alias to a missing version and drops aliases of a deleted version', async () => {
    expect(await setAlias('x', '9')).toMatchObject(MISSING);
    await setAlias('x', '2');
    await c.del('mlflow/model-versions/delete', { name: 'clf', version: '2' });
    expect(await c.get('mlflow/registered-models/alias', { name: 'clf', alias: 'x' })).toMatchObject(MISSING);
  });
});
