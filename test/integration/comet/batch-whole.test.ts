/**
 * A logMetrics batch is stored whole or not at all, through the real GraphQL server on the Comet backend:
 * when Comet refuses a later request of a batch for good after it stored the earlier ones, the caller gets no
 * error for what was stored, the rest is kept (a dead letter), and a retry with the same key stores nothing twice.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { codes, gql } from '../../support/gateway';

const WS = 'whole-ws';
const AUTH = { authorization: SIM_KEY };
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted status } }`;
const METRIC_ROUTE = /^POST clientlib\/batch\/logger\/experiment\/metric$/;

describe('comet backend: a metric batch refused partway', () => {
  let sim: CometSim;
  let g: Gateway;
  let dir: string;

  beforeEach(async () => {
    sim = await startSim([WS]);
    dir = tempDataDir();
    g = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
      TRACKQL_COMET_URL: sim.url, TRACKQL_COMET_TIMEOUT_MS: '1000',
    }));
  });

  afterEach(async () => {
    await g.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const steps = (key: string) => sim.dump().experiments[key].metrics.map((m) => m.step);
  const deadWrites = async () => ((await (await fetch(`${g.url}/readyz`)).json()) as { deadWrites: number }).deadWrites;
  const points = (n: number) => Array.from({ length: n }, (_, step) => ({ name: 'loss', value: step, step }));

  it.each([
    ['without an idempotency key', undefined],
    ['with an idempotency key', 'whole-1'],
  ])('answers QUEUED, not an error, and keeps the refused rest as a dead letter, %s', async (_label, idempotencyKey) => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    sim.setFaults({ rate: 1, status: 402, after: 1, routes: METRIC_ROUTE }); // the plan's limit is reached partway
    const input = { experimentKey: key, points: points(1500), ...(idempotencyKey ? { idempotencyKey } : {}) };
    const first = await gql(g.url, LOG, { input }, AUTH);
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual({ logMetrics: { accepted: 1500, status: 'QUEUED' } });
    expect(steps(key)).toEqual(points(1000).map((p) => p.step));
    expect(await deadWrites()).toBe(1);
    expect(g.backend.pendingWrites?.()).toBe(0);
  });

  it('stores nothing twice when the batch is retried with the same key', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    sim.setFaults({ rate: 1, status: 402, after: 1, routes: METRIC_ROUTE });
    const input = { experimentKey: key, points: points(1500), idempotencyKey: 'whole-2' };
    const first = await gql(g.url, LOG, { input }, AUTH);
    sim.setFaults({});
    expect(await gql(g.url, LOG, { input }, AUTH)).toEqual(first);
    expect(steps(key)).toHaveLength(1000);
    expect(await deadWrites()).toBe(1);
  });

  it('still refuses a batch of which Comet stored nothing, and keeps nothing of it', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    sim.setFaults({ rate: 1, status: 402, routes: METRIC_ROUTE });
    const input = { experimentKey: key, points: points(1500), idempotencyKey: 'whole-3' };
    expect(codes(await gql(g.url, LOG, { input }, AUTH))).toEqual(['FORBIDDEN']);
    expect(steps(key)).toEqual([]);
    expect(await deadWrites()).toBe(0);
    sim.setFaults({});
    expect((await gql(g.url, LOG, { input }, AUTH)).data).toEqual({ logMetrics: { accepted: 1500, status: 'ACCEPTED' } });
    expect(steps(key)).toHaveLength(1500);
  });
});
