/**
 * The MLflow simulator's log-batch (limits, write-once params, partial application under a fault) and
 * metric histories (paged single-run history, sampled many-run history), over real HTTP.
 */
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { simClient, type SimClient } from '../support/mlflow-sim/client';
import { mlflowError, INVALID } from './mlflow-sim-helpers';
import { sampledSteps } from '../support/mlflow-sim/sampling';

const T0 = 1_700_000_000_000;
let sim: MlflowSim;
let c: SimClient;
let run: string;

async function createRun(): Promise<string> {
  const res = await c.post('mlflow/runs/create', { experiment_id: '0' });
  return (res.body as { run: { info: { run_id: string } } }).run.info.run_id;
}

beforeEach(async () => {
  sim = await startMlflowSim({ clock: () => T0 });
  c = simClient(sim);
  run = await createRun();
});
afterEach(async () => {
  await sim.stop();
});

const metric = (key: string, step: number, value = step) => ({ key, value, timestamp: T0 + step, step });
const batch = (body: Record<string, unknown>) => c.post('mlflow/runs/log-batch', { run_id: run, ...body });
const stored = () => {
  const r = sim.state.runs.get(run);
  if (r === undefined) throw new Error('run vanished');
  return { metrics: r.metrics.length, params: Object.fromEntries(r.params), tags: Object.fromEntries(r.tags) };
};

describe('mlflow-sim log-batch', () => {
  it('writes metrics, params and tags in one call', async () => {
    const res = await batch({
      metrics: [metric('loss', 0), metric('loss', 1)],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'team', value: 'a' }],
    });
    expect(res).toMatchObject({ status: 200, body: {} });
    expect(stored()).toEqual({ metrics: 2, params: { lr: '0.1' }, tags: { team: 'a' } });
  });

  it.each([
    ['1001 metrics', { metrics: Array.from({ length: 1001 }, (_, i) => metric('m', i)) }, 'A batch logging request can contain at most 1000 metrics. Got 1001 metrics.'],
    ['101 params', { params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' })) }, 'A batch logging request can contain at most 100 params. Got 101 params.'],
    ['101 tags', { tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' })) }, 'A batch logging request can contain at most 100 tags. Got 101 tags.'],
    ['1001 items in total', {
      metrics: Array.from({ length: 901 }, (_, i) => metric('m', i)),
      params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v' })),
    }, 'A batch logging request can contain at most 1000 metrics, params, and tags in total. Got 1001.'],
    ['a body over 1,000,000 bytes', {
      params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v'.repeat(6000) })),
      tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'v'.repeat(5000) })),
    }, expect.stringMatching(/at most 1000000 bytes/)],
    ['a key over 250 characters', { metrics: [metric('k'.repeat(251), 0)] }, expect.any(String)],
    ['a param value over 6000 characters', { params: [{ key: 'p', value: 'v'.repeat(6001) }] }, expect.any(String)],
  ])('refuses %s and writes nothing', async (_label, body, message) => {
    expect(await batch(body)).toMatchObject(INVALID(message));
    expect(stored()).toEqual({ metrics: 0, params: {}, tags: {} });
  });

  it('accepts exactly the limits: 1000 metrics', async () => {
    expect(await batch({ metrics: Array.from({ length: 1000 }, (_, i) => metric('m', i)) })).toMatchObject({ status: 200 });
    expect(stored().metrics).toBe(1000);
  });

  it('refuses a changed param and writes nothing of the batch; an equal one is accepted', async () => {
    await batch({ params: [{ key: 'lr', value: '0.1' }] });
    expect(await batch({ params: [{ key: 'lr', value: '0.1' }], metrics: [metric('m', 0)] })).toMatchObject({ status: 200 });
    const res = await batch({ params: [{ key: 'lr', value: '0.2' }], metrics: [metric('m', 1)], tags: [{ key: 't', value: 'v' }] });
    expect(res).toMatchObject(INVALID(expect.stringContaining('Changing param values is not allowed')));
    expect(stored()).toEqual({ metrics: 1, params: { lr: '0.1' }, tags: {} });
  });

  it('refuses one batch giving a param two values', async () => {
    const res = await batch({ params: [{ key: 'lr', value: '0.1' }, { key: 'lr', value: '0.2' }] });
    expect(res).toMatchObject(INVALID("Duplicate parameter keys have been submitted with different values: 'lr'"));
  });

  it('applies part of a batch, params then metrics then tags, under a partial-batch fault', async () => {
    sim.addFault({ route: 'POST mlflow/runs/log-batch', action: { kind: 'partialBatch', apply: 2 } });
    const body = { params: [{ key: 'lr', value: '0.1' }], metrics: [metric('m', 0), metric('m', 1)], tags: [{ key: 't', value: 'v' }] };
    expect(await batch(body)).toMatchObject({ status: 500, body: mlflowError('INTERNAL_ERROR', 'Simulated failure after 2 of 4 batch items were written') });
    expect(stored()).toEqual({ metrics: 1, params: { lr: '0.1' }, tags: {} });
    // A retry of the whole batch succeeds: the param is equal, metrics append again.
    expect(await batch(body)).toMatchObject({ status: 200 });
    expect(stored()).toEqual({ metrics: 3, params: { lr: '0.1' }, tags: { t: 'v' } });
  });
});

describe('mlflow-sim metric history', () => {
  beforeEach(async () => {
    await batch({ metrics: [metric('loss', 2), metric('loss', 0), metric('loss', 1), metric('acc', 0)] });
  });

  it('answers the whole history ordered by step when max_results is absent', async () => {
    const res = await c.get('mlflow/metrics/get-history', { run_id: run, metric_key: 'loss' });
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toEqual({ metrics: [metric('loss', 0), metric('loss', 1), metric('loss', 2)] });
  });

  it('pages with max_results and next_page_token', async () => {
    const first = await c.get('mlflow/metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 2 });
    expect(first.body).toEqual({ metrics: [metric('loss', 0), metric('loss', 1)], next_page_token: expect.any(String) });
    const token = (first.body as { next_page_token: string }).next_page_token;
    const second = await c.get('mlflow/metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 2, page_token: token });
    expect(second.body).toEqual({ metrics: [metric('loss', 2)] });
  });

  it('answers an empty history for an unknown key, 404 for an unknown run, 400 past 25000', async () => {
    expect(await c.get('mlflow/metrics/get-history', { run_id: run, metric_key: 'nope' })).toMatchObject({ status: 200, body: {} });
    expect(await c.get('mlflow/metrics/get-history', { run_id: 'f'.repeat(32), metric_key: 'loss' })).toMatchObject({ status: 404, body: mlflowError('RESOURCE_DOES_NOT_EXIST') });
    expect(await c.get('mlflow/metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 25_001 })).toMatchObject(INVALID());
  });
});

describe('mlflow-sim sampled bulk history', () => {
  const bulk = (query: Record<string, string | number | readonly string[]>, root = '') =>
    c.get(`${root}mlflow/metrics/get-history-bulk-interval`, query);

  it('keeps evenly spaced step indexes plus the last step', () => {
    const steps = Array.from({ length: 10 }, (_, i) => i * 10);
    expect(sampledSteps(steps, 3)).toEqual([0, 30, 60, 90]);
    expect(sampledSteps(steps, 4)).toEqual([0, 20, 50, 70, 90]);
    expect(sampledSteps(steps, 10)).toEqual(steps);
    expect(sampledSteps([5], 1)).toEqual([5]);
  });

  it('samples each run and tags every point with its run_id', async () => {
    const other = await createRun();
    await c.post('mlflow/runs/log-batch', { run_id: other, metrics: Array.from({ length: 10 }, (_, i) => metric('loss', i)) });
    await batch({ metrics: [metric('loss', 0), metric('loss', 7)] });
    const res = await bulk({ run_ids: [run, other], metric_key: 'loss', max_results: 3 });
    expect(res.status).toBe(200);
    const runPoints = [0, 7].map((s) => ({ ...metric('loss', s), run_id: run }));
    const otherPoints = [0, 3, 6, 9].map((s) => ({ ...metric('loss', s), run_id: other }));
    expect(res.body).toEqual({ metrics: [...runPoints, ...otherPoints] });
  });

  it('limits the steps to start_step..end_step, both given', async () => {
    await batch({ metrics: Array.from({ length: 10 }, (_, i) => metric('loss', i)) });
    const res = await bulk({ run_ids: [run], metric_key: 'loss', start_step: 2, end_step: 4 });
    expect(res.body).toEqual({ metrics: [2, 3, 4].map((s) => ({ ...metric('loss', s), run_id: run })) });
    expect(await bulk({ run_ids: [run], metric_key: 'loss', start_step: 2 })).toMatchObject(INVALID());
    expect(await bulk({ run_ids: [run], metric_key: 'loss', start_step: 5, end_step: 4 })).toMatchObject(INVALID());
  });

  it('is also served under /ajax-api/2.0/', async () => {
    await batch({ metrics: [metric('loss', 0)] });
    const res = await bulk({ run_ids: [run], metric_key: 'loss' }, '/ajax-api/2.0/');
    expect(res).toMatchObject({ status: 200, body: { metrics: [{ ...metric('loss', 0), run_id: run }] } });
  });

  it('refuses more than 100 run ids, none, and max_results outside 1..2500', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `run${i}`);
    expect(await bulk({ run_ids: ids, metric_key: 'loss' })).toMatchObject(INVALID(
      'GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.',
    ));
    expect(await bulk({ metric_key: 'loss' })).toMatchObject(INVALID("Missing value for required parameter 'run_ids'."));
    expect(await bulk({ run_ids: [run], metric_key: 'loss', max_results: 2501 })).toMatchObject(INVALID());
    expect(await bulk({ run_ids: [run], metric_key: 'loss', max_results: 0 })).toMatchObject(INVALID());
    expect(await bulk({ run_ids: [run], metric_key: 'loss', max_results: 2500 })).toMatchObject({ status: 200 });
  });
});
