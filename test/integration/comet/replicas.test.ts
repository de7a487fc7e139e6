/**
 * Idempotency across replicas on the Comet backend: two backends, each over its own data dir (its own
 * outbox), sharing one real redis-server. A retry that lands on the other replica answers the first result
 * and writes nothing twice, an ambiguous create is reconciled there, and with Redis away calls with a key
 * fail rather than risk a second write.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { Backend, IdempotencyClaim } from '../../../src/backends/port';
import type { CometSim } from '../../support/comet-sim';
import { cometBackend, startSim, tempDataDir } from '../../support/comet-backend';
import { startRedis, type RedisServer } from '../../support/live';
import { CALLER } from '../../contract/port/support';

if (spawnSync('redis-server', ['--version']).status !== 0) {
  throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does it)');
}

const WS = 'replica-ws';

function claim(key: string, operation: string, payloadHash = 'h'.repeat(64)): { idempotency: IdempotencyClaim } {
  return { idempotency: { key, operation, payloadHash } };
}

describe('comet backend: idempotency records shared by replicas through Redis', () => {
  let sim: CometSim;
  let redis: RedisServer;
  let a: Backend;
  let b: Backend;
  const dirs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await redis.dispose();
  });

  beforeEach(async () => {
    sim = await startSim([WS]);
    const [dirA, dirB] = [tempDataDir(), tempDataDir()];
    dirs.push(dirA, dirB);
    // Reconciliation waits a short while for Comet's reads to catch up (the simulator has no lag).
    a = cometBackend(sim, dirA, { redisUrl: redis.url, ambiguousSettleMs: 100 });
    b = cometBackend(sim, dirB, { redisUrl: redis.url, ambiguousSettleMs: 100 });
  });

  afterEach(async () => {
    await a.close();
    await b.close();
    await sim.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  const runsIn = (project: string) => Object.values(sim.dump().experiments).filter((e) => e.projectName === project);

  it('answers a retry on the other replica with the first result, and writes nothing twice', async () => {
    const input = { workspace: WS, project: 'twice', name: 'run', tags: ['t'] };
    const made = await a.experiments.create(CALLER, input, claim('c-1', 'createExperiment'));
    const again = await b.experiments.create(CALLER, input, claim('c-1', 'createExperiment'));
    expect(again.key).toBe(made.key);
    expect(runsIn('twice')).toHaveLength(1);

    const points = [{ name: 'loss', value: 1, step: 0 }, { name: 'loss', value: 2, step: 1 }];
    expect(await a.metrics.log(CALLER, made.key, points, claim('m-1', 'logMetrics'))).toBe('ACCEPTED');
    expect(await b.metrics.log(CALLER, made.key, points, claim('m-1', 'logMetrics'))).toBe('ACCEPTED');
    expect(sim.dump().experiments[made.key].metrics.map((m) => m.step)).toEqual([0, 1]);
    // The same key with another payload is a conflict on every replica.
    await expect(b.metrics.log(CALLER, made.key, points, claim('m-1', 'logMetrics', 'x'.repeat(64)))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('serializes one key across replicas: concurrent calls on both make one run', async () => {
    const input = { workspace: WS, project: 'race', name: 'run' };
    const [one, two] = await Promise.all([
      a.experiments.create(CALLER, input, claim('race-1', 'createExperiment')),
      b.experiments.create(CALLER, input, claim('race-1', 'createExperiment')),
    ]);
    expect(two.key).toBe(one.key);
    expect(runsIn('race')).toHaveLength(1);
  });

  it('reconciles on the other replica a create whose answer was lost', async () => {
    const input = { workspace: WS, project: 'lost', name: 'run', parameters: [{ name: 'lr', value: '0.5' }] };
    sim.setFaults({ rate: 1, lostAnswer: true, routes: /^POST write\/experiment\/create$/ });
    await expect(a.experiments.create(CALLER, input, claim('lost-1', 'createExperiment'))).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    sim.setFaults({});
    const found = await b.experiments.create(CALLER, input, claim('lost-1', 'createExperiment'));
    const runs = runsIn('lost');
    expect(runs.map((r) => r.experimentKey)).toEqual([found.key]);
    expect(runs[0].parameters.map((p) => [p.name, p.value])).toEqual([['lr', '0.5']]);
  });

  it('refuses calls with a key while Redis is away, and serves calls without one', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    const own = await startRedis(); // its own server: this test stops it for good
    const dir = tempDataDir();
    dirs.push(dir);
    const c = cometBackend(sim, dir, { redisUrl: own.url });
    try {
      expect(await c.metrics.log(CALLER, key, [{ name: 'loss', value: 0, step: 0 }], claim('near-1', 'logMetrics'))).toBe('ACCEPTED');
      await own.dispose();
      await expect(c.metrics.log(CALLER, key, [{ name: 'loss', value: 1, step: 1 }], claim('away-1', 'logMetrics'))).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(await c.metrics.log(CALLER, key, [{ name: 'loss', value: 2, step: 2 }])).toBe('ACCEPTED');
      expect(sim.dump().experiments[key].metrics.map((m) => m.step)).toEqual([0, 2]);
    } finally {
      await c.close();
      await own.dispose();
    }
  }, 20_000);
});
