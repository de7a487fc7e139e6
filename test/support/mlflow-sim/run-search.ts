/**
 * What a run search may name (§4.2): `metrics.` (latest values, numeric operators), `params.` and `tags.`
 * (string operators), `attributes.` (string or numeric by attribute) and `datasets.` (no run has datasets
 * here, so such a comparison matches nothing). Bare identifiers are refused: the prefix is required.
 */
import {
  checkComparison, matches, NUMERIC_OPS, STRING_ATTRIBUTE_OPS, STRING_OPS, type Comparison,
} from './filter';
import { invalid } from './errors';
import { parseOrderBy, type SortKey } from './paging';
import { latestMetrics } from './shapes';
import type { RunRecord } from './types';

const STRING_ATTRIBUTES: Record<string, (r: RunRecord) => string> = {
  run_id: (r) => r.runId,
  run_name: (r) => r.runName,
  status: (r) => r.status,
  user_id: (r) => r.userId,
  artifact_uri: (r) => r.artifactUri,
  lifecycle_stage: (r) => r.lifecycleStage,
};
const NUMERIC_ATTRIBUTES: Record<string, (r: RunRecord) => number | undefined> = {
  start_time: (r) => r.startTime,
  end_time: (r) => r.endTime ?? undefined,
};
const DATASET_FIELDS = ['name', 'digest', 'context'];

const latestValue = (r: RunRecord, key: string): number | undefined => latestMetrics(r.metrics).find((m) => m.key === key)?.value;

/** The run's value a comparison or order clause names; throws for names outside the grammar. */
function accessor(entity: string, key: string, what: string): { get: (r: RunRecord) => string | number | undefined; numeric: boolean } {
  switch (entity) {
    case 'metrics':
      return { get: (r) => latestValue(r, key), numeric: true };
    case 'params':
      return { get: (r) => r.params.get(key), numeric: false };
    case 'tags':
      return { get: (r) => r.tags.get(key), numeric: false };
    case 'attributes':
      if (key in STRING_ATTRIBUTES) return { get: STRING_ATTRIBUTES[key], numeric: false };
      if (key in NUMERIC_ATTRIBUTES) return { get: NUMERIC_ATTRIBUTES[key], numeric: true };
      throw invalid(`Invalid attribute key '${key}' in ${what}; expected one of ${[...Object.keys(STRING_ATTRIBUTES), ...Object.keys(NUMERIC_ATTRIBUTES)].join(', ')}`);
    default:
      throw invalid(`Invalid entity type '${entity}' in ${what}; expected metrics., params., tags., attributes. or datasets.`);
  }
}

export type RunPredicate = (r: RunRecord) => boolean;

export function runPredicate(c: Comparison): RunPredicate {
  if (c.entity === 'datasets') {
    if (!DATASET_FIELDS.includes(c.key)) throw invalid(`Invalid dataset key '${c.key}'; expected name, digest or context`);
    checkComparison(c, STRING_ATTRIBUTE_OPS, 'string', `datasets.${c.key}`);
    return () => false;
  }
  if (c.entity === '') throw invalid(`Invalid identifier '${c.key}': prefix it with metrics., params., tags., attributes. or datasets.`);
  const { get, numeric } = accessor(c.entity, c.key, 'the filter');
  const ops = numeric ? NUMERIC_OPS : c.entity === 'attributes' ? STRING_ATTRIBUTE_OPS : STRING_OPS;
  checkComparison(c, ops, numeric ? 'number' : 'string', `${c.entity}.${c.key}`);
  return (r) => matches(get(r), c.op, c.value);
}

export function runSortKey(clause: string): SortKey<RunRecord> {
  const o = parseOrderBy(clause);
  if (o.entity === '' || o.entity === 'datasets') throw invalid(`Invalid order_by clause '${clause}': prefix it with metrics., params., tags. or attributes.`);
  return { get: accessor(o.entity, o.key, `order_by '${clause}'`).get, ascending: o.ascending };
}

/** Appended to every run ordering (§4.2). */
export const RUN_TIEBREAK: readonly SortKey<RunRecord>[] = [
  { get: (r) => r.startTime, ascending: false },
  { get: (r) => r.runId, ascending: true },
];
