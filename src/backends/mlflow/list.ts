/**
 * `listExperiments` on MLflow. The top-level AND's leaves that `runs/search` evaluates exactly as the port
 * does go into its filter (§4.2, AND only): tags (`= ''`), statuses, time bounds, non-numeric parameter
 * equality, ASCII name substrings; `archived` picks the view type. Everything else (OR, NOT, metric
 * aggregates, numeric parameter comparisons) is evaluated in the gateway over what that search returned,
 * with the same semantics as the other backends (comet/filter.ts), then ordered and cut into a page.
 */
import { checkPageSize, type Experiment, type ExperimentFilter, type ListExperimentsRequest, type MetricSummary, type Page } from '../port';
import { decodeKeyCursor, slicePage } from '../comet/cursor';
import { evaluate, mentionsArchived, needsOf, normalizeFilter, numericValue, type RunData } from '../comet/filter';
import { orderNeeds, sortExperiments } from '../comet/order';
import { identifier, quoteValue, type MlflowApi, type ViewType } from './api';
import type { MlflowRun } from './decode';
import { toExperiments } from './run-reads';
import { isGone, parametersOf, runStatusesOf, tagsOf } from './runs';
import { getMetricSummaries } from './summaries';

const CURSOR_KIND = 'ml';

interface Pushed {
  clauses: string[];
  residual: ExperimentFilter[];
}

/** One leaf as a `runs/search` clause, or null when MLflow would not compare it as the port does. */
function clauseOf(leaf: ExperimentFilter): string | null {
  if ('tag' in leaf) {
    const id = identifier('tags', leaf.tag);
    return id && `${id} = ''`;
  }
  if ('status' in leaf) {
    if (leaf.status.length === 0) return null;
    return `attributes.status IN (${leaf.status.flatMap(runStatusesOf).map((s) => `'${s}'`).join(', ')})`;
  }
  if ('startedAfter' in leaf || 'startedBefore' in leaf) {
    const parts: string[] = [];
    if (leaf.startedAfter != null) parts.push(`attributes.start_time > ${Math.floor(leaf.startedAfter)}`);
    if (leaf.startedBefore != null) parts.push(`attributes.start_time < ${Math.ceil(leaf.startedBefore)}`);
    // Fractional bounds would round the wrong way: leave them to the gateway.
    return parts.length > 0 && [leaf.startedAfter, leaf.startedBefore].every((b) => b == null || Number.isInteger(b)) ? parts.join(' AND ') : null;
  }
  if ('parameter' in leaf) {
    const { name, op, value } = leaf.parameter;
    // A numeric value compares numerically on the port ('1.0' = '1'); MLflow compares text.
    if ((op !== 'EQ' && op !== 'NE') || numericValue(value) !== null) return null;
    const id = identifier('params', name);
    const literal = quoteValue(value);
    return id && literal && `${id} ${op === 'EQ' ? '=' : '!='} ${literal}`;
  }
  if ('nameContains' in leaf) {
    // ILIKE folds more than ASCII, and LIKE wildcards have no escape: push only plain ASCII text.
    const text = leaf.nameContains;
    if (!/^[\x20-\x7e]*$/.test(text) || /[%_]/.test(text)) return null;
    const literal = quoteValue(`%${text}%`);
    return literal && `attributes.run_name ILIKE ${literal}`;
  }
  return null;
}

function push(filter: ExperimentFilter | null): Pushed {
  const out: Pushed = { clauses: [], residual: [] };
  if (!filter) return out;
  for (const leaf of 'and' in filter ? filter.and : [filter]) {
    if ('archived' in leaf) {
      out.residual.push(leaf); // also chooses the view type, see viewOf
      continue;
    }
    const clause = clauseOf(leaf);
    if (clause === null) out.residual.push(leaf);
    else out.clauses.push(clause);
  }
  return out;
}

function viewOf(request: ListExperimentsRequest, filter: ExperimentFilter | null): ViewType {
  if (request.includeArchived || mentionsArchived(filter)) {
    const leaves = filter && 'and' in filter ? filter.and : filter ? [filter] : [];
    const archived = leaves.find((l): l is { archived: boolean } => 'archived' in l);
    if (archived && !request.includeArchived) return archived.archived ? 'DELETED_ONLY' : 'ACTIVE_ONLY';
    return 'ALL';
  }
  return 'ACTIVE_ONLY';
}

export async function listExperiments(api: MlflowApi, request: ListExperimentsRequest, workspace: string): Promise<Page<Experiment>> {
  checkPageSize(request.page.first);
  const after = request.page.after ? decodeKeyCursor(CURSOR_KIND, request.page.after) : null;
  const filter = request.filter ? normalizeFilter(request.filter) : null;
  const empty: Page<Experiment> = { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 };
  if (request.project.workspace !== workspace || request.project.name.trim() === '') return empty;
  const project = await api.experimentByName(request.project.name);
  if (!project || project.lifecycleStage !== 'active') return empty;
  const { clauses, residual } = push(filter);
  const runs = (await api.searchRuns([project.experimentId], clauses.join(' AND '), viewOf(request, filter))).filter((run) => !isGone(run));
  const rest: ExperimentFilter | null = residual.length === 0 ? null : residual.length === 1 ? residual[0] : { and: residual };
  let items = await toExperiments(api, runs, workspace);
  const data = await runData(api, runs, rest, request);
  if (rest) items = items.filter((e) => evaluate(rest, e, data) === true);
  items = sortExperiments(items, request.orderBy, data);
  return slicePage(CURSOR_KIND, items, request.page, (e) => e.key, after);
}

/** Tags and parameters come with each run; summaries are read only when the filter or order names a metric. */
async function runData(api: MlflowApi, runs: readonly MlflowRun[], residual: ExperimentFilter | null, request: ListExperimentsRequest): Promise<RunData> {
  const byKey = new Map(runs.map((run) => [run.runId, run]));
  const keys = [...byKey.keys()];
  const summaries = (needsOf(residual).metrics || orderNeeds(request.orderBy).metrics) && keys.length > 0
    ? await getMetricSummaries(api, keys)
    : [];
  const index = new Map(keys.map((key, i) => [key, i]));
  return {
    tags: (key) => {
      const run = byKey.get(key);
      return run ? tagsOf(run) : [];
    },
    parameters: (key) => {
      const run = byKey.get(key);
      return run ? parametersOf(run) : [];
    },
    summaries: (key): MetricSummary[] => summaries[index.get(key) ?? -1] ?? [],
  };
}
