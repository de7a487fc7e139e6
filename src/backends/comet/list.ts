/**
 * `listExperiments` over Comet: the project's listing (one `experiments` call per archived state, cached and
 * priming each run's metadata), the pushable part of the filter as one `project/query`, the rest of the
 * filter and the order in the gateway (loading tags, parameters or summaries of the candidates only when
 * the filter or order names them, with the batch plans of attributes.ts and metrics.ts), then a page cut
 * with a cursor that survives runs being added or removed before it.
 */
import { checkPageSize, type Experiment, type ListExperimentsRequest, type MetricSummary, type Page, type Parameter } from '../port';
import type { CometApi } from './api';
import { decodeKeyCursor, slicePage } from './cursor';
import { getParameters, getTags } from './attribute-reads';
import type { ExperimentMeta } from './decode';
import { toExperiments } from './experiment-reads';
import { evaluate, normalizeFilter, mentionsArchived, needsOf, splitFilter, type RunData } from './filter';
import { getMetricSummaries } from './summaries';
import { orderNeeds, sortExperiments } from './order';
import { checkSummaryCalls, mayNarrow, type QueryCostLimit } from './query-cost';

const CURSOR_KIND = 'cl';

export async function listExperiments(api: CometApi, request: ListExperimentsRequest, cost: QueryCostLimit): Promise<Page<Experiment>> {
  const { first } = request.page;
  checkPageSize(first);
  // Checked before any upstream call: a bad cursor costs nothing.
  const after = request.page.after ? decodeKeyCursor(CURSOR_KIND, request.page.after) : null;
  const filter = request.filter ? normalizeFilter(request.filter) : null;
  const { workspace, name } = request.project;
  const states = request.includeArchived || mentionsArchived(filter) ? [false, true] : [false];
  const why = orderNeeds(request.orderBy).metrics ? 'Sorting by a metric' : 'Filtering by a metric';
  const needsSummaries = (residual: typeof filter): boolean => orderNeeds(request.orderBy).metrics || needsOf(residual).metrics;
  // Before any call: with the run list cached and nothing Comet could narrow it by, its length is the cost.
  if (needsSummaries(filter) && !mayNarrow(filter)) {
    const cached = await Promise.all(states.map((archived) => api.cachedExperimentList(workspace, name, archived)));
    if (cached.every((list) => list !== undefined)) checkSummaryCalls(cached.reduce((n, list) => n + (list?.length ?? 0), 0), cost, why);
  }

  const candidates: ExperimentMeta[] = [];
  const residuals = new Set<string>();
  let residual = filter;
  // The listing and the column names are independent: ask for both (and both archived states) at once, so
  // the nested reads that need the columns (tags, parameters) start one round trip earlier.
  const fetched = await Promise.all(states.map((archived) => Promise.all([
    api.experimentList(workspace, name, archived), api.columns(workspace, name, archived),
  ] as const)));
  for (const [i, archived] of states.entries()) {
    const [metas, columns] = fetched[i];
    if (metas === null || metas.length === 0) continue;
    const split = splitFilter(filter, columns);
    residual = split.residual;
    residuals.add(JSON.stringify(split.residual));
    if (split.impossible) continue;
    if (split.predicates.length === 0) {
      candidates.push(...metas);
      continue;
    }
    const matching = new Set(await api.query(workspace, name, archived, split.predicates));
    candidates.push(...metas.filter((m) => matching.has(m.key)));
  }

  // Archived and live runs may split differently (their columns differ): then the whole filter is re-checked.
  if (residuals.size > 1) residual = filter;
  // Before any summary is read: one call per candidate (cold, this is the first point the count is known).
  if (needsSummaries(residual)) checkSummaryCalls(candidates.length, cost, why);
  let items = await toExperiments(api, candidates);
  const data = await loadRunData(api, items.map((e) => e.key), residual, request);
  if (residual) {
    const rest = residual;
    items = items.filter((e) => evaluate(rest, e, data) === true);
  }
  items = sortExperiments(items, request.orderBy, data);
  return slicePage(CURSOR_KIND, items, request.page, (e) => e.key, after);
}

/** Tags, parameters and summaries of the candidates: only the kinds the filter or order use. */
async function loadRunData(api: CometApi, keys: string[], residual: ListExperimentsRequest['filter'], request: ListExperimentsRequest): Promise<RunData> {
  const filterNeeds = needsOf(residual ?? null);
  const sortNeeds = orderNeeds(request.orderBy);
  const [tags, parameters, summaries] = await Promise.all([
    filterNeeds.tags && keys.length > 0 ? getTags(api, keys) : Promise.resolve<string[][]>([]),
    (filterNeeds.parameters || sortNeeds.parameters) && keys.length > 0 ? getParameters(api, keys) : Promise.resolve<Parameter[][]>([]),
    (filterNeeds.metrics || sortNeeds.metrics) && keys.length > 0 ? getMetricSummaries(api, keys) : Promise.resolve<MetricSummary[][]>([]),
  ]);
  const index = new Map(keys.map((key, i) => [key, i]));
  const at = <T>(list: T[][], key: string): T[] => list[index.get(key) ?? -1] ?? [];
  return {
    tags: (key) => at(tags, key),
    parameters: (key) => at(parameters, key),
    summaries: (key) => at(summaries, key),
  };
}
