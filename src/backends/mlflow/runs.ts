/**
 * The mapping of an MLflow run onto the port's experiment and attributes: key = run_id, name = run_name,
 * project = the MLflow experiment, parent = the `mlflow.parentRunId` tag, status and times from RunInfo,
 * archived = MLflow's soft delete. TrackQL tags are MLflow tags with an empty value; other tags outside
 * MLflow's and the gateway's prefixes are `others`. A run carrying `trackql.deleted` was deleted through the
 * gateway (MLflow's REST API cannot remove a run for good) and is missing to every read.
 */
import type { Experiment, ExperimentStatus, Other, Parameter } from '../port';
import type { MlflowExperiment, MlflowRun } from './decode';
import { GATEWAY_TAG_PREFIX, GatewayTag, SYSTEM_TAG_PREFIX, Tag } from './protocol';

export function isGone(run: MlflowRun): boolean {
  return run.tags.has(GatewayTag.deleted);
}

/** RUNNING and SCHEDULED are running; KILLED is the port's CRASHED. */
export function statusOf(run: MlflowRun): ExperimentStatus {
  switch (run.status) {
    case 'FINISHED':
      return 'FINISHED';
    case 'FAILED':
      return 'FAILED';
    case 'KILLED':
      return 'CRASHED';
    default:
      return 'RUNNING';
  }
}

/** The port's end status as MLflow's. */
export function runStatusOf(status: Exclude<ExperimentStatus, 'RUNNING'>): string {
  return status === 'CRASHED' ? 'KILLED' : status;
}

/** MLflow statuses a port status stands for (filters pushed to `runs/search`). */
export function runStatusesOf(status: ExperimentStatus): string[] {
  return status === 'RUNNING' ? ['RUNNING', 'SCHEDULED'] : status === 'CRASHED' ? ['KILLED'] : [status];
}

export function toExperiment(run: MlflowRun, experiment: MlflowExperiment, workspace: string, baseUrl: string): Experiment {
  return {
    key: run.runId,
    workspace,
    project: experiment.name,
    projectId: run.experimentId,
    name: run.runName,
    status: statusOf(run),
    startedAt: run.startTime,
    endedAt: run.endTime,
    archived: run.lifecycleStage === 'deleted',
    parentKey: run.tags.get(Tag.parentRunId) || null,
    url: `${baseUrl}/#/experiments/${run.experimentId}/runs/${run.runId}`,
  };
}

/** MLflow's own tags and the gateway's: never read as TrackQL tags or others. */
export const isReserved = (key: string): boolean => key.startsWith(SYSTEM_TAG_PREFIX) || key.startsWith(GATEWAY_TAG_PREFIX);

export function tagsOf(run: MlflowRun): string[] {
  return [...run.tags].filter(([key, value]) => value === '' && !isReserved(key)).map(([key]) => key).sort();
}

export function othersOf(run: MlflowRun): Other[] {
  return [...run.tags]
    .filter(([key, value]) => value !== '' && !isReserved(key))
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function parametersOf(run: MlflowRun): Parameter[] {
  return [...run.params].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A key TrackQL may write as a tag or other: MLflow's and the gateway's own prefixes are kept for them. */
export function isWritableKey(key: string): boolean {
  return !isReserved(key);
}
