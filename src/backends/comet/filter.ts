/**
 * Experiment filters on Comet. `project/query` ANDs rules and cannot express OR or NOT (§4 "Query"), its
 * metric cells hold the value received last rather than the port's LAST/MIN/MAX, and it has no
 * case-insensitive substring match. So a filter is split: the top-level AND's tag rules, and its parameter
 * rules on numeric columns with numeric values (where Comet compares exactly as the port does), go to Comet;
 * everything else is evaluated here, after the fetch, with the SQLite backend's semantics (SQL's three-valued
 * logic included). Nothing is dropped.
 */
import { BadUserInputError } from '../../errors';
import {
  EXPERIMENT_STATUSES, type Comparison, type Experiment, type ExperimentFilter, type MetricAggregate, type MetricSummary, type Parameter,
} from '../port';
import type { Predicate } from './api';
import type { Column } from './decode';

export const MAX_FILTER_DEPTH = 32;

/** `Experiment.durationMs`: end minus start, or now minus start while running; null without a start. */
export function durationOf(e: Experiment): number | null {
  return e.startedAt === null ? null : (e.endedAt ?? Date.now()) - e.startedAt;
}

/** What the residual filter (and the order) need per candidate. */
export interface RunData {
  tags(key: string): readonly string[];
  parameters(key: string): readonly Parameter[];
  summaries(key: string): readonly MetricSummary[];
}

export interface Needs {
  tags: boolean;
  parameters: boolean;
  metrics: boolean;
}

const OPERATOR: Record<Comparison, string> = { EQ: 'equal', NE: 'not_equal', LT: 'less', LTE: 'less_or_equal', GT: 'greater', GTE: 'greater_or_equal' };
/** A finite decimal literal, as the SQLite backend reads numbers (sqlite/codec.ts `numericValue`). */
const NUMERIC_LITERAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function numericValue(value: string): number | null {
  if (!NUMERIC_LITERAL.test(value.trim())) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

const STARTED_KEYS = ['startedAfter', 'startedBefore'];
const ENDED_KEYS = ['endedAfter', 'endedBefore'];

function text(value: unknown, label: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw new BadUserInputError(`${label} must be a ${allowEmpty ? '' : 'non-empty '}string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The tree checked once, before any call, with the SQLite backend's rules (sqlite/filters.ts): members set
 * to null count as unset (GraphQL inputs carry every field), each node sets exactly one condition (the two
 * `started*` bounds count as one), depth is bounded, statuses and operators are known.
 */
export function normalizeFilter(node: unknown, depth = 0): ExperimentFilter {
  if (depth > MAX_FILTER_DEPTH) throw new BadUserInputError(`filter is nested deeper than ${MAX_FILTER_DEPTH} levels`);
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new BadUserInputError('each filter node must be an object');
  const entries = Object.entries(node).filter(([, value]) => value !== undefined && value !== null);
  const kinds = new Set(entries.map(([key]) => (STARTED_KEYS.includes(key) ? 'started' : ENDED_KEYS.includes(key) ? 'ended' : key)));
  if (kinds.size !== 1) {
    throw new BadUserInputError(`each filter node must set exactly one condition, got ${kinds.size === 0 ? 'none' : [...kinds].join(', ')}: combine conditions with and/or`);
  }
  const f = Object.fromEntries(entries) as ExperimentFilter;
  if ('and' in f || 'or' in f) {
    const list: unknown = 'and' in f ? f.and : f.or;
    if (!Array.isArray(list)) throw new BadUserInputError(`${'and' in f ? 'and' : 'or'} filter must be a list`);
    const children = list.map((child) => normalizeFilter(child, depth + 1));
    return 'and' in f ? { and: children } : { or: children };
  }
  if ('not' in f) return { not: normalizeFilter(f.not, depth + 1) };
  if ('tag' in f) return { tag: text(f.tag, 'tag filter').trim() };
  if ('status' in f) {
    const statuses: unknown = f.status;
    if (!Array.isArray(statuses)) throw new BadUserInputError('status filter must be a list');
    for (const status of statuses) {
      if (!EXPERIMENT_STATUSES.includes(status)) throw new BadUserInputError(`status filter must list ${EXPERIMENT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    }
    return { status: [...f.status] };
  }
  if ('metric' in f) {
    const { name, aggregate, op, value } = f.metric;
    if (!Object.hasOwn(OPERATOR, op)) throw new BadUserInputError(`metric filter op must be one of ${Object.keys(OPERATOR).join(', ')}, got ${JSON.stringify(op)}`);
    if (!['LAST', 'MIN', 'MAX'].includes(aggregate)) throw new BadUserInputError(`metric filter aggregate must be LAST, MIN or MAX, got ${JSON.stringify(aggregate)}`);
    if (typeof value !== 'number') throw new BadUserInputError('metric filter value must be a number');
    return { metric: { name: text(name, 'metric filter name').trim(), aggregate, op, value } };
  }
  if ('parameter' in f) {
    const { name, op, value } = f.parameter;
    if (!Object.hasOwn(OPERATOR, op)) throw new BadUserInputError(`parameter filter op must be one of ${Object.keys(OPERATOR).join(', ')}, got ${JSON.stringify(op)}`);
    return { parameter: { name: text(name, 'parameter filter name').trim(), op, value: text(value, 'parameter filter value', true) } };
  }
  if ('nameContains' in f) return { nameContains: text(f.nameContains, 'nameContains', true) };
  if ('archived' in f) {
    if (typeof f.archived !== 'boolean') throw new BadUserInputError('archived filter must be true or false');
    return { archived: f.archived };
  }
  if ('startedAfter' in f || 'startedBefore' in f) {
    for (const bound of STARTED_KEYS as ('startedAfter' | 'startedBefore')[]) {
      const v = f[bound];
      if (v !== undefined && !Number.isFinite(v)) throw new BadUserInputError(`${bound} must be Unix milliseconds, got ${v}`);
    }
    return { startedAfter: f.startedAfter, startedBefore: f.startedBefore };
  }
  if ('name' in f) return { name: text(f.name, 'name filter', true) };
  if ('durationMs' in f) {
    const { op, value } = f.durationMs;
    if (!Object.hasOwn(OPERATOR, op)) throw new BadUserInputError(`durationMs filter op must be one of ${Object.keys(OPERATOR).join(', ')}, got ${JSON.stringify(op)}`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadUserInputError('durationMs filter value must be a finite number');
    return { durationMs: { op, value } };
  }
  if ('endedAfter' in f || 'endedBefore' in f) {
    for (const bound of ENDED_KEYS as ('endedAfter' | 'endedBefore')[]) {
      const v = f[bound];
      if (v !== undefined && !Number.isFinite(v)) throw new BadUserInputError(`${bound} must be Unix milliseconds, got ${v}`);
    }
    return { endedAfter: f.endedAfter, endedBefore: f.endedBefore };
  }
  throw new BadUserInputError(`Unknown filter node with keys ${JSON.stringify(Object.keys(f))}`);
}

export function mentionsArchived(filter: ExperimentFilter | null | undefined): boolean {
  if (!filter || typeof filter !== 'object') return false;
  if ('archived' in filter) return true;
  if ('and' in filter) return filter.and.some(mentionsArchived);
  if ('or' in filter) return filter.or.some(mentionsArchived);
  if ('not' in filter) return mentionsArchived(filter.not);
  return false;
}

export interface Split {
  /** Sent to `project/query`; empty when nothing can be. */
  predicates: Predicate[];
  /** Evaluated here; null when everything went to Comet. */
  residual: ExperimentFilter | null;
  /** A pushed rule names a column the project lacks: nothing can match (the SDK reads it so too, §4). */
  impossible: boolean;
}

/** Splits the top-level AND into what Comet evaluates exactly and what is left for the gateway. */
export function splitFilter(filter: ExperimentFilter | null | undefined, columns: readonly Column[]): Split {
  if (!filter) return { predicates: [], residual: null, impossible: false };
  const leaves = 'and' in filter ? filter.and : [filter];
  const bySource = new Map<string, Predicate>();
  const residual: ExperimentFilter[] = [];
  let impossible = false;
  const push = (source: string, rule: Predicate['query']['rules'][number]): void => {
    const entry = bySource.get(source) ?? { source, query: { condition: 'AND', valid: true, rules: [] } };
    entry.query.rules.push(rule);
    bySource.set(source, entry);
  };
  for (const leaf of leaves) {
    if ('tag' in leaf) {
      const column = columns.find((c) => c.source === 'tag' && c.name === leaf.tag);
      if (!column) impossible = true;
      else push('tag', { id: leaf.tag, field: leaf.tag, type: column.type, operator: 'equal', value: leaf.tag });
      continue;
    }
    if ('parameter' in leaf) {
      const { name, op, value } = leaf.parameter;
      const column = columns.find((c) => c.source === 'params' && c.name === name);
      const number = numericValue(value);
      if (!column) {
        impossible = true; // no run has the parameter: the port's EXISTS fails for every run
        continue;
      }
      if (column.type === 'double' && number !== null) {
        push('params', { id: name, field: name, type: column.type, operator: OPERATOR[op], value: number });
        continue;
      }
    }
    if ('name' in leaf) {
      // An exact string match is exact on Comet too.
      const column = columns.find((c) => c.source === 'metadata' && c.name === 'name' && c.type === 'string');
      if (column) {
        push('metadata', { id: 'name', field: 'name', type: 'string', operator: 'equal', value: leaf.name });
        continue;
      }
    }
    if ('endedAfter' in leaf || 'endedBefore' in leaf) {
      // Comet compares datetimes to the second (§4): the bounds go there widened to whole seconds, which
      // narrows the candidates without losing any, and the exact bounds are applied here as well.
      const column = columns.find((c) => c.source === 'metadata' && c.name === 'end_server_timestamp' && c.type === 'datetime');
      if (column) {
        if (leaf.endedAfter != null) push('metadata', { id: column.name, field: column.name, type: 'datetime', operator: 'greater_or_equal', value: cometDatetime(Math.floor(leaf.endedAfter / 1000) * 1000) });
        if (leaf.endedBefore != null) push('metadata', { id: column.name, field: column.name, type: 'datetime', operator: 'less_or_equal', value: cometDatetime(Math.ceil(leaf.endedBefore / 1000) * 1000) });
      }
    }
    // durationMs stays here: Comet measures a running run to its last message, the port to now.
    residual.push(leaf);
  }
  return {
    predicates: [...bySource.values()],
    residual: residual.length === 0 ? null : residual.length === 1 ? residual[0] : { and: residual },
    impossible,
  };
}

/** Comet's datetime rule value: ISO with a space, to the second (§4 "Operators"). */
function cometDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function needsOf(filter: ExperimentFilter | null): Needs {
  const needs: Needs = { tags: false, parameters: false, metrics: false };
  const visit = (f: ExperimentFilter): void => {
    if ('and' in f) f.and.forEach(visit);
    else if ('or' in f) f.or.forEach(visit);
    else if ('not' in f) visit(f.not);
    else if ('tag' in f) needs.tags = true;
    else if ('parameter' in f) needs.parameters = true;
    else if ('metric' in f) needs.metrics = true;
  };
  if (filter) visit(filter);
  return needs;
}

type Truth = boolean | null;

function compare(a: number | string, b: number | string, op: Comparison): boolean {
  switch (op) {
    case 'EQ': return a === b;
    case 'NE': return a !== b;
    case 'LT': return a < b;
    case 'LTE': return a <= b;
    case 'GT': return a > b;
    case 'GTE': return a >= b;
  }
}

function aggregateOf(s: MetricSummary, aggregate: MetricAggregate): number {
  return aggregate === 'LAST' ? s.last : aggregate === 'MIN' ? s.min : s.max;
}

/** SQL truth of `filter` for one experiment (null: unknown, as SQL's NULL; only `true` selects). */
export function evaluate(filter: ExperimentFilter, e: Experiment, data: RunData): Truth {
  if ('and' in filter) {
    const values = filter.and.map((f) => evaluate(f, e, data));
    return values.includes(false) ? false : values.includes(null) ? null : true;
  }
  if ('or' in filter) {
    const values = filter.or.map((f) => evaluate(f, e, data));
    return values.includes(true) ? true : values.includes(null) ? null : false;
  }
  if ('not' in filter) {
    const value = evaluate(filter.not, e, data);
    return value === null ? null : !value;
  }
  if ('tag' in filter) return data.tags(e.key).includes(filter.tag.trim());
  if ('parameter' in filter) {
    const { name, op, value } = filter.parameter;
    const number = numericValue(value);
    return data.parameters(e.key).some((p) => {
      if (p.name !== name.trim()) return false;
      const stored = numericValue(p.value);
      return number !== null && stored !== null ? compare(stored, number, op) : compare(p.value, value, op);
    });
  }
  if ('metric' in filter) {
    const { name, aggregate, op, value } = filter.metric;
    if (Number.isNaN(value)) return false;
    return data.summaries(e.key).some((s) => {
      const v = aggregateOf(s, aggregate);
      return s.name === name.trim() && !Number.isNaN(v) && compare(v, value, op);
    });
  }
  if ('status' in filter) return filter.status.includes(e.status);
  if ('nameContains' in filter) {
    if (e.name === null) return null;
    // SQLite's LIKE folds ASCII letters only; so does this.
    const fold = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
    return fold(e.name).includes(fold(filter.nameContains));
  }
  if ('archived' in filter) return e.archived === filter.archived;
  if ('startedAfter' in filter || 'startedBefore' in filter) {
    const { startedAfter, startedBefore } = filter;
    if ((startedAfter === undefined || startedAfter === null) && (startedBefore === undefined || startedBefore === null)) return true;
    if (e.startedAt === null) return null;
    return (startedAfter == null || e.startedAt > startedAfter) && (startedBefore == null || e.startedAt < startedBefore);
  }
  if ('name' in filter) return e.name === null ? null : e.name === filter.name;
  if ('durationMs' in filter) {
    const duration = durationOf(e);
    return duration === null ? null : compare(duration, filter.durationMs.value, filter.durationMs.op);
  }
  if ('endedAfter' in filter || 'endedBefore' in filter) {
    const { endedAfter, endedBefore } = filter;
    if (endedAfter == null && endedBefore == null) return true;
    if (e.endedAt === null) return null;
    return (endedAfter == null || e.endedAt > endedAfter) && (endedBefore == null || e.endedAt < endedBefore);
  }
  throw new BadUserInputError(`Unknown filter node with keys ${JSON.stringify(Object.keys(filter))}`);
}
