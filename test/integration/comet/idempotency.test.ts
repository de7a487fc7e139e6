/**
 * Idempotent mutations on the Comet backend, through the real GraphQL server and the Comet simulator: the
 * simulator's state shows each write once, whether the retry comes after an ACCEPTED, concurrently, after a
 * QUEUED during an outage, or after a gateway restart.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { codes, gql } from '../../support/gateway';

const WS = 'idem-ws';
const OTHER_KEY = 'comet-other-key-0123456789';
const AUTH = { authorization: SIM_KEY };
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted status } }`;
const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { experiment { key name } } }`;

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

describe('comet backend: idempotent mutations', () => {
  let sim: CometSim;
  const dirs: string[] = [];
  const gateways: Gateway[] = [];

  beforeEach(async () => {
    sim = await startSim([WS], [{ apiKey: OTHER_KEY, workspaces: [WS] }]);
  });

  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    await sim.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function gateway(dataDir?: string): Promise<Gateway> {
    const dir = dataDir ?? tempDataDir();
    if (!dirs.includes(dir)) dirs.push(dir);
    const g = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
      TRACKQL_COMET_URL: sim.url, TRACKQL_COMET_TIMEOUT_MS: '1000',
    }));
    gateways.push(g);
    return g;
  }

  const steps = (key: string) => sim.dump().experiments[key].metrics.map((m) => m.step);

  it('sends a retried or duplicated metric batch to Comet once, and answers every copy alike', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    const g = await gateway();
    const input = { experimentKey: key, idempotencyKey: 'm-1', points: [{ name: 'loss', value: 1, step: 0 }, { name: 'loss', value: 2, step: 1 }] };
    const first = await gql(g.url, LOG, { input }, AUTH);
    expect(first.data).toEqual({ logMetrics: { accepted: 2, status: 'ACCEPTED' } });
    expect((await gql(g.url, LOG, { input }, AUTH)).data).toEqual(first.data);

    const burst = { ...input, idempotencyKey: 'm-2', points: [{ name: 'loss', value: 3, step: 2 }] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => gql(g.url, LOG, { input: burst }, AUTH)));
    expect(answers.map((a) => a.data)).toEqual(Array(8).fill({ logMetrics: { accepted: 1, status: 'ACCEPTED' } }));
    expect(steps(key)).toEqual([0, 1, 2]);

    const reused = await gql(g.url, LOG, { input: { ...burst, points: [{ name: 'loss', value: 4, step: 3 }] } }, AUTH);
    expect(codes(reused)).toEqual(['BAD_USER_INPUT']);
    // Another API key has its own keys: the same idempotency key is a new write for it.
    expect((await gql(g.url, LOG, { input: { ...burst, points: [{ name: 'loss', value: 5, step: 4 }] } }, { authorization: OTHER_KEY })).data)
      .toEqual({ logMetrics: { accepted: 1, status: 'ACCEPTED' } });
    expect(steps(key)).toEqual([0, 1, 2, 4]);
  });

  it('creates one experiment for a retried createExperiment and answers the same key', async () => {
    const g = await gateway();
    const input = { workspace: WS, project: 'made', name: 'run', idempotencyKey: 'c-1' };
    const answers = await Promise.all([gql(g.url, CREATE, { input }, AUTH), gql(g.url, CREATE, { input }, AUTH)]);
    const again = await gql(g.url, CREATE, { input }, AUTH);
    const key = answers[0].data?.createExperiment.experiment.key;
    expect(key).toEqual(expect.any(String));
    expect([answers[1], again].map((a) => a.data?.createExperiment.experiment.key)).toEqual([key, key]);
    expect(Object.values(sim.dump().experiments).filter((e) => e.projectName === 'made')).toHaveLength(1);
  });

  it('keeps a QUEUED write and its record across a restart, and delivers it once when Comet is back', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'down' }] });
    const dir = tempDataDir();
    const first = await gateway(dir);
    sim.setDown(true);
    const input = { experimentKey: key, idempotencyKey: 'q-1', points: Array.from({ length: 1500 }, (_, step) => ({ name: 'acc', value: step, step })) };
    expect((await gql(first.url, LOG, { input }, AUTH)).data).toEqual({ logMetrics: { accepted: 1500, status: 'QUEUED' } });
    expect((await gql(first.url, LOG, { input }, AUTH)).data).toEqual({ logMetrics: { accepted: 1500, status: 'QUEUED' } });
    expect(first.backend.pendingWrites?.()).toBe(2); // one batch in two requests of at most 1000 values: not four
    await first.stop();
    gateways.splice(gateways.indexOf(first), 1);

    const second = await gateway(dir);
    expect((await gql(second.url, LOG, { input }, AUTH)).data).toEqual({ logMetrics: { accepted: 1500, status: 'QUEUED' } });
    sim.setDown(false);
    await until(() => second.backend.pendingWrites?.() === 0, 20_000);
    expect((await gql(second.url, LOG, { input }, AUTH)).data).toEqual({ logMetrics: { accepted: 1500, status: 'QUEUED' } });
    expect(steps(key)).toEqual(Array.from({ length: 1500 }, (_, step) => step));
  });

  it('answers a refusal to every try and keeps nothing of it', async () => {
    const g = await gateway();
    const input = { experimentKey: 'no-such-experiment-00000000000', idempotencyKey: 'r-1', points: [{ name: 'loss', value: 1, step: 0 }] };
    const first = await gql(g.url, LOG, { input }, AUTH);
    expect(first.errors?.length).toBe(1);
    expect(codes(await gql(g.url, LOG, { input }, AUTH))).toEqual(codes(first));
    expect(g.backend.pendingWrites?.()).toBe(0);
    const ready = (await (await fetch(`${g.url}/readyz`)).json()) as { deadWrites: number };
    expect(ready.deadWrites).toBe(0);
  });
});
