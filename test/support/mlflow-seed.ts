/** Runs logged straight to the MLflow simulator, as MLflow's own clients would: the gateway reads them afterwards. */
import { simClient } from './mlflow-sim/client';
import type { MlflowSim } from './mlflow-sim';

export interface SeededRun {
  runId: string;
  name: string;
}

/** `count` runs in experiment `experiment` (made when missing), each with two params, a tag, an other and `steps` points of `loss`. */
export async function seedRuns(sim: MlflowSim, experiment: string, count: number, steps = 10): Promise<SeededRun[]> {
  const client = simClient(sim);
  const made = await client.post('mlflow/experiments/create', { name: experiment });
  const experimentId = made.status === 200
    ? (made.body as { experiment_id: string }).experiment_id
    : ((await client.get('mlflow/experiments/get-by-name', { experiment_name: experiment })).body as { experiment: { experiment_id: string } }).experiment.experiment_id;
  const runs: SeededRun[] = [];
  for (let i = 0; i < count; i++) {
    const name = `run-${i}`;
    const created = await client.post('mlflow/runs/create', {
      experiment_id: experimentId, run_name: name, start_time: 1_700_000_000_000 + i, tags: [{ key: i % 2 ? 'gpu' : 'cpu', value: '' }],
    });
    const runId = (created.body as { run: { info: { run_id: string } } }).run.info.run_id;
    const metrics = Array.from({ length: steps }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + i), timestamp: 1_700_000_000_000 + step, step }));
    const logged = await client.post('mlflow/runs/log-batch', {
      run_id: runId, metrics, params: [{ key: 'lr', value: String(i / 1000) }, { key: 'optimizer', value: i % 2 ? 'adam' : 'sgd' }],
      tags: [{ key: 'host', value: `node-${i % 4}` }],
    });
    if (logged.status !== 200) throw new Error(`seeding failed: ${JSON.stringify(logged.body)}`);
    runs.push({ runId, name });
  }
  return runs;
}
