/** Runs read as the port's experiments: the runs by key, their MLflow experiments, and children. */
import type { Experiment } from '../port';
import type { MlflowApi } from './api';
import { quoteValue } from './api';
import type { MlflowRun } from './decode';
import { Tag } from './protocol';
import { isGone, toExperiment } from './runs';

/** The runs of `keys` that exist for the port (not deleted through the gateway), by key. */
export async function liveRuns(api: MlflowApi, keys: readonly string[]): Promise<Map<string, MlflowRun>> {
  const runs = await api.runs(keys);
  for (const [key, run] of runs) if (isGone(run)) runs.delete(key);
  return runs;
}

/** The port's experiments of `runs`, in order (a run whose MLflow experiment is gone is left out). */
export async function toExperiments(api: MlflowApi, runs: readonly MlflowRun[], workspace: string): Promise<Experiment[]> {
  const experiments = await api.experimentsById(runs.map((r) => r.experimentId));
  return runs.flatMap((run) => {
    const experiment = experiments.get(run.experimentId);
    return experiment ? [toExperiment(run, experiment, workspace, api.baseUrl)] : [];
  });
}

/** Child runs of each parent (in the parent's MLflow experiment), one search per parent. */
export async function childRuns(api: MlflowApi, parents: readonly MlflowRun[]): Promise<Map<string, MlflowRun[]>> {
  const out = new Map<string, MlflowRun[]>();
  await Promise.all(parents.map(async (parent) => {
    const value = quoteValue(parent.runId) as string; // run ids are hex: always quotable
    const found = await api.searchRuns([parent.experimentId], `tags.\`${Tag.parentRunId}\` = ${value}`, 'ALL');
    out.set(parent.runId, found.filter((run) => !isGone(run)));
  }));
  return out;
}
