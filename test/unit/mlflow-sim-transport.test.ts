/**
 * The MLflow simulator's transport over real HTTP: the artifact proxy (with Range), request decoding
 * refusals, optional authentication, fault injection and the call log that backend tests count.
 */
import { request as httpRequest } from 'node:http';
import { startMlflowSim, type MlflowSim } from '../support/mlflow-sim';
import { parseCli } from '../support/mlflow-sim/cli';
import { simClient, type SimClient } from '../support/mlflow-sim/client';
import { mlflowError, INVALID } from './mlflow-sim-helpers';

let sim: MlflowSim;
let c: SimClient;

beforeEach(async () => {
  sim = await startMlflowSim();
  c = simClient(sim);
});
afterEach(async () => {
  await sim.stop();
});

const ART = 'mlflow-artifacts/artifacts';

async function runWithArtifactPath(): Promise<{ runId: string; root: string }> {
  const res = await c.post('mlflow/runs/create', { experiment_id: '0' });
  const info = (res.body as { run: { info: { run_id: string; artifact_uri: string } } }).run.info;
  return { runId: info.run_id, root: info.artifact_uri.replace('mlflow-artifacts:/', '') };
}

describe('mlflow-sim artifact proxy', () => {
  const file = (path: string, headers: Record<string, string> = {}) => fetch(`${sim.apiUrl}${ART}/${path}`, { headers });

  it('stores an upload and answers it whole on GET', async () => {
    const { root } = await runWithArtifactPath();
    expect(await c.call('PUT', `${ART}/${root}/model/weights.bin`, { body: '0123456789' })).toMatchObject({ status: 200, body: {} });
    const res = await file(`${root}/model/weights.bin`);
    expect([res.status, res.headers.get('content-type'), res.headers.get('accept-ranges'), await res.text()])
      .toEqual([200, 'application/octet-stream', 'bytes', '0123456789']);
  });

  it.each([
    ['bytes=2-4', 206, 'bytes 2-4/10', '234'],
    ['bytes=7-', 206, 'bytes 7-9/10', '789'],
    ['bytes=-3', 206, 'bytes 7-9/10', '789'],
    ['bytes=8-99', 206, 'bytes 8-9/10', '89'],
    ['bytes=10-', 416, 'bytes */10', ''],
  ])('answers Range %s with %d', async (range, status, contentRange, text) => {
    await c.call('PUT', `${ART}/f.bin`, { body: '0123456789' });
    const res = await file('f.bin', { Range: range });
    expect([res.status, res.headers.get('content-range'), await res.text()]).toEqual([status, contentRange, text]);
  });

  it('lists a directory through the proxy and through the run', async () => {
    const { runId, root } = await runWithArtifactPath();
    await c.call('PUT', `${ART}/${root}/model/weights.bin`, { body: '0123456789' });
    await c.call('PUT', `${ART}/${root}/notes.txt`, { body: 'hi' });
    expect(await c.get(ART, { path: root })).toMatchObject({
      status: 200, body: { files: [{ path: 'model', is_dir: true }, { path: 'notes.txt', is_dir: false, file_size: 2 }] },
    });
    expect(await c.get('mlflow/artifacts/list', { run_id: runId, path: 'model' })).toMatchObject({
      status: 200, body: { root_uri: `mlflow-artifacts:/${root}`, files: [{ path: 'model/weights.bin', is_dir: false, file_size: 10 }] },
    });
  });

  it('deletes a directory with what is below it', async () => {
    const { runId, root } = await runWithArtifactPath();
    await c.call('PUT', `${ART}/${root}/model/weights.bin`, { body: '0123456789' });
    await c.call('PUT', `${ART}/${root}/notes.txt`, { body: 'hi' });
    expect(await c.call('DELETE', `${ART}/${root}/model`)).toMatchObject({ status: 200, body: {} });
    expect(await c.get(`${ART}/${root}/model/weights.bin`)).toMatchObject({ status: 404, body: mlflowError('RESOURCE_DOES_NOT_EXIST') });
    expect((await c.get('mlflow/artifacts/list', { run_id: runId })).body).toEqual({
      root_uri: `mlflow-artifacts:/${root}`, files: [{ path: 'notes.txt', is_dir: false, file_size: 2 }],
    });
  });

  it('refuses paths that climb out of the artifact root', async () => {
    expect(await c.get(ART, { path: '../etc' })).toMatchObject(INVALID());
    // An encoded slash survives URL normalisation, so the decoded path really holds `..`.
    expect(await c.call('PUT', `${ART}/a%2F..%2Fb`, { body: 'x' })).toMatchObject(INVALID("Invalid artifact path: 'a/../b'"));
    expect(sim.state.artifacts.size).toBe(0);
  });
});

describe('mlflow-sim request decoding', () => {
  it('refuses malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await c.call('POST', 'mlflow/experiments/create', { body: '{"name": ', headers: { 'Content-Type': 'application/json' } });
    expect(res).toMatchObject({ status: 400, body: mlflowError('BAD_REQUEST', 'Bad Request. The request body is not valid JSON') });
  });

  it('refuses a body that is not declared as JSON', async () => {
    const res = await c.call('POST', 'mlflow/experiments/create', { body: '{"name":"x"}', headers: { 'Content-Type': 'text/plain' } });
    expect(res).toMatchObject({ status: 400, body: mlflowError('BAD_REQUEST') });
  });

  it('refuses unknown fields, in the body, nested, and in the query string', async () => {
    expect(await c.post('mlflow/experiments/create', { name: 'x', colour: 'red' })).toMatchObject(
      INVALID("mlflow/experiments/create: unknown field 'colour'; expected one of name, artifact_location, tags"),
    );
    expect(await c.post('mlflow/experiments/create', { name: 'x', tags: [{ key: 'k', val: 'v' }] })).toMatchObject(INVALID());
    expect(await c.get('mlflow/experiments/get', { experiment_id: '0', verbose: 'true' })).toMatchObject(INVALID());
  });

  it('refuses a wrong type and a missing required field', async () => {
    expect(await c.post('mlflow/experiments/create', { name: 5 })).toMatchObject(INVALID("Invalid value 5 for parameter 'name' supplied: expected a string"));
    expect(await c.post('mlflow/runs/log-metric', { run_id: 'r', key: 'k', timestamp: 1 })).toMatchObject(INVALID(expect.stringContaining("'value'")));
  });

  it('answers 404 for an unknown path and 405 for a known path with the wrong method', async () => {
    expect(await c.get('mlflow/nothing')).toMatchObject({ status: 404, body: 'Not Found' });
    expect(await c.get('mlflow/runs/create')).toMatchObject({ status: 405, body: 'Method Not Allowed' });
    expect(await c.get('/ajax-api/2.0/mlflow/runs/get')).toMatchObject({ status: 404 });
  });
});

describe('mlflow-sim authentication', () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('records the Authorization header of each call, serving all when no auth is configured', async () => {
    await simClient(sim, { Authorization: 'Bearer tok' }).get('mlflow/experiments/get', { experiment_id: '0' });
    await c.get('mlflow/experiments/get', { experiment_id: '0' });
    expect(sim.calls().map((x) => [x.authorization, x.status])).toEqual([['Bearer tok', 200], [null, 200]]);
  });

  it('requires Basic or Bearer credentials when configured, answering 401 otherwise', async () => {
    sim.setAuth({ basic: [{ username: 'ann', password: 'pw' }], bearer: ['tok'] });
    const q = { experiment_id: '0' };
    expect(await simClient(sim, { Authorization: basic('ann', 'pw') }).get('mlflow/experiments/get', q)).toMatchObject({ status: 200 });
    expect(await simClient(sim, { Authorization: 'Bearer tok' }).get('mlflow/experiments/get', q)).toMatchObject({ status: 200 });
    for (const header of [basic('ann', 'wrong'), 'Bearer other', 'Token tok']) {
      const res = await simClient(sim, { Authorization: header }).get('mlflow/experiments/get', q);
      expect([res.status, res.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="mlflow"']);
    }
    const none = await c.get('mlflow/experiments/get', q);
    expect([none.status, none.body]).toEqual([401, 'You are not authenticated: no Authorization header']);
  });
});

describe('mlflow-sim faults', () => {
  const create = (name: string) => c.post('mlflow/experiments/create', { name });

  it('answers 429 with Retry-After for N calls on a route, then serves it', async () => {
    sim.addFault({ route: 'POST mlflow/experiments/create', times: 2, action: { kind: 'status', status: 429, retryAfterSeconds: 3 } });
    for (let i = 0; i < 2; i++) {
      const res = await create('x');
      expect([res.status, res.headers.get('retry-after'), res.body]).toEqual([429, '3', mlflowError('REQUEST_LIMIT_EXCEEDED')]);
    }
    expect(await create('x')).toMatchObject({ status: 200 });
    expect(sim.pendingFaults()).toBe(0);
  });

  it('answers 503 TEMPORARILY_UNAVAILABLE and a plain-text 502, after letting calls through', async () => {
    sim.addFault({ route: /experiments\/get$/, after: 1, action: { kind: 'status', status: 503 } });
    sim.addFault({ route: 'GET mlflow/runs/get', action: { kind: 'status', status: 502 } });
    expect(await c.get('mlflow/experiments/get', { experiment_id: '0' })).toMatchObject({ status: 200 });
    expect(await c.get('mlflow/experiments/get', { experiment_id: '0' })).toMatchObject({ status: 503, body: mlflowError('TEMPORARILY_UNAVAILABLE') });
    expect(await c.get('mlflow/runs/get', { run_id: 'x' })).toMatchObject({ status: 502, body: expect.stringContaining('502') });
  });

  it('delays an answer', async () => {
    sim.addFault({ route: 'GET mlflow/experiments/get', action: { kind: 'delay', ms: 150 } });
    const started = Date.now();
    expect(await c.get('mlflow/experiments/get', { experiment_id: '0' })).toMatchObject({ status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('applies a write and then cuts the connection when the answer is lost', async () => {
    sim.addFault({ route: 'POST mlflow/experiments/create', action: { kind: 'lost' } });
    await expect(create('ghost')).rejects.toThrow();
    expect(await c.get('mlflow/experiments/get-by-name', { experiment_name: 'ghost' })).toMatchObject({ status: 200 });
    expect(await create('ghost')).toMatchObject({ status: 409 });
    expect(sim.calls()[0]).toMatchObject({ route: 'POST mlflow/experiments/create', status: null });
  });

  it('never answers a hung call, which the client must time out', async () => {
    sim.addFault({ route: 'GET mlflow/runs/get', action: { kind: 'hang' } });
    await expect(fetch(`${sim.apiUrl}mlflow/runs/get?run_id=x`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(sim.calls()).toEqual([expect.objectContaining({ route: 'GET mlflow/runs/get', status: null })]);
  });

  it('refuses a partial-batch fault on any route but log-batch', () => {
    expect(() => sim.addFault({ route: 'POST mlflow/runs/log-metric', action: { kind: 'partialBatch', apply: 1 } })).toThrow(RangeError);
  });
});

describe('mlflow-sim call log', () => {
  it('records method, path, route, query and body size for every call', async () => {
    await c.post('mlflow/experiments/create', { name: 'x' });
    await c.get('mlflow/metrics/get-history-bulk-interval', { run_ids: ['a', 'b'], metric_key: 'm' });
    await c.call('PUT', `${ART}/1/r/artifacts/f.txt`, { body: 'abc' });
    expect(sim.calls()).toEqual([
      { method: 'POST', path: '/api/2.0/mlflow/experiments/create', route: 'POST mlflow/experiments/create', query: '', bodyBytes: 12, authorization: null, status: 200 },
      {
        method: 'GET', path: '/api/2.0/mlflow/metrics/get-history-bulk-interval', route: 'GET mlflow/metrics/get-history-bulk-interval',
        query: 'run_ids=a&run_ids=b&metric_key=m', bodyBytes: 0, authorization: null, status: 404,
      },
      { method: 'PUT', path: `/api/2.0/${ART}/1/r/artifacts/f.txt`, route: `PUT ${ART}/*`, query: '', bodyBytes: 3, authorization: null, status: 200 },
    ]);
    expect(sim.callCount('POST mlflow/experiments/create')).toBe(1);
    expect(sim.callCount(/^GET /)).toBe(1);
    sim.resetCalls();
    expect(sim.callCount()).toBe(0);
  });

  it('answers an oversized artifact upload with 413 that the client can read', async () => {
    await sim.stop();
    sim = await startMlflowSim({ artifactMaxBytes: 1024 * 1024 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${sim.apiUrl}${ART}/big.bin`, { method: 'PUT' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write(Buffer.alloc(512 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(sim.state.artifacts.size).toBe(0);
  });
});

describe('mlflow-sim cli options', () => {
  it('reads flags and environment, flags winning', () => {
    expect(parseCli(['--port', '5000', '--basic=ann:p:w'], { MLFLOW_SIM_LATENCY_MS: '7', MLFLOW_SIM_PORT: '1' })).toEqual({
      port: 5000, latencyMs: 7, auth: { basic: [{ username: 'ann', password: 'p:w' }], bearer: [] },
    });
    expect(parseCli([], {})).toEqual({ port: 0, latencyMs: 0, auth: undefined });
    expect(() => parseCli(['--colour', 'red'], {})).toThrow("unknown option '--colour'");
    expect(() => parseCli(['--basic', 'nocolon'], {})).toThrow('--basic must be USER:PASSWORD');
  });
});
