/** Experiments: create, get, get-by-name, search, update, delete, restore (§3). */
import { checkComparison, matches, parseFilter, STRING_OPS, type Comparison } from './filter';
import { Limits, Path } from './constants';
import { alreadyExists, invalid, notFound } from './errors';
import { maxResultsOf, paginate, parseOrderBy, sortBy, type SortKey } from './paging';
import { empty, json, type Route, type SimRequest } from './route';
import { compact, experimentJson } from './shapes';
import { inView, tagMap, viewTypeOf } from './checks';
import type { ExperimentRecord } from './types';
import { decodeObject, decodeQuery, int64, KEY_VALUE, messages, str, strings, type Decoded } from './validate';

const ID = { experiment_id: str.required } as const;

function checkName(name: string): string {
  if (name === '') throw invalid("Missing value for required parameter 'name'.");
  if (name.length > Limits.EXPERIMENT_NAME_MAX_CHARS) {
    throw invalid(`Experiment name exceeds the maximum length of ${Limits.EXPERIMENT_NAME_MAX_CHARS} characters, got ${name.length}`);
  }
  return name;
}

/** Only active experiments hold a name: a deleted one may share it with an active one (§3). */
function checkNameFree(req: SimRequest, name: string): void {
  const holder = req.state.experimentByName(name);
  if (holder?.lifecycleStage === 'active') throw alreadyExists(`Experiment(name=${name}) already exists.`);
}

const SEARCH = {
  max_results: int64.optional,
  page_token: str.optional,
  filter: str.optional,
  order_by: strings.optional,
  view_type: str.optional,
} as const;

/** The filter may name the experiment (`name` or `attributes.name`) and its tags (§3). */
function experimentValue(c: Comparison, e: ExperimentRecord): string | undefined {
  if (c.entity === 'tags') return e.tags.get(c.key);
  return e.name;
}
function checkExperimentComparison(c: Comparison): void {
  const isName = c.key === 'name' && (c.entity === '' || c.entity === 'attributes');
  if (!isName && c.entity !== 'tags') {
    throw invalid(`Invalid attribute key '${c.entity ? `${c.entity}.` : ''}${c.key}' in an experiment filter; expected name or tags.<key>`);
  }
  checkComparison(c, STRING_OPS, 'string', c.entity === 'tags' ? `tag '${c.key}'` : 'name');
}

/** Order keys: name, experiment_id, creation_time, last_update_time (a sim choice, §3). */
function experimentSortKey(clause: string): SortKey<ExperimentRecord> {
  const o = parseOrderBy(clause);
  if (o.entity !== '' && o.entity !== 'attributes') throw invalid(`Invalid order_by clause '${clause}'`);
  const get = {
    name: (e: ExperimentRecord) => e.name,
    experiment_id: (e: ExperimentRecord) => Number(e.experimentId),
    creation_time: (e: ExperimentRecord) => e.creationTime,
    last_update_time: (e: ExperimentRecord) => e.lastUpdateTime,
  }[o.key];
  if (get === undefined) throw invalid(`Invalid order_by clause '${clause}': expected name, experiment_id, creation_time or last_update_time`);
  return { get, ascending: o.ascending };
}

function search(req: SimRequest, body: Decoded<typeof SEARCH>) {
  const view = viewTypeOf(body.view_type, 'view_type');
  const comparisons = parseFilter(body.filter);
  comparisons.forEach(checkExperimentComparison);
  const maxResults = maxResultsOf(body.max_results, Limits.EXPERIMENTS_DEFAULT_RESULTS, Limits.EXPERIMENTS_MAX_RESULTS);
  const keys = (body.order_by ?? []).map(experimentSortKey);
  const found = [...req.state.experiments.values()].filter(
    (e) => inView(e.lifecycleStage, view) && comparisons.every((c) => matches(experimentValue(c, e), c.op, c.value)),
  );
  // Default order newest first; the id breaks every tie (a sim choice, §3).
  const ordered = sortBy(found, [
    ...(keys.length > 0 ? keys : [{ get: (e: ExperimentRecord) => e.creationTime, ascending: false }]),
    { get: (e) => Number(e.experimentId), ascending: true },
  ]);
  const page = paginate(ordered, maxResults, body.page_token);
  return json(compact({ experiments: page.items.map(experimentJson), next_page_token: page.nextPageToken }));
}

export const experimentRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.experimentCreate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { name: str.required, artifact_location: str.optional, tags: messages(KEY_VALUE).optional }, Path.experimentCreate);
      const name = checkName(b.name);
      checkNameFree(req, name);
      const e = req.state.addExperiment(name, b.artifact_location || undefined, tagMap(b.tags));
      return json({ experiment_id: e.experimentId });
    },
  },
  {
    method: 'GET',
    name: Path.experimentGet,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, ID, Path.experimentGet);
      return json({ experiment: experimentJson(req.state.requireExperiment(q.experiment_id)) });
    },
  },
  {
    method: 'GET',
    name: Path.experimentGetByName,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { experiment_name: str.required }, Path.experimentGetByName);
      const e = req.state.experimentByName(q.experiment_name);
      if (e === undefined) throw notFound(`Could not find experiment with name '${q.experiment_name}'`);
      return json({ experiment: experimentJson(e) });
    },
  },
  {
    method: 'POST',
    name: Path.experimentSearch,
    body: 'json',
    handle: (req) => search(req, decodeObject(req.json, SEARCH, Path.experimentSearch)),
  },
  {
    method: 'GET',
    name: Path.experimentSearch,
    body: 'none',
    handle: (req) => search(req, decodeQuery(req.query, SEARCH, Path.experimentSearch, ['order_by'])),
  },
  {
    method: 'POST',
    name: Path.experimentUpdate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...ID, new_name: str.required }, Path.experimentUpdate);
      const e = req.state.requireExperiment(b.experiment_id);
      if (e.lifecycleStage !== 'active') throw invalid('Cannot rename a non-active experiment.');
      const name = checkName(b.new_name);
      if (name !== e.name) checkNameFree(req, name);
      e.name = name;
      e.lastUpdateTime = req.state.now();
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.experimentDelete,
    body: 'json',
    handle: (req) => {
      const e = req.state.requireExperiment(decodeObject(req.json, ID, Path.experimentDelete).experiment_id);
      if (e.lifecycleStage !== 'active') throw invalid(`Cannot delete an already deleted experiment: ${e.experimentId}`);
      e.lifecycleStage = 'deleted';
      e.lastUpdateTime = req.state.now();
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.experimentRestore,
    body: 'json',
    handle: (req) => {
      const e = req.state.requireExperiment(decodeObject(req.json, ID, Path.experimentRestore).experiment_id);
      if (e.lifecycleStage === 'active') throw invalid(`Cannot restore an active experiment: ${e.experimentId}`);
      checkNameFree(req, e.name);
      e.lifecycleStage = 'active';
      e.lastUpdateTime = req.state.now();
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.experimentSetTag,
    body: 'json',
    handle: (req) => {
      // MLflow checks the key and value as for run tags and refuses a deleted experiment (§3).
      const b = decodeObject(req.json, { ...ID, key: str.required, value: str.required }, Path.experimentSetTag);
      const e = req.state.requireExperiment(b.experiment_id);
      if (e.lifecycleStage !== 'active') throw invalid(`The experiment ${e.experimentId} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
      const [[key, value]] = tagMap([{ key: b.key, value: b.value }]);
      e.tags.set(key, value);
      return empty();
    },
  },
];
