/**
 * Logged values on the wire, for the write pipeline shared with Comet (comet/writer.ts): metrics, params
 * and others each go as log-batch requests within MLflow's limits, and an ambiguously failed metric request
 * is reconciled against the run's history before it is sent again (batch.ts). Params and tags are safe to
 * resend as they are (write-once params accept the same value; tags overwrite).
 */
import type { WriteKind } from '../comet/outbox';
import type { Reconciler, Sender } from '../comet/writer';
import { MlflowApi, type KeyValue, type WireMetric } from './api';
import { chunkMetrics, chunked, missingPoints } from './batch';
import type { MlflowCache } from './cache';
import type { Credentials } from './credentials';
import type { MlflowHttp } from './http';
import { Limits } from './protocol';

/** Requests of one kind's values. */
export function chunkValues(kind: WriteKind, values: readonly unknown[]): unknown[][] {
  if (kind === 'metric') return chunkMetrics(values as WireMetric[]);
  return chunked(values, kind === 'parameter' ? Limits.BATCH_MAX_PARAMS : Limits.BATCH_MAX_TAGS);
}

export function createSender(http: MlflowHttp, cache: MlflowCache): Sender<Credentials> {
  return async (credentials, runId, kind, values) => {
    const api = new MlflowApi(http, credentials, cache);
    if (kind === 'metric') await api.logBatch(runId, { metrics: values as WireMetric[] });
    else if (kind === 'parameter') await api.logBatch(runId, { params: values as KeyValue[] });
    else await api.logBatch(runId, { tags: values as KeyValue[] });
  };
}

export function createReconciler(http: MlflowHttp, cache: MlflowCache): Reconciler<Credentials> {
  return async (credentials, runId, kind, values) => {
    if (kind !== 'metric') return [...values];
    return missingPoints(new MlflowApi(http, credentials, cache, true), runId, values as WireMetric[]);
  };
}
