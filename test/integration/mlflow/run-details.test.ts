/**
 * Run details through the real GraphQL server on the MLflow backend: a page of 100 runs that MLflow's own
 * client logged shows their git state, user, entry point and description at no call beyond the listing's,
 * and `updateRunDetails` lands as MLflow's own tags, where MLflow's UI and clients read them.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import { tempDataDir } from '../../support/mlflow-backend';
import { startMlflowSim, type MlflowSim } from '../../support/mlflow-sim';
import { simClient } from '../../support/mlflow-sim/client';
import { gqlOk } from '../../support/gateway';

const WS = 'lab';

const PAGE = `query($ws: String!, $p: String!) { project(workspace: $ws, name: $p) { experiments(first: 100) { nodes {
  key git { commit branch origin } systemDetails { user command } html } } } }`;

const UPDATE = `mutation($input: UpdateRunDetailsInput!) { updateRunDetails(input: $input) { experiment { key git { commit } systemDetails { user } html } } }`;

interface Page {
  project: { experiments: { nodes: { key: string; git: { commit: string } | null; systemDetails: { user: string; command: string[] } | null; html: string | null }[] } };
}

describe('mlflow backend: run details through GraphQL', () => {
  let sim: MlflowSim;
  let gateway: Gateway;
  let dataDir: string;
  const keys: string[] = [];

  beforeAll(async () => {
    sim = await startMlflowSim();
    const client = simClient(sim);
    const experimentId = ((await client.post('mlflow/experiments/create', { name: 'autolog' })).body as { experiment_id: string }).experiment_id;
    for (let i = 0; i < 100; i++) {
      const made = await client.post('mlflow/runs/create', {
        experiment_id: experimentId, run_name: `r${i}`, start_time: 1_700_000_000_000 + i,
        tags: [
          { key: 'mlflow.user', value: 'ada' }, { key: 'mlflow.source.name', value: 'train.py' },
          { key: 'mlflow.source.git.commit', value: `sha${i}` }, { key: 'mlflow.note.content', value: `run ${i}` },
        ],
      });
      keys.push((made.body as { run: { info: { run_id: string } } }).run.info.run_id);
    }
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

  it('shows git, user, entry point and description of 100 runs with no call beyond the listing\'s, and no download', async () => {
    sim.resetCalls();
    const data = await gqlOk<Page>(gateway.url, PAGE, { ws: WS, p: 'autolog' });
    const nodes = data.project.experiments.nodes;
    expect(nodes).toHaveLength(100);
    const byKey = new Map(nodes.map((n) => [n.key, n]));
    expect(byKey.get(keys[42])).toEqual({ key: keys[42], git: { commit: 'sha42', branch: null, origin: null }, systemDetails: { user: 'ada', command: ['train.py'] }, html: 'run 42' });
    expect(sim.callCount(/artifacts/)).toBe(0);
    expect(sim.callCount('POST mlflow/runs/search')).toBe(1);
    expect(sim.callCount()).toBeLessThanOrEqual(3);
  });

  it('writes updateRunDetails as MLflow\'s own tags', async () => {
    const data = await gqlOk<{ updateRunDetails: { experiment: unknown } }>(gateway.url, UPDATE, {
      input: { experimentKey: keys[0], git: { commit: 'fix1', branch: 'main' }, systemDetails: { user: 'grace' }, html: '<p>tuned</p>' },
    });
    expect(data.updateRunDetails.experiment).toEqual({ key: keys[0], git: { commit: 'fix1' }, systemDetails: { user: 'grace' }, html: '<p>tuned</p>' });
    const tags = sim.state.runs.get(keys[0])?.tags;
    expect([tags?.get('mlflow.source.git.commit'), tags?.get('mlflow.source.git.branch'), tags?.get('mlflow.user'), tags?.get('mlflow.note.content')])
      .toEqual(['fix1', 'main', 'grace', '<p>tuned</p>']);
  });
});
