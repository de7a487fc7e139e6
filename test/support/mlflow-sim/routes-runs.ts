/** Runs: create, get, update, delete, restore, search (§4, §4.2). */
import { inView, tagMap, viewTypeOf } from './checks';
import { Limits, Path, RUN_STATUSES, type RunStatus } from './constants';
import { invalid } from './errors';
import { parseFilter } from './filter';
import { maxResultsOf, paginate, sortBy } from './paging';
import { empty, json, type Route } from './route';
import { RUN_TIEBREAK, runPredicate, runSortKey } from './run-search';
import { compact, runInfoJson, runJson } from './shapes';
import { newRunId } from './state';
import type { RunRecord } from './types';
import { decodeObject, decodeQuery, int64, KEY_VALUE, messages, str, strings } from './validate';

const RUN_ID = { run_id: str.required } as const;

function statusOf(raw: string): RunStatus {
  const s = RUN_STATUSES.find((x) => x === raw);
  if (s === undefined) throw invalid(`Invalid value '${raw}' for parameter 'status': expected one of ${RUN_STATUSES.join(', ')}`);
  return s;
}

export const runRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.runCreate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experiment_id: str.required,
        run_name: str.optional,
        start_time: int64.optional,
        tags: messages(KEY_VALUE).optional,
        user_id: str.optional, // deprecated in MLflow, still accepted (§4)
      }, Path.runCreate);
      const e = req.state.requireExperiment(b.experiment_id);
      if (e.lifecycleStage !== 'active') {
        throw invalid(`The experiment ${e.experimentId} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
      }
      const runId = newRunId();
      const run: RunRecord = {
        runId,
        experimentId: e.experimentId,
        // Without a name the server makes one up (§4; this spelling is a sim choice).
        runName: b.run_name || `run-${runId.slice(0, 8)}`,
        userId: b.user_id ?? '',
        status: 'RUNNING',
        startTime: b.start_time ?? req.state.now(),
        endTime: null,
        artifactUri: `${e.artifactLocation}/${runId}/artifacts`,
        lifecycleStage: 'active',
        metrics: [],
        params: new Map(),
        tags: tagMap(b.tags),
      };
      req.state.runs.set(runId, run);
      return json({ run: runJson(run) });
    },
  },
  {
    method: 'GET',
    name: Path.runGet,
    body: 'none',
    handle: (req) => json({ run: runJson(req.state.requireRun(decodeQuery(req.query, RUN_ID, Path.runGet).run_id)) }),
  },
  {
    method: 'POST',
    name: Path.runUpdate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...RUN_ID, status: str.optional, end_time: int64.optional, run_name: str.optional }, Path.runUpdate);
      const run = req.state.requireActiveRun(b.run_id);
      if (b.status !== undefined) run.status = statusOf(b.status);
      if (b.end_time !== undefined) run.endTime = b.end_time;
      if (b.run_name) run.runName = b.run_name;
      return json({ run_info: runInfoJson(run) });
    },
  },
  {
    method: 'POST',
    name: Path.runDelete,
    body: 'json',
    handle: (req) => {
      // Deleting a deleted run (or restoring an active one) changes nothing and succeeds (a sim choice, §4).
      req.state.requireRun(decodeObject(req.json, RUN_ID, Path.runDelete).run_id).lifecycleStage = 'deleted';
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.runRestore,
    body: 'json',
    handle: (req) => {
      req.state.requireRun(decodeObject(req.json, RUN_ID, Path.runRestore).run_id).lifecycleStage = 'active';
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.runSearch,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experiment_ids: strings.optional,
        filter: str.optional,
        run_view_type: str.optional,
        max_results: int64.optional,
        order_by: strings.optional,
        page_token: str.optional,
      }, Path.runSearch);
      const ids = b.experiment_ids ?? [];
      if (ids.length === 0) throw invalid("Missing value for required parameter 'experiment_ids'.");
      const view = viewTypeOf(b.run_view_type, 'run_view_type');
      const predicates = parseFilter(b.filter).map(runPredicate);
      const order = (b.order_by ?? []).map(runSortKey);
      const maxResults = maxResultsOf(b.max_results, Limits.RUNS_DEFAULT_RESULTS, Limits.RUNS_MAX_RESULTS);
      // Ids of missing experiments contribute no runs (a sim choice, §4.2).
      const found = [...req.state.runs.values()].filter(
        (r) => ids.includes(r.experimentId) && inView(r.lifecycleStage, view) && predicates.every((p) => p(r)),
      );
      const page = paginate(sortBy(found, [...order, ...RUN_TIEBREAK]), maxResults, b.page_token);
      return json(compact({ runs: page.items.map(runJson), next_page_token: page.nextPageToken }));
    },
  },
];
