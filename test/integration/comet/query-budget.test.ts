/**
 * A listing sorted or filtered by a metric costs one Comet summary call per run: past
 * TRACKQL_COMET_QUERY_BUDGET_SHARE of the key's hourly budget it is refused with QUERY_TOO_COMPLEX and its
 * estimate, before any summary is read (and, with the run list cached, before any call at all).
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { gql } from '../../support/gateway';

const WS = 'budget-ws';
const RUNS = 40;
const SUMMARY = 'GET experiment/metrics/summary';

const LIST = `query($ws: String!, $p: String!, $filter: ExperimentFilterInput, $orderBy: [ExperimentOrderInput!]) {
  project(workspace: $ws, name: $p) { experiments(first: 5, filter: $filter, orderBy: $orderBy) { totalCount nodes { name } } } }`;
const BY_LOSS = [{ field: 'METRIC', metric: 'loss', aggregate: 'LAST', direction: 'ASC' }];
const LOW_LOSS = { metric: { name: 'loss', aggregate: 'MIN', op: 'LT', value: 0.5 } };

describe('comet backend: the query budget of metric sorts and filters', () => {
  let sim: CometSim;
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    sim = await startSim([WS]);
    sim.seed({
      experiments: Array.from({ length: RUNS }, (_, i) => ({
        workspace: WS, project: 'big', name: `run-${String(i).padStart(2, '0')}`,
        // 3 runs are `best`; 30 are `common`.
        tags: [...(i < 3 ? ['best'] : []), ...(i >= 10 ? ['common'] : [])],
        metrics: [{ metricName: 'loss', metricValue: (RUNS - i) / RUNS, step: 1, timestamp: 1_700_000_000_000 }],
      })),
    });
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url,
      TRACKQL_LIVE_POLL: 'off', TRACKQL_CACHE_TTL_SECONDS: '300',
      // 200 calls per hour, 10% per listing: at most 20 summaries.
      TRACKQL_COMET_BUDGET_PER_HOUR: '200', TRACKQL_COMET_QUERY_BUDGET_SHARE: '0.1',
    }));
  });

  afterAll(async () => {
    await gateway.stop();
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => sim.resetCounts());

  const list = (variables: Record<string, unknown>) => gql(gateway.url, LIST, { ws: WS, p: 'big', ...variables }, { authorization: SIM_KEY });
  const refusal = (estimatedCalls: number) => ({
    code: 'QUERY_TOO_COMPLEX', estimatedCalls, maxCalls: 20, budgetPerHour: 200, budgetShare: 0.1, setting: 'TRACKQL_COMET_QUERY_BUDGET_SHARE',
  });

  it('refuses a sort by a metric over too many runs with the estimate, reading no summary (cold)', async () => {
    const res = await list({ orderBy: BY_LOSS });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0].extensions).toEqual(refusal(RUNS));
    expect(res.errors?.[0].message).toContain('40 runs');
    expect(res.data).toEqual({ project: null });
    expect(sim.requestCounts()[SUMMARY]).toBeUndefined();
  });

  it('refuses a filter by a metric with zero upstream calls once the run list is cached', async () => {
    // The project and its run list were read by the previous query (cached for the TTL).
    const res = await list({ filter: LOW_LOSS });
    expect(res.errors?.[0].extensions).toEqual(refusal(RUNS));
    expect(sim.totalRequests()).toBe(0);
  });

  it('refuses when the rules Comet evaluates leave too many runs, before any summary', async () => {
    const res = await list({ filter: { and: [{ tag: 'common' }, LOW_LOSS] } });
    expect(res.errors?.[0].extensions).toEqual(refusal(30));
    expect(sim.requestCounts()[SUMMARY]).toBeUndefined();
  });

  it('serves a metric sort narrowed by a tag within the budget, one summary per remaining run', async () => {
    const res = await list({ filter: { tag: 'best' }, orderBy: BY_LOSS });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ project: { experiments: { totalCount: 3, nodes: [{ name: 'run-02' }, { name: 'run-01' }, { name: 'run-00' }] } } });
    expect(sim.requestCounts()[SUMMARY]).toBe(3);
  });

  it('serves a listing of the same project that needs no metric', async () => {
    const res = await list({ orderBy: [{ field: 'NAME', direction: 'DESC' }] });
    expect(res.errors).toBeUndefined();
    expect(res.data?.project).toMatchObject({ experiments: { totalCount: RUNS } });
    expect(sim.requestCounts()[SUMMARY]).toBeUndefined();
  });
});
