/** Metric histories: one run, paged; many runs, sampled by step (§5). */
import { Limits, Path } from './constants';
import { invalid } from './errors';
import { maxResultsOf, paginate, sortBy } from './paging';
import { json, type Route, type SimRequest } from './route';
import { sampledSteps } from './sampling';
import { compact, metricJson } from './shapes';
import type { MetricPoint } from './types';
import { decodeQuery, int64, str, strings } from './validate';

/** History order: step, then timestamp, then arrival (a sim choice, §5.1). */
const byStepThenTime = (points: readonly MetricPoint[]) =>
  sortBy(points, [{ get: (p) => p.step, ascending: true }, { get: (p) => p.timestamp, ascending: true }]);

function history(req: SimRequest) {
  const q = decodeQuery(req.query, {
    run_id: str.required,
    metric_key: str.required,
    page_token: str.optional,
    max_results: int64.optional,
  }, Path.metricHistory);
  const run = req.state.requireRun(q.run_id);
  const points = byStepThenTime(run.metrics.filter((m) => m.key === q.metric_key));
  // Unpaginated unless max_results is given (§5.1).
  const size = q.max_results === undefined && q.page_token === undefined
    ? Math.max(points.length, 1)
    : maxResultsOf(q.max_results, Limits.HISTORY_MAX_RESULTS, Limits.HISTORY_MAX_RESULTS);
  const page = paginate(points, size, q.page_token);
  return json(compact({ metrics: page.items.map(metricJson), next_page_token: page.nextPageToken }));
}

function bulkInterval(req: SimRequest) {
  const q = decodeQuery(req.query, {
    run_ids: strings.optional,
    metric_key: str.required,
    start_step: int64.optional,
    end_step: int64.optional,
    max_results: int64.optional,
  }, Path.metricBulkInterval, ['run_ids']);
  const runIds = [...new Set(q.run_ids ?? [])];
  if (runIds.length === 0) throw invalid("Missing value for required parameter 'run_ids'.");
  if (runIds.length > Limits.BULK_MAX_RUNS) {
    throw invalid(`GetMetricHistoryBulkInterval request must specify at most ${Limits.BULK_MAX_RUNS} run_ids. Received ${runIds.length} run_ids.`);
  }
  const maxResults = q.max_results ?? Limits.BULK_MAX_RESULTS;
  if (maxResults < 1 || maxResults > Limits.BULK_MAX_RESULTS) {
    throw invalid(`max_results must be between 1 and ${Limits.BULK_MAX_RESULTS}, got ${maxResults}`);
  }
  if ((q.start_step === undefined) !== (q.end_step === undefined)) {
    throw invalid('If either start step or end step are specified, both must be specified.');
  }
  if (q.start_step !== undefined && q.end_step !== undefined && q.start_step > q.end_step) {
    throw invalid(`end_step (${q.end_step}) must be greater than or equal to start_step (${q.start_step}).`);
  }
  const runs = runIds.map((id) => req.state.requireRun(id));
  const out = runs.flatMap((run) => {
    const points = run.metrics.filter(
      (m) => m.key === q.metric_key && (q.start_step === undefined || (m.step >= q.start_step && m.step <= (q.end_step as number))),
    );
    const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
    const kept = new Set(sampledSteps(steps, maxResults));
    return byStepThenTime(points.filter((p) => kept.has(p.step))).map((p) => ({ ...metricJson(p), run_id: run.runId }));
  });
  return json(compact({ metrics: out }));
}

export const metricRoutes: readonly Route[] = [
  { method: 'GET', name: Path.metricHistory, body: 'none', handle: history },
  { method: 'GET', name: Path.metricBulkInterval, body: 'none', handle: bulkInterval },
];
