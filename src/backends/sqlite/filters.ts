/**
 * Experiment filter trees and sort orders compiled to parameterised SQL over `experiments e`.
 *
 * Every user value goes into `params` and reaches SQLite as a bound parameter; the only text spliced into
 * the SQL comes from the closed tables below (operators, columns, directions), looked up after validation.
 */
import { BadUserInputError, UnreachableCaseError } from '../../errors';
import {
  EXPERIMENT_STATUSES,
  type Comparison,
  type ExperimentFilter,
  type ExperimentOrder,
  type MetricAggregate,
  type SortDirection,
} from '../port';
import { numericValue } from './codec';

/**
 * The series a metric name means in a filter or an ordering, as Experiment.metric(name) does: the default
 * context ('' sorts first), or the run's first context by name when it logged the metric only in contexts.
 */
const MEANT_SERIES = `m.context = (SELECT min(x.context) FROM metrics x WHERE x.experiment_key = m.experiment_key AND x.name = m.name)`;

export type SqlParam = string | number | null;

/** Deepest filter tree accepted (a guard against stack exhaustion from a hostile request). */
export const MAX_FILTER_DEPTH = 32;

const COMPARISON_SQL: Record<Comparison, string> = { EQ: '=', NE: '<>', LT: '<', LTE: '<=', GT: '>', GTE: '>=' };
const AGGREGATE_COLUMN: Record<MetricAggregate, string> = { LAST: 'last_value', MIN: 'min_value', MAX: 'max_value' };
const DIRECTION_SQL: Record<SortDirection, string> = { ASC: 'ASC', DESC: 'DESC' };

function lookup<K extends string>(table: Record<K, string>, value: unknown, label: string): string {
  if (typeof value !== 'string' || !Object.hasOwn(table, value)) {
    throw new BadUserInputError(`${label} must be one of ${Object.keys(table).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return table[value as K];
}

/** LIKE pattern matching `text` anywhere, with LIKE's own wildcards escaped (ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

const STARTED_KEYS = ['startedAfter', 'startedBefore'];
const ENDED_KEYS = ['endedAfter', 'endedBefore'];

/** `Experiment.durationMs` in SQL: end minus start, or now minus start while running; NULL without a start. */
const DURATION_SQL = "(coalesce(e.ended_at, CAST(unixepoch('subsec') * 1000 AS INTEGER)) - e.started_at)";

/**
 * The node without members that are unset (undefined or null), checked to set exactly one member (the two
 * `started*` bounds count as one). Input objects built from GraphQL often carry every field, unset ones null.
 */
function setMembers(filter: unknown): ExperimentFilter {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    throw new BadUserInputError('each filter node must be an object');
  }
  const entries = Object.entries(filter).filter(([, value]) => value !== undefined && value !== null);
  const kinds = new Set(entries.map(([key]) => (STARTED_KEYS.includes(key) ? 'started' : ENDED_KEYS.includes(key) ? 'ended' : key)));
  if (kinds.size !== 1) {
    throw new BadUserInputError(
      `each filter node must set exactly one condition, got ${kinds.size === 0 ? 'none' : [...kinds].join(', ')}: ` +
        'combine conditions with and/or',
    );
  }
  return Object.fromEntries(entries) as ExperimentFilter;
}

/** Compiles a filter tree to a boolean SQL expression, pushing its values onto `params`. */
export function compileFilter(node: ExperimentFilter, params: SqlParam[], depth = 0): string {
  if (depth > MAX_FILTER_DEPTH) throw new BadUserInputError(`filter is nested deeper than ${MAX_FILTER_DEPTH} levels`);
  const filter = setMembers(node);
  if ('and' in filter) return combine(filter.and, 'AND', params, depth);
  if ('or' in filter) return combine(filter.or, 'OR', params, depth);
  if ('not' in filter) return `NOT (${compileFilter(filter.not, params, depth + 1)})`;
  if ('tag' in filter) {
    params.push(requireText(filter.tag, 'tag filter'));
    return 'EXISTS (SELECT 1 FROM tags t WHERE t.experiment_key = e.key AND t.tag = ?)';
  }
  if ('parameter' in filter) return compileParameter(filter.parameter, params);
  if ('metric' in filter) return compileMetric(filter.metric, params);
  if ('status' in filter) {
    const statuses = Array.isArray(filter.status) ? filter.status : [];
    for (const status of statuses) {
      if (!EXPERIMENT_STATUSES.includes(status)) {
        throw new BadUserInputError(`status filter must list ${EXPERIMENT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
      }
    }
    params.push(JSON.stringify(statuses));
    return 'e.status IN (SELECT value FROM json_each(?))';
  }
  if ('nameContains' in filter) {
    params.push(containsPattern(requireText(filter.nameContains, 'nameContains', true)));
    // LIKE folds ASCII case only; that is SQLite's LIKE without ICU.
    return "e.name LIKE ? ESCAPE '\\'";
  }
  if ('archived' in filter) {
    if (typeof filter.archived !== 'boolean') throw new BadUserInputError('archived filter must be true or false');
    params.push(filter.archived ? 1 : 0);
    return 'e.archived = ?';
  }
  if ('startedAfter' in filter || 'startedBefore' in filter) return compileStarted(filter, params);
  if ('name' in filter) {
    params.push(requireText(filter.name, 'name filter', true));
    return 'e.name = ?';
  }
  if ('durationMs' in filter) {
    const op = lookup(COMPARISON_SQL, filter.durationMs?.op, 'durationMs filter op');
    const value = filter.durationMs?.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadUserInputError('durationMs filter value must be a finite number');
    params.push(value);
    return `${DURATION_SQL} ${op} ?`;
  }
  if ('endedAfter' in filter || 'endedBefore' in filter) return compileEnded(filter, params);
  throw new BadUserInputError(`Unknown filter node with keys ${JSON.stringify(Object.keys(filter))}`);
}

function combine(children: ExperimentFilter[], operator: 'AND' | 'OR', params: SqlParam[], depth: number): string {
  if (!Array.isArray(children)) throw new BadUserInputError(`${operator.toLowerCase()} filter must be a list`);
  // Empty AND is true and empty OR is false, as in logic (and as `every`/`some` on an empty list).
  if (children.length === 0) return operator === 'AND' ? '1' : '0';
  return children.map((child) => `(${compileFilter(child, params, depth + 1)})`).join(` ${operator} `);
}

/**
 * Numeric comparison when both the filter value and the stored value are numbers ('10' > '9'), string
 * comparison otherwise. Only experiments that have the parameter match, NE included: wrap in `not` to
 * also get those without it.
 */
function compileParameter(filter: { name: string; op: Comparison; value: string }, params: SqlParam[]): string {
  const op = lookup(COMPARISON_SQL, filter.op, 'parameter filter op');
  const name = requireText(filter.name, 'parameter filter name');
  const value = requireText(filter.value, 'parameter filter value', true);
  const number = numericValue(value);
  const head = 'EXISTS (SELECT 1 FROM parameters pa WHERE pa.experiment_key = e.key AND pa.name = ?';
  if (number === null) {
    params.push(name, value);
    return `${head} AND pa.value ${op} ?)`;
  }
  params.push(name, number, value);
  return `${head} AND CASE WHEN pa.value_num IS NOT NULL THEN pa.value_num ${op} ? ELSE pa.value ${op} ? END)`;
}

/** NaN (stored as NULL) never matches a comparison, like SQL NULL. */
function compileMetric(
  filter: { name: string; aggregate: MetricAggregate; op: Comparison; value: number },
  params: SqlParam[],
): string {
  const op = lookup(COMPARISON_SQL, filter.op, 'metric filter op');
  const column = lookup(AGGREGATE_COLUMN, filter.aggregate, 'metric filter aggregate');
  if (typeof filter.value !== 'number') throw new BadUserInputError('metric filter value must be a number');
  params.push(requireText(filter.name, 'metric filter name'), Number.isNaN(filter.value) ? null : filter.value);
  return `EXISTS (SELECT 1 FROM metrics m WHERE m.experiment_key = e.key AND m.name = ? AND ${MEANT_SERIES} AND m.${column} ${op} ?)`;
}

/** Both bounds exclusive, like the step range of a metric history. */
function compileStarted(filter: { startedAfter?: number; startedBefore?: number }, params: SqlParam[]): string {
  const clauses: string[] = [];
  for (const [bound, op] of [['startedAfter', '>'], ['startedBefore', '<']] as const) {
    const value = filter[bound];
    if (value === undefined || value === null) continue;
    if (!Number.isFinite(value)) throw new BadUserInputError(`${bound} must be Unix milliseconds, got ${value}`);
    params.push(value);
    clauses.push(`e.started_at ${op} ?`);
  }
  return clauses.length === 0 ? '1' : clauses.join(' AND ');
}

/** Both bounds exclusive; a run without an end has NULL there and matches neither. */
function compileEnded(filter: { endedAfter?: number; endedBefore?: number }, params: SqlParam[]): string {
  const clauses: string[] = [];
  for (const [bound, op] of [['endedAfter', '>'], ['endedBefore', '<']] as const) {
    const value = filter[bound];
    if (value === undefined || value === null) continue;
    if (!Number.isFinite(value)) throw new BadUserInputError(`${bound} must be Unix milliseconds, got ${value}`);
    params.push(value);
    clauses.push(`e.ended_at ${op} ?`);
  }
  return clauses.length === 0 ? '1' : clauses.join(' AND ');
}

function requireText(value: unknown, label: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw new BadUserInputError(`${label} must be a ${allowEmpty ? '' : 'non-empty '}string, got ${JSON.stringify(value)}`);
  }
  return allowEmpty ? value : value.trim();
}

/** Whether the filter says anything about `archived` (then archived experiments are not hidden by default). */
export function mentionsArchived(node: ExperimentFilter | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  const filter = setMembers(node);
  if ('archived' in filter) return true;
  if ('and' in filter) return Array.isArray(filter.and) && filter.and.some(mentionsArchived);
  if ('or' in filter) return Array.isArray(filter.or) && filter.or.some(mentionsArchived);
  if ('not' in filter) return mentionsArchived(filter.not);
  return false;
}

/**
 * ORDER BY terms for the requested keys, nulls last in either direction, then the experiment key as the
 * final tie-breaker so pages are stable. A parameter sorts numerically among numeric values, which come
 * before non-numeric values (sorted as strings); experiments without it come last. A NaN metric value
 * sorts with the nulls.
 */
export function compileOrder(order: readonly ExperimentOrder[] | undefined, params: SqlParam[]): string {
  const terms: string[] = [];
  for (const key of order ?? []) {
    const dir = lookup(DIRECTION_SQL, key.direction, 'orderBy direction');
    switch (key.field) {
      case 'NAME':
        terms.push(`e.name COLLATE NOCASE ${dir} NULLS LAST`, `e.name ${dir} NULLS LAST`);
        break;
      case 'STARTED_AT':
        terms.push(`e.started_at ${dir} NULLS LAST`);
        break;
      case 'ENDED_AT':
        terms.push(`e.ended_at ${dir} NULLS LAST`);
        break;
      case 'KEY':
        terms.push(`e.key ${dir}`);
        break;
      case 'DURATION':
        terms.push(`${DURATION_SQL} ${dir} NULLS LAST`);
        break;
      case 'METRIC': {
        const column = lookup(AGGREGATE_COLUMN, key.aggregate, 'orderBy metric aggregate');
        params.push(requireText(key.name, 'orderBy metric name'));
        terms.push(`(SELECT m.${column} FROM metrics m WHERE m.experiment_key = e.key AND m.name = ? AND ${MEANT_SERIES}) ${dir} NULLS LAST`);
        break;
      }
      case 'PARAMETER': {
        const name = requireText(key.name, 'orderBy parameter name');
        params.push(name, name);
        const value = (column: string): string =>
          `(SELECT pa.${column} FROM parameters pa WHERE pa.experiment_key = e.key AND pa.name = ?) ${dir} NULLS LAST`;
        terms.push(value('value_num'), value('value'));
        break;
      }
      default:
        throw new UnreachableCaseError(key);
    }
  }
  terms.push('e.key ASC');
  return terms.join(', ');
}
