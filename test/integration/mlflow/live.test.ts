/**
 * The live feed on the MLflow backend, over the simulator: the poller delivers points another MLflow client
 * logged straight to the server, each once, and a poll that finds nothing new costs one call.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import { gqlOk } from '../../support/gateway';
import { eventually, liveClient, record, sleep, type LiveClient } from '../../support/live';
import { tempDataDir } from '../../support/mlflow-backend';
import { seedRuns } from '../../support/mlflow-seed';
import { simClient } from '../../support/mlflow-sim/client';
import { startMlflowSim, type MlflowSim } from '../../support/mlflow-sim';

const POLL_MS = 100;
const METRICS = `subscription($key: String!) { metricLogged(experimentKey: $key) { name points { step value nonFinite } } }`;
type MetricEvent = { metricLogged: { name: string; points: { step: number; value: number | null; nonFinite: string | null }[] } };

describe('the live feed on MLflow', () => {
  let sim: MlflowSim;
  let gateway: Gateway;
  let client: LiveClient;
  let dataDir: string;

  beforeAll(async () => {
    sim = await startMlflowSim();
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_BACKEND: 'mlflow', TRACKQL_MLFLOW_URL: sim.url, TRACKQL_MLFLOW_WORKSPACE: 'lab', TRACKQL_DATA_DIR: dataDir,
      TRACKQL_LOG_LEVEL: 'silent', TRACKQL_LIVE_POLL_MS: String(POLL_MS), TRACKQL_LIVE_POLL_CALLS_PER_MINUTE: '6000',
    }));
    client = liveClient(gateway.url);
  });

  afterAll(async () => {
    await client?.dispose();
    await gateway?.stop();
    await sim?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function pollers(): Promise<number> {
    return ((await (await fetch(`${gateway.url}/readyz`)).json()) as { live: { pollers: number } }).live.pollers;
  }

  it('delivers points another client logged straight to MLflow, and points logged through the gateway once', async () => {
    const [{ runId: key }] = await seedRuns(sim, 'live', 1, 0);
    const feed = record<MetricEvent>(client.client, METRICS, { key });
    await eventually(async () => (await pollers()) === 1, 5000, 'the poller');
    // One read for the subscription's access check, one for the poll that records where the run stands.
    await eventually(() => sim.callCount('GET mlflow/runs/get') >= 2, 5000, 'the first poll');

    const other = simClient(sim);
    await other.post('mlflow/runs/log-batch', { run_id: key, metrics: [
      { key: 'loss', value: 0.5, timestamp: 1000, step: 1 }, { key: 'loss', value: 'Infinity', timestamp: 2000, step: 2 },
    ] });
    const [fromOther] = await feed.waitFor(1);
    expect(fromOther.data?.metricLogged).toEqual({ name: 'loss', points: [{ step: 1, value: 0.5, nonFinite: null }, { step: 2, value: null, nonFinite: 'INFINITY' }] });

    await gqlOk(gateway.url, `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.25, step: 3, timestamp: 3000}]}) { status } }`, { k: key });
    await feed.waitFor(2);
    await sleep(POLL_MS * 6); // the poller now sees the same point in MLflow: it must not come again
    expect(feed.results.flatMap((r) => r.data!.metricLogged.points.map((p) => p.step))).toEqual([1, 2, 3]);

    // Nothing new: each poll reads the run once, and no history.
    sim.resetCalls();
    await sleep(POLL_MS * 5);
    const routes = new Set(sim.calls().map((c) => c.route));
    expect([...routes]).toEqual(['GET mlflow/runs/get']);

    feed.unsubscribe();
    await eventually(async () => (await pollers()) === 0, 5000, 'the poller to stop');
  });
});
