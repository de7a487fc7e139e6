/**
 * The MLflow simulator's run search (AND-only filters, order_by, limits, pages) and single-value logging
 * (tags, write-once params, metrics and the latest-value summary), over real HTTP.
 */
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { simClient, type SimClient } from '../support/mlflow-sim/client';
import { mlflowError, INVALID, OK } from './mlflow-sim-helpers';

const T0 = 1_700_000_000_000;
let sim: MlflowSim;
let c: SimClient;
let exp: string;

beforeEach(async () => {
  sim = await startMlflowSim({ clock: () => T0 });
  c = simClient(sim);
  exp = ((await c.post('mlflow/experiments/create', { name: 'exp' })).body as { experiment_id: string }).experiment_id;
});
afterEach(async () => {
  await sim.stop();
});

async function createRun(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await c.post('mlflow/runs/create', { experiment_id: exp, ...extra });
  expect(res.status).toBe(200);
  return (res.body as { run: { info: { run_id: string } } }).run.info.run_id;
}


describe('mlflow-sim run search', () => {
  let runs: string[];
  beforeEach(async () => {
    runs = [];
    for (let i = 0; i < 3; i++) {
      const id = await createRun({ run_name: `run-${i}`, start_time: T0 + i, tags: [{ key: 'group', value: i < 2 ? 'a' : 'b' }] });
      await c.post('mlflow/runs/log-metric', { run_id: id, key: 'loss', value: 1 - i / 10, timestamp: T0, step: 0 });
      await c.post('mlflow/runs/log-parameter', { run_id: id, key: 'lr', value: String(0.1 * (i + 1)) });
      runs.push(id);
    }
  });
  const search = (body: Record<string, unknown>) => c.post('mlflow/runs/search', { experiment_ids: [exp], ...body });
  const names = (body: unknown) => ((body as { runs?: { info: { run_name: string } }[] }).runs ?? []).map((r) => r.info.run_name);

  it('lists runs newest first by default, with their data', async () => {
    const res = await search({});
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['run-2', 'run-1', 'run-0']);
    expect((res.body as { runs: unknown[] }).runs[0]).toEqual({
      info: expect.objectContaining({ run_id: runs[2], run_name: 'run-2' }),
      data: {
        metrics: [{ key: 'loss', value: 0.8, timestamp: T0, step: 0 }],
        params: [{ key: 'lr', value: String(0.1 * 3) }],
        tags: [{ key: 'group', value: 'b' }],
      },
      inputs: {},
      outputs: {},
    });
  });

  it.each([
    ['metrics.loss < 0.95', ['run-2', 'run-1']],
    ["tags.group = 'a' AND metrics.loss <= 0.9", ['run-1']],
    ["params.lr LIKE '0.1%'", ['run-0']],
    ["attributes.run_name IN ('run-0', 'run-2')", ['run-2', 'run-0']],
    ["attributes.run_name NOT IN ('run-0')", ['run-2', 'run-1']],
    [`attributes.start_time > ${T0}`, ['run-2', 'run-1']],
    ["attributes.status = 'RUNNING' and tags.`group` != 'b'", ['run-1', 'run-0']],
    ['tags."group" ILIKE \'B\'', ['run-2']],
    ["datasets.name = 'train'", []],
    ["tags.missing != 'x'", []],
  ])('filters %s', async (filter, expected) => {
    const res = await search({ filter });
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(expected);
  });

  it.each([
    ['OR', "tags.group = 'a' OR tags.group = 'b'"],
    ['NOT', "NOT tags.group = 'a'"],
    ['parentheses', "(tags.group = 'a')"],
    ['a bare identifier', "run_name = 'run-0'"],
    ['an unknown prefix', "metric.loss > 1"],
    ['a string compared to a metric', "metrics.loss = 'x'"],
    ['LIKE on a metric', "metrics.loss LIKE '1%'"],
    ['a numeric operator on a param', "params.lr > 0.1"],
    ['IN on a tag', "tags.group IN ('a')"],
    ['an unknown attribute', "attributes.colour = 'red'"],
    ['a dangling AND', "tags.group = 'a' AND"],
  ])('refuses a filter with %s', async (_label, filter) => {
    expect(await search({ filter })).toMatchObject(INVALID());
  });

  it('orders by a metric, a param or an attribute, breaking ties by start time', async () => {
    expect(names((await search({ order_by: ['metrics.loss ASC'] })).body)).toEqual(['run-2', 'run-1', 'run-0']);
    expect(names((await search({ order_by: ['params.lr DESC'] })).body)).toEqual(['run-2', 'run-1', 'run-0']);
    expect(names((await search({ order_by: ['attributes.run_name'] })).body)).toEqual(['run-0', 'run-1', 'run-2']);
    expect(names((await search({ order_by: ['tags.group'] })).body)).toEqual(['run-1', 'run-0', 'run-2']);
    expect(await search({ order_by: ['start_time DESC'] })).toMatchObject(INVALID());
  });

  it('pages with max_results and next_page_token', async () => {
    const first = await search({ max_results: 2 });
    expect(names(first.body)).toEqual(['run-2', 'run-1']);
    const token = (first.body as { next_page_token: string }).next_page_token;
    const second = await search({ max_results: 2, page_token: token });
    expect(second.body).toEqual({ runs: [expect.objectContaining({ info: expect.objectContaining({ run_name: 'run-0' }) })] });
  });

  it('refuses max_results above 50000, and a search without experiment_ids', async () => {
    expect(await search({ max_results: 50_001 })).toMatchObject(INVALID());
    expect(await search({ max_results: 50_000 })).toMatchObject({ status: 200 });
    expect(await c.post('mlflow/runs/search', {})).toMatchObject(INVALID("Missing value for required parameter 'experiment_ids'."));
  });

  it('hides deleted runs unless run_view_type asks', async () => {
    await c.post('mlflow/runs/delete', { run_id: runs[0] });
    expect(names((await search({})).body)).toEqual(['run-2', 'run-1']);
    expect(names((await search({ run_view_type: 'DELETED_ONLY' })).body)).toEqual(['run-0']);
    expect(names((await search({ run_view_type: 'ALL' })).body)).toEqual(['run-2', 'run-1', 'run-0']);
    expect(names((await search({ run_view_type: 'ALL', filter: "attributes.lifecycle_stage = 'deleted'" })).body)).toEqual(['run-0']);
  });

  it('finds the children of a run by its mlflow.parentRunId tag', async () => {
    const child = await createRun({ run_name: 'child', tags: [{ key: 'mlflow.parentRunId', value: runs[0] }] });
    const res = await search({ filter: `tags.mlflow.parentRunId = '${runs[0]}'` });
    expect(res).toMatchObject({ status: 200, body: { runs: [{ info: { run_id: child, run_name: 'child' } }] } });
    expect((res.body as { runs: unknown[] }).runs).toHaveLength(1);
  });

  it('gives no runs for an experiment id that does not exist', async () => {
    expect(await c.post('mlflow/runs/search', { experiment_ids: ['404'] })).toMatchObject({ status: 200, body: {} });
  });

  it('answers an empty result without a runs field', async () => {
    expect(await search({ filter: 'metrics.loss > 5' })).toMatchObject({ status: 200, body: {} });
  });
});

describe('mlflow-sim logging to a run', () => {
  let run: string;
  beforeEach(async () => {
    run = await createRun();
  });
  const data = async () => ((await c.get('mlflow/runs/get', { run_id: run })).body as { run: { data: unknown } }).run.data;

  it('overwrites a tag and deletes it, refusing to delete a missing one with 404', async () => {
    expect(await c.post('mlflow/runs/set-tag', { run_id: run, key: 'k', value: 'one' })).toMatchObject(OK);
    expect(await c.post('mlflow/runs/set-tag', { run_id: run, key: 'k', value: 'two' })).toMatchObject(OK);
    expect(await data()).toEqual({ tags: [{ key: 'k', value: 'two' }] });
    expect(await c.post('mlflow/runs/delete-tag', { run_id: run, key: 'k' })).toMatchObject(OK);
    expect(await data()).toEqual({});
    expect(await c.post('mlflow/runs/delete-tag', { run_id: run, key: 'k' })).toMatchObject({ status: 404, body: mlflowError('RESOURCE_DOES_NOT_EXIST') });
  });

  it('keeps a param write-once: the same value again is fine, a new value is refused', async () => {
    expect(await c.post('mlflow/runs/log-parameter', { run_id: run, key: 'lr', value: '0.1' })).toMatchObject(OK);
    expect(await c.post('mlflow/runs/log-parameter', { run_id: run, key: 'lr', value: '0.1' })).toMatchObject(OK);
    const changed = await c.post('mlflow/runs/log-parameter', { run_id: run, key: 'lr', value: '0.2' });
    expect(changed).toMatchObject(INVALID(expect.stringContaining("Changing param values is not allowed. Param with key='lr'")));
    expect(await data()).toEqual({ params: [{ key: 'lr', value: '0.1' }] });
  });

  it('refuses keys over 250 characters, param values over 6000 and tag values over 5000', async () => {
    expect(await c.post('mlflow/runs/log-parameter', { run_id: run, key: 'k'.repeat(251), value: 'v' })).toMatchObject(INVALID());
    expect(await c.post('mlflow/runs/log-parameter', { run_id: run, key: 'p', value: 'v'.repeat(6001) })).toMatchObject(INVALID());
    expect(await c.post('mlflow/runs/log-parameter', { run_id: run, key: 'p', value: 'v'.repeat(6000) })).toMatchObject(OK);
    expect(await c.post('mlflow/runs/set-tag', { run_id: run, key: 't', value: 'v'.repeat(5001) })).toMatchObject(INVALID());
    expect(await c.post('mlflow/runs/set-tag', { run_id: run, key: 't', value: 'v'.repeat(5000) })).toMatchObject(OK);
  });

  it('appends metric values and summarises each key by its latest timestamp, the larger value on a tie', async () => {
    const log = (key: string, value: number | string, timestamp: number, step?: number) =>
      c.post('mlflow/runs/log-metric', { run_id: run, key, value, timestamp, ...(step === undefined ? {} : { step }) });
    expect(await log('loss', 0.5, T0 + 2, 1)).toMatchObject(OK);
    expect(await log('loss', 0.9, T0 + 1, 5)).toMatchObject(OK);
    expect(await log('acc', 0.1, T0)).toMatchObject(OK);
    expect(await log('acc', 0.3, T0)).toMatchObject(OK);
    expect(await log('nan', 'NaN', T0)).toMatchObject(OK);
    expect(await data()).toEqual({
      metrics: [
        { key: 'loss', value: 0.5, timestamp: T0 + 2, step: 1 },
        { key: 'acc', value: 0.3, timestamp: T0, step: 0 },
        { key: 'nan', value: 'NaN', timestamp: T0, step: 0 },
      ],
    });
  });

  it('refuses a metric without a timestamp or with a non-numeric value', async () => {
    expect(await c.post('mlflow/runs/log-metric', { run_id: run, key: 'loss', value: 1 })).toMatchObject(INVALID("Missing value for required parameter 'timestamp'. See the API docs for more information about request parameters."));
    expect(await c.post('mlflow/runs/log-metric', { run_id: run, key: 'loss', value: 'high', timestamp: T0 })).toMatchObject(INVALID());
  });

  it('accepts int64 fields sent as decimal strings, as protobuf JSON allows', async () => {
    expect(await c.post('mlflow/runs/log-metric', { run_id: run, key: 'loss', value: 1, timestamp: String(T0), step: '3' })).toMatchObject(OK);
    expect(await data()).toEqual({ metrics: [{ key: 'loss', value: 1, timestamp: T0, step: 3 }] });
  });
});
