/**
 * Upstream round trips of a dashboard through the real GraphQL server on the Comet backend: a page of 100
 * experiments with tags, parameters and last metric values uses Comet's multi-experiment reads and the
 * cache, and one API key never sees what was cached for another.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { gql, gqlOk } from '../../support/gateway';

const WS = 'dash-ws';
const OTHER_KEY = 'comet-test-other-key-987654';
const STRANGER_KEY = 'comet-test-stranger-key-555';
const WAVES_KEY = 'comet-test-waves-key-24680';
const TAGS = ['baseline', 'gpu', 'sweep'];

const DASHBOARD = `query($ws: String!, $p: String!) { project(workspace: $ws, name: $p) { name experiments(first: 100) { totalCount nodes {
  key name status tags parameters { name value } metrics { name last } parent { key } } } } }`;

interface Dashboard {
  project: { name: string; experiments: { totalCount: number; nodes: { key: string; tags: string[]; parameters: { name: string }[]; metrics: { name: string; last: number }[] }[] } } | null;
}

describe('comet backend: a dashboard of 100 experiments through GraphQL', () => {
  let sim: CometSim;
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    sim = await startSim([WS], [{ apiKey: OTHER_KEY, workspaces: [WS] }, { apiKey: STRANGER_KEY, workspaces: ['elsewhere'] }, { apiKey: WAVES_KEY, workspaces: [WS] }]);
    sim.seed({
      experiments: Array.from({ length: 100 }, (_, i) => ({
        workspace: WS,
        project: 'vision',
        name: `run-${i}`,
        startTimeMillis: 1_700_000_000_000 + i,
        tags: [TAGS[i % 3], ...(i % 10 === 0 ? ['baseline'] : [])],
        parameters: { lr: i / 1000, optimizer: i % 2 ? 'adam' : 'sgd' },
        metrics: Array.from({ length: 10 }, (_, step) => ({ metricName: 'loss', metricValue: 1 / (step + 1 + i), step, timestamp: 1_700_000_000_000 + step })),
      })),
    });
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
      TRACKQL_COMET_URL: sim.url, TRACKQL_CACHE_TTL_SECONDS: '60',
    }));
  });

  afterAll(async () => {
    await gateway.stop();
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => sim.resetCounts());

  const query = (key: string) => gql<Dashboard>(gateway.url, DASHBOARD, { ws: WS, p: 'vision' }, { authorization: key });

  it('costs one call per batch read plus one summary per run, cold', async () => {
    const data = await gqlOk<Dashboard>(gateway.url, DASHBOARD, { ws: WS, p: 'vision' }, { authorization: SIM_KEY });
    const nodes = data.project?.experiments.nodes ?? [];
    expect(nodes).toHaveLength(100);
    expect(nodes.every((n) => n.tags.length >= 1 && n.parameters.length === 2 && n.metrics[0]?.name === 'loss')).toBe(true);
    expect(sim.requestCounts()).toEqual({
      'GET project': 1,
      'GET experiments': 1,
      'GET project/column-names': 1,
      // one query per distinct tag (3) beats one `experiment/tags` per run (100)
      'POST project/query': TAGS.length,
      // parameters of all 100 runs at once
      'POST experiments/multi-metric-chart': 1,
      // Comet has no multi-run summary
      'GET experiment/metrics/summary': 100,
    });
  });

  it('goes two dependent round trips deep, cold: the project, then everything about its listed runs at once', async () => {
    // A key whose cache is still empty: the same cold dashboard, with Comet's answers held a wave at a time.
    const { result, waves } = await sim.inWaves(() => gqlOk<Dashboard>(gateway.url, DASHBOARD, { ws: WS, p: 'vision' }, { authorization: WAVES_KEY }));
    expect(result.project?.experiments.nodes).toHaveLength(100);
    expect(waves).toEqual([
      // The listing and the column names are asked for beside the project, not after it.
      { 'GET experiments': 1, 'GET project': 1, 'GET project/column-names': 1 },
      // Per-run reads need the keys the listing gave; nothing else waits.
      { 'GET experiment/metrics/summary': 100, 'POST experiments/multi-metric-chart': 1, 'POST project/query': TAGS.length },
    ]);
  });

  it('makes no upstream call at all for the same dashboard within the TTL', async () => {
    const res = await query(SIM_KEY);
    expect(res.errors).toBeUndefined();
    expect(res.data?.project?.experiments.totalCount).toBe(100);
    expect(sim.totalRequests()).toBe(0);
  });

  it('never serves one key what was cached for another', async () => {
    const other = await query(OTHER_KEY);
    expect(other.data?.project?.experiments.totalCount).toBe(100);
    // The same cold cost again: nothing came from the first key's cache.
    expect(sim.requestCounts()['GET experiment/metrics/summary']).toBe(100);
    expect(sim.requestCounts()['GET experiments']).toBe(1);
    sim.resetCounts();
    const stranger = await query(STRANGER_KEY);
    expect(stranger.data?.project ?? null).toBeNull();
    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(sim.totalRequests()).toBeGreaterThan(0);
  });

  it('answers UNAUTHENTICATED to a request with no key when no server key is set', async () => {
    const res = await gql(gateway.url, DASHBOARD, { ws: WS, p: 'vision' });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(sim.totalRequests()).toBe(0);
  });

  it('accepts the key as `Bearer <key>` too', async () => {
    const res = await query(`Bearer ${SIM_KEY}`);
    expect(res.errors).toBeUndefined();
    expect(sim.totalRequests()).toBe(0); // same key, same cache
  });
});
