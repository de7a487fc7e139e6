/**
 * Monitoring on Comet MPM: the wire shape of ingestion (SDK event dicts, at most 1,000 per request), delivery
 * through the durable outbox when MPM is down (across a restart), and the read API decoded.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend, ModelVersionRef, PredictionEventInput } from '../../../src/backends/port';
import { loadConfig } from '../../../src/config';
import { startGateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, cometBackend, startSim, tempDataDir } from '../../support/comet-backend';
import { gql } from '../../support/gateway';

const WS = 'mpm-ws';
const CALLER = { apiKey: null, keyId: 'anonymous' };
const HOUR = 3_600_000;
const T0 = Math.floor((Date.now() - 10 * HOUR) / HOUR) * HOUR;

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

async function register(backend: Backend, modelName: string, versions: string[]): Promise<ModelVersionRef[]> {
  const { key } = await backend.experiments.create(CALLER, { workspace: WS, project: `p-${modelName}` });
  await backend.assets.put(CALLER, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName: 'net', maxBytes: 10 }, Readable.from([Buffer.from('w')]));
  for (const version of versions) await backend.registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName: modelName, version });
  return versions.map((version) => ({ workspace: WS, modelName, version }));
}

const events = (prefix: string, n: number, start = 0): PredictionEventInput[] =>
  Array.from({ length: n }, (_, i) => ({ predictionId: `${prefix}-${start + i}`, timestamp: T0 + start + i, features: { x: (start + i) % 10 }, prediction: { value: 1 }, labels: {} }));

describe('comet backend: monitoring on MPM', () => {
  let sim: CometSim;
  const dirs: string[] = [];
  const backends: Backend[] = [];
  const open = (dir: string): Backend => {
    const b = cometBackend(sim, dir);
    backends.push(b);
    return b;
  };

  beforeEach(async () => {
    sim = await startSim([WS]);
  });
  afterEach(async () => {
    for (const b of backends.splice(0)) await b.close();
    await sim.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends SDK event dicts to mpm/v2/events/batch, at most 1000 a request, and labels to labels/batch', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const backend = open(dir);
    const [ref] = await register(backend, 'wire', ['1.0.0']);
    sim.resetCounts();
    expect(await backend.monitoring.log(CALLER, ref, events('p', 2_500))).toBe('ACCEPTED');
    expect(await backend.monitoring.logLabels(CALLER, ref, [{ predictionId: 'p-3', timestamp: T0 + 5 * HOUR, labels: { value: 0 } }])).toBe('ACCEPTED');
    expect(sim.requestCounts()).toMatchObject({ 'POST mpm/v2/events/batch': 3, 'POST mpm/v2/labels/batch': 1 });
    const received = sim.mpmReceived(WS, 'wire');
    expect(received).toHaveLength(2_501);
    expect(received[2_500]).toEqual({ version: '1.0.0', predictionId: 'p-3', kind: 'label' });
  });

  it('delivers 10,000 events logged while MPM was down, each once and in order per version, after a restart', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const first = open(dir);
    const [v1, v2] = await register(first, 'outage', ['1.0.0', '2.0.0']);
    sim.setFaults({ rate: 1, status: 503, routes: /mpm\// });
    const statuses: string[] = [];
    for (let call = 0; call < 5; call += 1) {
      statuses.push(await first.monitoring.log(CALLER, v1, events('a', 1_000, call * 1_000)));
      statuses.push(await first.monitoring.log(CALLER, v2, events('b', 1_000, call * 1_000)));
    }
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 'QUEUED'));
    expect(first.pendingWrites?.()).toBe(10);
    await first.close();
    expect(sim.mpmReceived(WS, 'outage')).toEqual([]);

    sim.setFaults({});
    const second = open(dir);
    await until(() => sim.mpmReceived(WS, 'outage').length >= 10_000, 20_000);
    await until(() => second.pendingWrites?.() === 0, 5_000);
    const received = sim.mpmReceived(WS, 'outage');
    expect(received).toHaveLength(10_000);
    for (const [version, prefix] of [['1.0.0', 'a'], ['2.0.0', 'b']] as const) {
      expect(received.filter((r) => r.version === version).map((r) => r.predictionId)).toEqual(Array.from({ length: 5_000 }, (_, i) => `${prefix}-${i}`));
    }
    const [counts] = await second.monitoring.counts(CALLER, [{ ref: v1, from: T0, to: T0 + HOUR, interval: 'HOUR' }]);
    expect(counts).toEqual([{ start: T0, value: 5_000, count: 5_000 }]);
  });

  it('answers QUEUED over GraphQL while MPM is down, and refuses listing predictions with its reason', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const seed = open(dir);
    await register(seed, 'graphql', ['1.0.0']);
    await seed.close();
    const gw = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url, TRACKQL_COMET_TIMEOUT_MS: '1000',
    }));
    try {
      const auth = { authorization: SIM_KEY };
      sim.setFaults({ rate: 1, status: 503, routes: /mpm\// });
      const log = await gql(gw.url, `mutation($input: LogPredictionsInput!) { logPredictions(input: $input) { accepted status } }`, {
        input: { workspace: WS, modelName: 'graphql', modelVersion: '1.0.0', columns: { predictionIds: ['g1', 'g2'], features: [{ name: 'x', values: [1, 2] }] } },
      }, auth);
      expect(log.data).toEqual({ logPredictions: { accepted: 2, status: 'QUEUED' } });
      sim.setFaults({});
      await until(() => sim.mpmReceived(WS, 'graphql').length === 2, 10_000);
      const list = await gql(gw.url, `{ registeredModel(workspace: "${WS}", name: "graphql") { version(version: "1.0.0") { predictions(first: 5) { totalCount } } } }`, {}, auth);
      expect(list.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNSUPPORTED' });
      expect(list.errors?.[0].message).toContain('capabilities.monitoring.listPredictions is false');
    } finally {
      await gw.stop();
    }
  });

  it('reads drift and distributions through the MPM read API, and refuses minute buckets', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const backend = open(dir);
    const [ref] = await register(backend, 'reads', ['1.0.0']);
    const first = Array.from({ length: 10 }, (_, k) => ({ predictionId: `f${k}`, timestamp: T0 + k, features: { x: k, c: k < 5 ? 'a' : 'b' }, prediction: {}, labels: {} }));
    const later = Array.from({ length: 10 }, (_, k) => ({ predictionId: `l${k}`, timestamp: T0 + 2 * HOUR + k, features: { x: k < 8 ? 0 : 9, c: 'a' }, prediction: {}, labels: {} }));
    await backend.monitoring.log(CALLER, ref, [...first, ...later]);
    const [drift] = await backend.monitoring.drift(CALLER, [{ ref, feature: 'x', source: 'INPUT', from: T0, to: T0 + 3 * HOUR, interval: 'HOUR', algorithm: 'EMD', reference: 'REFERENCE_DATA' }]);
    // The simulator measures against the first interval with data; EMD of {0×8, 9×2} from 0..9: Σ_k |0.8 − (k+1)/10| over k = 0..8 = 2.9.
    expect(drift).toEqual([{ start: T0, value: 0, count: 0 }, { start: T0 + 2 * HOUR, value: expect.closeTo(2.9, 9), count: 0 }]);
    const [num, cat] = await backend.monitoring.distributions(CALLER, [
      { ref, feature: 'x', source: 'INPUT', from: T0, to: T0 + HOUR }, { ref, feature: 'c', source: 'INPUT', from: T0, to: T0 + 3 * HOUR },
    ]);
    expect(num).toMatchObject({ type: 'NUMERICAL', categories: [], percentiles: null });
    expect((num as { bins: { count: number }[] }).bins.map((b) => b.count)).toEqual(Array.from({ length: 10 }, () => 1));
    expect(cat).toMatchObject({ type: 'CATEGORICAL', categories: [{ value: 'a', count: 15 }, { value: 'b', count: 5 }] });
    const [minute] = await backend.monitoring.counts(CALLER, [{ ref, from: T0, to: T0 + HOUR, interval: 'MINUTE' }]);
    expect(minute).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
  });
});
