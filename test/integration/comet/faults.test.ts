/**
 * Writes that never vanish, through the real GraphQL server on the Comet backend: a flaky upstream, an
 * outage across a gateway restart, and reads that fail fast instead of hanging.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { gql } from '../../support/gateway';

const WS = 'fault-ws';
const AUTH = { authorization: SIM_KEY };

const LOG = `mutation($key: String!, $points: [MetricPointInput!]!) { logMetrics(input: { experimentKey: $key, points: $points }) { accepted status } }`;
const PARAMS = `mutation($key: String!) { logParameters(input: { experimentKey: $key, parameters: [{ name: "lr", value: "0.5" }] }) { accepted status } }`;
const OTHERS = `mutation($key: String!) { logOthers(input: { experimentKey: $key, others: [{ key: "host", value: "gpu-7" }] }) { accepted status } }`;

function env(sim: CometSim, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
    TRACKQL_COMET_URL: sim.url, TRACKQL_COMET_TIMEOUT_MS: '1000', ...extra,
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

/** Steps logged to each experiment, in the order Comet received them. */
function receivedSteps(sim: CometSim, key: string): number[] {
  return sim.dump().experiments[key].metrics.map((m) => m.step ?? -1);
}

describe('comet backend: writes under faults', () => {
  let sim: CometSim;
  const dirs: string[] = [];
  const gateways: Gateway[] = [];

  beforeEach(async () => {
    sim = await startSim([WS]);
  });

  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    await sim.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function gateway(dataDir: string, extra: Record<string, string> = {}): Promise<Gateway> {
    const g = await startGateway(loadConfig(env(sim, dataDir, extra)));
    gateways.push(g);
    return g;
  }

  function dataDir(): string {
    const dir = tempDataDir();
    dirs.push(dir);
    return dir;
  }

  it('delivers 10,000 points from 200 mutations exactly once, in order, with 30% of calls failing', async () => {
    const { experimentKeys } = sim.seed({ experiments: Array.from({ length: 10 }, (_, i) => ({ workspace: WS, project: 'flaky', name: `e${i}` })) });
    const g = await gateway(dataDir());
    const statuses: string[] = [];
    const run = async (key: string, index: number): Promise<void> => {
      for (let call = 0; call < 20; call++) {
        // Both refusals the reference expects: 503 for the first half of the calls, 429 for the second.
        if (index === 0 && call === 10) sim.setFaults({ rate: 0.3, status: 429, seed: 7 });
        const points = Array.from({ length: 50 }, (_, i) => ({ name: 'loss', value: call + i / 100, step: call * 50 + i }));
        const res = await gql<{ logMetrics: { accepted: number; status: string } }>(g.url, LOG, { key, points }, AUTH);
        expect(res.errors).toBeUndefined();
        expect(res.data?.logMetrics.accepted).toBe(50);
        statuses.push(res.data?.logMetrics.status ?? 'missing');
      }
    };
    sim.setFaults({ rate: 0.3, status: 503, seed: 3 });
    await Promise.all(experimentKeys.map((key, i) => run(key, i)));
    expect(statuses).toHaveLength(200);
    expect(statuses.every((s) => s === 'ACCEPTED' || s === 'QUEUED')).toBe(true);
    await until(() => g.backend.pendingWrites?.() === 0, 20_000);
    sim.setFaults({});
    // Refused calls were sent again (inline or from the outbox): more requests than batches.
    expect(sim.requestCounts()['POST clientlib/batch/logger/experiment/metric']).toBeGreaterThan(200);
    for (const key of experimentKeys) {
      expect(receivedSteps(sim, key)).toEqual(Array.from({ length: 1000 }, (_, step) => step));
    }
    expect(Object.values(sim.dump().experiments).reduce((n, e) => n + e.metrics.length, 0)).toBe(10_000);
  });

  it('stores a metric batch once when Comet took it but its answer was lost', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'lost', name: 'cut' }] });
    const g = await gateway(dataDir());
    // Half of the metric batches are stored, then the connection is cut: resending blindly would double them.
    sim.setFaults({ rate: 0.5, lostAnswer: true, seed: 11, routes: /batch\/logger\/experiment\/metric/ });
    for (let call = 0; call < 10; call++) {
      const points = Array.from({ length: 20 }, (_, i) => ({ name: 'loss', value: call + i / 100, step: call * 20 + i }));
      const res = await gql<{ logMetrics: { accepted: number; status: string } }>(g.url, LOG, { key, points }, AUTH);
      expect(res.errors).toBeUndefined();
      expect(['ACCEPTED', 'QUEUED']).toContain(res.data?.logMetrics.status);
    }
    sim.setFaults({});
    await until(() => g.backend.pendingWrites?.() === 0, 30_000);
    expect(sim.requestCounts()['GET experiment/metrics/get-metric']).toBeGreaterThan(0);
    expect(receivedSteps(sim, key)).toEqual(Array.from({ length: 200 }, (_, step) => step));
  });

  it('queues writes during an outage, keeps them across a restart, and delivers them once Comet is back', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'outage', name: 'down' }] });
    const dir = dataDir();
    const first = await gateway(dir);
    sim.setDown(true);
    const statuses: string[] = [];
    for (let call = 0; call < 5; call++) {
      const points = Array.from({ length: 300 }, (_, i) => ({ name: 'acc', value: i, step: call * 300 + i }));
      const res = await gql<{ logMetrics: { status: string } }>(first.url, LOG, { key, points }, AUTH);
      statuses.push(res.data?.logMetrics.status ?? JSON.stringify(res.errors));
    }
    for (const mutation of [PARAMS, OTHERS]) {
      const res = await gql<Record<string, { status: string }>>(first.url, mutation, { key }, AUTH);
      statuses.push(Object.values(res.data ?? {})[0]?.status ?? JSON.stringify(res.errors));
    }
    expect(statuses).toEqual(Array(7).fill('QUEUED'));
    expect(first.backend.pendingWrites?.()).toBeGreaterThan(0);
    await first.stop();
    gateways.splice(gateways.indexOf(first), 1);

    const second = await gateway(dir);
    const ready = (await (await fetch(`${second.url}/readyz`)).json()) as { pendingWrites: number };
    expect(ready.pendingWrites).toBeGreaterThan(0);
    sim.setDown(false);
    await until(() => second.backend.pendingWrites?.() === 0, 20_000);
    const stored = sim.dump().experiments[key];
    expect(stored.metrics.map((m) => m.step)).toEqual(Array.from({ length: 1500 }, (_, step) => step));
    expect(stored.parameters.map((p) => [p.name, p.value])).toEqual([['lr', '0.5']]);
    expect(stored.others.map((o) => [o.name, o.value])).toEqual([['host', 'gpu-7']]);
  });

  it('fails reads within the configured timeout with UPSTREAM_UNAVAILABLE, whether Comet hangs or is down', async () => {
    const g = await gateway(dataDir(), { TRACKQL_COMET_TIMEOUT_MS: '400', TRACKQL_CACHE_TTL_SECONDS: '0' });
    const query = `{ workspaces { name } }`;
    sim.setFaults({ rate: 1, timeout: true });
    let started = Date.now();
    const hung = await gql(g.url, query, {}, AUTH);
    expect(hung.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_500);
    sim.setFaults({});
    sim.setDown(true);
    started = Date.now();
    const down = await gql(g.url, query, {}, AUTH);
    expect(down.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_500);
    sim.setDown(false);
    const back = await gql<{ workspaces: { name: string }[] }>(g.url, query, {}, AUTH);
    expect(back.data?.workspaces.map((w) => w.name)).toContain(WS);
  });
});
