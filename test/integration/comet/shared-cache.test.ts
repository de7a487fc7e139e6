/**
 * The upstream cache shared through Redis (`TRACKQL_CACHE_URL`): what one replica read from Comet, another
 * replica serves without calling Comet, for the same API key only; and a Redis outage only costs cache hits.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { gqlOk } from '../../support/gateway';
import { startRedis, type RedisServer } from '../../support/live';
import { describeWith } from '../../support/tools';

const WS = 'shared-ws';
const OTHER_KEY = 'comet-test-other-key-shared-1';
const DASHBOARD = `{ project(workspace: "${WS}", name: "p") { experiments(first: 50) { nodes { key tags parameters { name value } metrics { name last } } } } }`;

describeWith('redis-server')('comet backend: a cache shared by replicas through Redis', () => {
  let sim: CometSim;
  let redis: RedisServer;
  const gateways: Gateway[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    sim = await startSim([WS], [{ apiKey: OTHER_KEY, workspaces: [WS] }]);
    sim.seed({
      experiments: Array.from({ length: 20 }, (_, i) => ({
        workspace: WS, project: 'p', name: `r${i}`, tags: ['t'], parameters: { lr: i },
        metrics: [{ metricName: 'loss', metricValue: 1 / (i + 1), step: 0 }],
      })),
    });
    for (let i = 0; i < 2; i += 1) {
      const dir = tempDataDir();
      dirs.push(dir);
      gateways.push(await startGateway(loadConfig({
        TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
        TRACKQL_COMET_URL: sim.url, TRACKQL_CACHE_URL: redis.url, TRACKQL_CACHE_TTL_SECONDS: '60',
      })));
    }
  });

  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await sim.stop();
    await redis.dispose();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves from replica B what replica A fetched, and never to another key', async () => {
    const [a, b] = gateways;
    sim.resetCounts();
    const first = await gqlOk(a.url, DASHBOARD, {}, { authorization: SIM_KEY });
    expect(sim.totalRequests()).toBeGreaterThan(0);

    sim.resetCounts();
    const second = await gqlOk(b.url, DASHBOARD, {}, { authorization: SIM_KEY });
    expect(second).toEqual(first);
    expect(sim.requestCounts()).toEqual({});

    sim.resetCounts();
    await gqlOk(b.url, DASHBOARD, {}, { authorization: OTHER_KEY });
    expect(sim.totalRequests()).toBeGreaterThan(0);
  });

  it('keeps answering from Comet while Redis is down', async () => {
    await redis.kill();
    try {
      sim.resetCounts();
      const data = await gqlOk(gateways[1].url, DASHBOARD.replace('first: 50', 'first: 5'), {}, { authorization: SIM_KEY });
      expect(data.project.experiments.nodes).toHaveLength(5);
      expect(sim.totalRequests()).toBeGreaterThan(0);
    } finally {
      await redis.start();
    }
  });
});
