/**
 * MLflow writes under faults, at the port over the simulator: throttling retried in the call, an outage
 * queued and delivered once after recovery (across a restart too), a log-batch whose answer was lost or
 * that was partly applied reconciled rather than sent twice, and a queued write MLflow refuses for good
 * kept as a dead letter.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend, Caller } from '../../../src/backends/port';
import { mlflowBackend, tempDataDir } from '../../support/mlflow-backend';
import { startMlflowSim, type MlflowSim } from '../../support/mlflow-sim';

const ME: Caller = Object.freeze({ apiKey: null, keyId: 'anonymous' });
const WS = 'contract-ws';
const LOG_BATCH = 'POST mlflow/runs/log-batch';

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(20);
  }
}

const points = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ name: 'loss', value: (from + i) / 10, step: from + i, timestamp: 1_700_000_000_000 + from + i }));

describe('mlflow backend: writes under faults', () => {
  let sim: MlflowSim;
  const dirs: string[] = [];
  const backends: Backend[] = [];

  beforeEach(async () => {
    sim = await startMlflowSim();
  });

  afterEach(async () => {
    for (const b of backends.splice(0)) await b.close();
    await sim.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function make(dir = tempDataDir(), extra: Parameters<typeof mlflowBackend>[2] = {}): Backend {
    if (!dirs.includes(dir)) dirs.push(dir);
    const b = mlflowBackend(sim, dir, { timeoutMs: 400, outboxBackoffMs: 20, outboxMaxBackoffMs: 100, drainOnCloseMs: 100, ...extra });
    backends.push(b);
    return b;
  }

  const stored = (key: string): number[] => (sim.state.runs.get(key)?.metrics ?? []).map((m) => m.step).sort((a, b) => a - b);

  it('retries 429 and 503 within the call, honouring Retry-After, and answers ACCEPTED', async () => {
    const b = make(undefined, { timeoutMs: 3_000 });
    const { key } = await b.experiments.create(ME, { workspace: WS, project: 'faults' });
    sim.addFault({ route: LOG_BATCH, action: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    sim.addFault({ route: LOG_BATCH, action: { kind: 'status', status: 503 } });
    const started = Date.now();
    expect(await b.metrics.log(ME, key, points(5))).toBe('ACCEPTED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(stored(key)).toEqual([0, 1, 2, 3, 4]);
  });

  it('queues writes while MLflow is down and delivers each point once after it recovers, in order', async () => {
    const b = make();
    const { key } = await b.experiments.create(ME, { workspace: WS, project: 'faults' });
    sim.addFault({ route: LOG_BATCH, action: { kind: 'status', status: 503 }, times: Infinity });
    expect(await b.metrics.log(ME, key, points(3))).toBe('QUEUED');
    expect(await b.metrics.log(ME, key, points(3, 3))).toBe('QUEUED');
    expect(await b.attributes.logOthers(ME, key, [{ key: 'host', value: 'gpu-1' }])).toBe('QUEUED');
    expect(b.pendingWrites?.()).toBeGreaterThan(0);
    await sleep(100);
    expect(stored(key)).toEqual([]);
    sim.clearFaults();
    await until(() => b.pendingWrites?.() === 0);
    expect(stored(key)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sim.state.runs.get(key)?.tags.get('host')).toBe('gpu-1');
  });

  it('keeps queued writes across a restart and delivers them from the next start', async () => {
    const dir = tempDataDir();
    const first = make(dir, { drainOnCloseMs: 0 });
    const { key } = await first.experiments.create(ME, { workspace: WS, project: 'faults' });
    sim.addFault({ route: LOG_BATCH, action: { kind: 'status', status: 503 }, times: Infinity });
    expect(await first.metrics.log(ME, key, points(4))).toBe('QUEUED');
    await first.close();
    sim.clearFaults();
    const second = make(dir);
    await until(() => second.pendingWrites?.() === 0);
    expect(stored(key)).toEqual([0, 1, 2, 3]);
  });

  it('does not double points when MLflow stored a batch but the answer was lost', async () => {
    const b = make();
    const { key } = await b.experiments.create(ME, { workspace: WS, project: 'faults' });
    sim.addFault({ route: LOG_BATCH, action: { kind: 'lost' } });
    const status = await b.metrics.log(ME, key, points(10));
    expect(['ACCEPTED', 'QUEUED']).toContain(status);
    await until(() => b.pendingWrites?.() === 0);
    expect(stored(key)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends only the rest of a log-batch MLflow applied in part before failing', async () => {
    const b = make();
    const { key } = await b.experiments.create(ME, { workspace: WS, project: 'faults' });
    sim.addFault({ route: LOG_BATCH, action: { kind: 'partialBatch', apply: 4, status: 500 } });
    await b.metrics.log(ME, key, points(10));
    await until(() => b.pendingWrites?.() === 0);
    expect(stored(key)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The rest was found by reading the run's history, then sent once.
    expect(sim.callCount('GET mlflow/metrics/get-history')).toBeGreaterThanOrEqual(1);
  });

  it('answers a retry with the same idempotency key from its record, storing nothing twice', async () => {
    const b = make();
    const { key } = await b.experiments.create(ME, { workspace: WS, project: 'faults' });
    const claim = { key: 'log-1', operation: 'logMetrics', payloadHash: 'a'.repeat(64) };
    expect(await b.metrics.log(ME, key, points(3), { idempotency: claim })).toBe('ACCEPTED');
    expect(await b.metrics.log(ME, key, points(3), { idempotency: claim })).toBe('ACCEPTED');
    expect(stored(key)).toEqual([0, 1, 2]);
  });

  it('keeps a queued parameter MLflow refuses for good as a dead letter, with its reason, until discarded', async () => {
    const b = make();
    const { key } = await b.experiments.create(ME, { workspace: WS, project: 'faults', parameters: [{ name: 'lr', value: '0.1' }] });
    // Down while the gateway checks and queues: MLflow's own write-once rule refuses it on delivery.
    sim.addFault({ route: /^(GET mlflow\/runs\/get|POST mlflow\/runs\/log-batch)$/, action: { kind: 'status', status: 503 }, times: Infinity });
    expect(await b.attributes.logParameters(ME, key, [{ name: 'lr', value: '0.2' }])).toBe('QUEUED');
    sim.clearFaults();
    await until(() => b.pendingWrites?.() === 0);
    const letters = await b.deadLetters.list(ME, { first: 10 });
    expect(letters.totalCount).toBe(1);
    expect(letters.items[0]).toMatchObject({ experimentKey: key });
    expect(sim.state.runs.get(key)?.params.get('lr')).toBe('0.1');
    await b.deadLetters.discard(ME, letters.items[0].id);
    expect((await b.deadLetters.list(ME, { first: 10 })).totalCount).toBe(0);
  });

  it('finds the run of a create whose answer was lost, by its claim, instead of making a second one', async () => {
    const b = make();
    const claim = { key: 'create-1', operation: 'createExperiment', payloadHash: 'b'.repeat(64) };
    const input = { workspace: WS, project: 'create-once', name: 'only', parameters: [{ name: 'lr', value: '0.1' }] };
    sim.addFault({ route: 'POST mlflow/runs/create', action: { kind: 'lost' } });
    await expect(b.experiments.create(ME, input, { idempotency: claim })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const retried = await b.experiments.create(ME, input, { idempotency: claim });
    const runs = [...sim.state.runs.values()].filter((r) => r.runName === 'only');
    expect(runs.map((r) => r.runId)).toEqual([retried.key]);
    await until(() => b.pendingWrites?.() === 0);
    expect(runs[0].params.get('lr')).toBe('0.1');
    expect(await b.experiments.create(ME, input, { idempotency: claim })).toEqual(retried);
  });
});
