/**
 * Tags of an MLflow experiment (a project's notes and description, `mlflow.note.content`, and its
 * `trackql.isPublic`), set one per `set-experiment-tag` call (§3), checked against MLflow's tag limits before
 * the first is sent. The memory of experiments is dropped after, whatever the outcome.
 */
import { PayloadTooLargeError } from '../../errors';
import type { KeyValue, MlflowApi } from './api';
import type { MlflowCache } from './cache';
import { Limits, SET_EXPERIMENT_TAG_ROUTE } from './protocol';

/** A value kept in an MLflow tag (a run's or an experiment's), refused past MLflow's limit. */
export function fitsTag(value: string, field: string): string {
  if (value.length > Limits.TAG_VALUE_MAX_CHARS) {
    throw new PayloadTooLargeError(`${field} is kept in an MLflow tag on this backend: at most ${Limits.TAG_VALUE_MAX_CHARS} characters, got ${value.length}`, { field, max: Limits.TAG_VALUE_MAX_CHARS });
  }
  return value;
}

export async function setExperimentTags(api: MlflowApi, cache: MlflowCache, experimentId: string, tags: readonly KeyValue[]): Promise<void> {
  try {
    for (const { key, value } of tags) {
      await api.call({ method: 'POST', route: SET_EXPERIMENT_TAG_ROUTE, idempotent: true, json: { experiment_id: experimentId, key, value } });
    }
  } finally {
    cache.forgetExperiments();
  }
}
