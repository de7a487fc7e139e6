/**
 * Logging to a run: set-tag, delete-tag, log-parameter, log-metric and log-batch (§4.3). Metrics append,
 * tags overwrite, params are write-once (the same value again is accepted, a different one refused).
 */
import { checkKey, checkParamValue, checkTagValue } from './checks';
import { Limits, Path } from './constants';
import { invalid, notFound, statusError } from './errors';
import { empty, type Route, type SimRequest } from './route';
import type { MetricPoint, RunRecord } from './types';
import { decodeObject, double, int64, KEY_VALUE, messages, str } from './validate';

const METRIC = { key: str.required, value: double.required, timestamp: int64.required, step: int64.optional } as const;
const PARAM = { key: str.required, value: str.required } as const;

function checkParamFree(run: RunRecord, key: string, value: string): void {
  const old = run.params.get(key);
  if (old !== undefined && old !== value) {
    throw invalid(
      `Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for run ID='${run.runId}'. Attempted logging new value '${value}'.`,
    );
  }
}

function metricPoint(m: { key: string; value: number; timestamp: number; step?: number }): MetricPoint {
  return { key: checkKey(m.key, 'Metric'), value: m.value, timestamp: m.timestamp, step: m.step ?? 0 };
}

function checkBatchLimits(req: SimRequest, counts: { metrics: number; params: number; tags: number }): void {
  if (req.bodyBytes > Limits.BATCH_MAX_BYTES) {
    throw invalid(`Batched logging API requests must be at most ${Limits.BATCH_MAX_BYTES} bytes, got ${req.bodyBytes}`);
  }
  const limits: [keyof typeof counts, number][] = [
    ['metrics', Limits.BATCH_MAX_METRICS], ['params', Limits.BATCH_MAX_PARAMS], ['tags', Limits.BATCH_MAX_TAGS],
  ];
  for (const [what, limit] of limits) {
    if (counts[what] > limit) throw invalid(`A batch logging request can contain at most ${limit} ${what}. Got ${counts[what]} ${what}.`);
  }
  const total = counts.metrics + counts.params + counts.tags;
  if (total > Limits.BATCH_MAX_TOTAL) {
    throw invalid(`A batch logging request can contain at most ${Limits.BATCH_MAX_TOTAL} metrics, params, and tags in total. Got ${total}.`);
  }
}

/**
 * log-batch checks everything it can before writing, so a refused batch normally writes nothing. The real
 * server may still apply part of a batch and then fail (§4.3): a partial-batch fault reproduces that by
 * applying the first N items, in the write order params → metrics → tags, and failing.
 */
function logBatch(req: SimRequest) {
  const b = decodeObject(req.json, {
    run_id: str.required,
    metrics: messages(METRIC).optional,
    params: messages(PARAM).optional,
    tags: messages(KEY_VALUE).optional,
  }, Path.runLogBatch);
  const metrics = (b.metrics ?? []).map(metricPoint);
  const params = b.params ?? [];
  const tags = b.tags ?? [];
  checkBatchLimits(req, { metrics: metrics.length, params: params.length, tags: tags.length });
  for (const p of params) checkParamValue(checkKey(p.key, 'Param'), p.value);
  for (const t of tags) checkTagValue(checkKey(t.key, 'Tag'), t.value ?? '');
  const run = req.state.requireActiveRun(b.run_id);
  const inBatch = new Map<string, string>();
  for (const p of params) {
    const earlier = inBatch.get(p.key);
    if (earlier !== undefined && earlier !== p.value) {
      throw invalid(`Duplicate parameter keys have been submitted with different values: '${p.key}'`);
    }
    inBatch.set(p.key, p.value);
    checkParamFree(run, p.key, p.value);
  }
  const writes: (() => void)[] = [
    ...params.map((p) => () => void run.params.set(p.key, p.value)),
    ...metrics.map((m) => () => void run.metrics.push(m)),
    ...tags.map((t) => () => void run.tags.set(t.key, t.value ?? '')),
  ];
  const partial = req.partialBatch;
  if (partial !== undefined) {
    writes.slice(0, partial.apply).forEach((w) => w());
    throw statusError(partial.failWith, `Simulated failure after ${Math.min(partial.apply, writes.length)} of ${writes.length} batch items were written`);
  }
  writes.forEach((w) => w());
  return empty();
}

export const loggingRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.runSetTag,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { run_id: str.required, ...KEY_VALUE }, Path.runSetTag);
      const value = checkTagValue(checkKey(b.key, 'Tag'), b.value ?? '');
      req.state.requireActiveRun(b.run_id).tags.set(b.key, value);
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.runDeleteTag,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { run_id: str.required, key: str.required }, Path.runDeleteTag);
      const run = req.state.requireActiveRun(b.run_id);
      if (!run.tags.delete(b.key)) throw notFound(`No tag with name: ${b.key} in run with id ${b.run_id}`);
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.runLogParameter,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { run_id: str.required, ...PARAM }, Path.runLogParameter);
      const value = checkParamValue(checkKey(b.key, 'Param'), b.value);
      const run = req.state.requireActiveRun(b.run_id);
      checkParamFree(run, b.key, value);
      run.params.set(b.key, value);
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.runLogMetric,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { run_id: str.required, ...METRIC }, Path.runLogMetric);
      const point = metricPoint(b);
      req.state.requireActiveRun(b.run_id).metrics.push(point);
      return empty();
    },
  },
  { method: 'POST', name: Path.runLogBatch, body: 'json', handle: logBatch },
];
