/**
 * Upstream round trips of the dashboard through the real GraphQL server on the MLflow backend: the runs
 * table (100 runs with tags, parameters and last metric values) and the comparison of their loss histories.
 * `runs/search` returns runs whole, so the table costs a handful of calls, not one per run.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import { tempDataDir } from '../../support/mlflow-backend';
import { seedRuns } from '../../support/mlflow-seed';
import { startMlflowSim, type MlflowSim } from '../../support/mlflow-sim';
import { gqlOk } from '../../support/gateway';

const WS = 'lab';

const DASHBOARD = `query($ws: String!, $p: String!) { project(workspace: $ws, name: $p) { name experimentCount experiments(first: 100) { totalCount nodes {
  key name status tags parameters { name value } metrics { name last } parent { key } } } } }`;

const COMPARE = `query($keys: [String!]!) { experiments(keys: $keys) { key metric(name: "loss") { count history(samples: 50) { sampled totalCount points { step value } } } } }`;

interface Dashboard {
  project: { experimentCount: number; experiments: { totalCount: number; nodes: { key: string; tags: string[]; parameters: { name: string }[]; metrics: { name: string; last: number }[] }[] } };
}

interface Compare {
  experiments: { key: string; metric: { count: number; history: { totalCount: number; points: { step: number; value: number }[] } } }[];
}

describe('mlflow backend: the dashboard of 100 runs through GraphQL', () => {
  let sim: MlflowSim;
  let gateway: Gateway;
  let dataDir: string;
  let keys: string[];

  beforeAll(async () => {
    sim = await startMlflowSim();
    keys = (await seedRuns(sim, 'vision', 100, 30)).map((r) => r.runId);
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'mlflow',
      TRACKQL_MLFLOW_URL: sim.url, TRACKQL_MLFLOW_WORKSPACE: WS, TRACKQL_LIVE_POLL: 'off',
    }));
  });

  afterAll(async () => {
    await gateway.stop();
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => sim.resetCalls());

  const calls = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const c of sim.calls()) counts[c.route] = (counts[c.route] ?? 0) + 1;
    return counts;
  };

  it('serves the runs table with tags, parameters and last values in at most 5 MLflow calls, cold', async () => {
    const data = await gqlOk<Dashboard>(gateway.url, DASHBOARD, { ws: WS, p: 'vision' });
    const nodes = data.project.experiments.nodes;
    expect(data.project.experimentCount).toBe(100);
    expect(nodes).toHaveLength(100);
    expect(nodes.every((n) => n.tags.length === 1 && n.parameters.length === 2 && n.metrics[0]?.name === 'loss')).toBe(true);
    expect(calls()).toEqual({
      'GET mlflow/experiments/get-by-name': 1,
      // the project's run count and the table's page: the same search, made once
      'POST mlflow/runs/search': 1,
      // every run's loss series at once (last, min, max and count are exact)
      'GET mlflow/metrics/get-history-bulk-interval': 1,
    });
    expect(sim.callCount()).toBeLessThanOrEqual(5);
    // Each call is counted in /metrics by its route template, never by a run id.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/trackql_upstream_requests_total\{route="mlflow\/runs\/search",method="POST",status="200"\} [1-9]/);
    expect(metrics).not.toContain(keys[0]);
  });

  it('compares the loss histories of the 100 runs in at most 2 calls after the table', async () => {
    await gqlOk<Dashboard>(gateway.url, DASHBOARD, { ws: WS, p: 'vision' });
    sim.resetCalls();
    const data = await gqlOk<Compare>(gateway.url, COMPARE, { keys });
    expect(data.experiments).toHaveLength(100);
    expect(data.experiments.every((e) => e.metric.count === 30 && e.metric.history.totalCount === 30)).toBe(true);
    expect(data.experiments[0].metric.history.points[29]).toEqual({ step: 29, value: 1 / 30 });
    expect(sim.callCount()).toBeLessThanOrEqual(2);
    expect(sim.callCount('GET mlflow/metrics/get-history-bulk-interval')).toBeLessThanOrEqual(1);
  });

  it('reads past its memory for a comparison asked cold, still without one call per run', async () => {
    const fresh = tempDataDir();
    const cold = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: fresh, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'mlflow',
      TRACKQL_MLFLOW_URL: sim.url, TRACKQL_MLFLOW_WORKSPACE: WS, TRACKQL_LIVE_POLL: 'off',
    }));
    try {
      sim.resetCalls();
      const data = await gqlOk<Compare>(cold.url, COMPARE, { keys });
      expect(data.experiments.every((e) => e.metric.history.totalCount === 30)).toBe(true);
      expect(calls()).toEqual({
        'POST mlflow/experiments/search': 1,
        'POST mlflow/runs/search': 1,
        'GET mlflow/metrics/get-history-bulk-interval': 1,
      });
    } finally {
      await cold.stop();
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
