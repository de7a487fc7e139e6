/**
 * `project/column-names` and `project/query` (§4). Predicates are checked the way the classic SDK builds
 * them: one entry per source, `condition: "AND"` only (the classic API has no OR), each rule's `type` equal
 * to the column's type, operators and values per the reference's table. A rule on a column the project
 * does not have matches nothing (the SDK treats an unknown column as "no matches").
 */
import { requireProject } from './access';
import { Path } from './constants';
import { badRequest } from './errors';
import { json, type Route } from './route';
import { COLUMN_SOURCES, COLUMN_TYPES, cellValue, projectColumns, type CellValue, type Column, type ColumnSource, type ColumnType } from './columns';
import type { ExperimentRecord } from './types';
import { decodeObject, decodeQuery, isObject, optional, qOptional, required } from './validate';

const COMPARISON = ['equal', 'not_equal', 'less', 'less_or_equal', 'greater', 'greater_or_equal'] as const;
const RANGE = ['between', 'not_between'] as const;
const TEXT = ['contains', 'not_contains', 'begins_with', 'not_begins_with', 'ends_with', 'not_ends_with'] as const;
const NULLARY = ['is_null', 'is_not_null', 'is_empty', 'is_not_empty'] as const;
type Operator = (typeof COMPARISON)[number] | (typeof RANGE)[number] | (typeof TEXT)[number] | (typeof NULLARY)[number];
const OPERATORS: readonly string[] = [...COMPARISON, ...RANGE, ...TEXT, ...NULLARY];
const NUMERIC_TYPES: readonly ColumnType[] = ['double', 'timenumber', 'datetime'];
/** "Datetimes are ISO with a space" (§4). */
const DATETIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

type Operand = string | number | [number, number] | null;
interface Rule {
  field: string;
  type: ColumnType;
  operator: Operator;
  operand: Operand;
}
interface Predicate {
  source: ColumnSource;
  rules: Rule[];
}

const includes = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);

function bad(where: string, msg: string) {
  return badRequest(`${Path.projectQuery}: ${where}: ${msg}`);
}

function numberOf(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw bad(where, `expected a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Decodes a rule's value for its type and operator into a comparable operand. */
function operandOf(type: ColumnType, operator: Operator, value: unknown, where: string): Operand {
  if (includes(NULLARY, operator)) {
    if (value !== null && value !== undefined) throw bad(where, `operator ${operator} takes value null`);
    return null;
  }
  if (includes(RANGE, operator)) {
    if (type !== 'double' && type !== 'timenumber') throw bad(where, `operator ${operator} applies to numeric columns only, not ${type}`);
    if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'string')) {
      throw bad(where, `operator ${operator} takes ["low","high"] as strings`);
    }
    return [numberOf(value[0], where), numberOf(value[1], where)];
  }
  if (includes(TEXT, operator)) {
    if (type !== 'string') throw bad(where, `operator ${operator} applies to string columns only, not ${type}`);
    if (typeof value !== 'string') throw bad(where, `operator ${operator} takes a string`);
    return value;
  }
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw bad(where, `a string column takes a string value, got ${JSON.stringify(value)}`);
      return value;
    case 'boolean':
      // "Booleans are sent as 1/0" (§4).
      if (value !== 1 && value !== 0) throw bad(where, `a boolean column takes 1 or 0, got ${JSON.stringify(value)}`);
      return value;
    case 'double':
    case 'timenumber':
      return numberOf(value, where);
    case 'datetime': {
      const m = typeof value === 'string' ? DATETIME.exec(value) : null;
      if (m === null) throw bad(where, `a datetime column takes "YYYY-MM-DD HH:MM:SS", got ${JSON.stringify(value)}`);
      return Date.parse(`${m[1]}T${m[2]}Z`);
    }
    default: {
      const unreachable: never = type;
      throw new Error(`unknown column type ${String(unreachable)}`);
    }
  }
}

const RULE_KEYS = new Set(['id', 'field', 'type', 'operator', 'value']);

function decodeRule(raw: unknown, source: ColumnSource, where: string): Rule {
  if (!isObject(raw)) throw bad(where, 'a rule must be an object');
  for (const k of Object.keys(raw)) if (!RULE_KEYS.has(k)) throw bad(where, `unknown rule field '${k}'; expected id, field, type, operator, value`);
  const { id, field, type, operator, value } = raw;
  if (typeof field !== 'string' || field === '') throw bad(where, 'rule field must be a column name');
  if (id !== field) throw bad(where, `rule id must equal field (the column name), got id ${JSON.stringify(id)}`);
  if (!includes(COLUMN_TYPES, type)) throw bad(where, `rule type must be one of ${COLUMN_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  if (!includes(OPERATORS, operator)) throw bad(where, `unknown operator ${JSON.stringify(operator)}`);
  const op = operator as Operator;
  if (source === 'tag' && (op !== 'equal' || type !== 'string' || value !== field)) {
    // Tag predicates are {id:<tag>, field:<tag>, type:"string", operator:"equal", value:<tag>} and cannot be negated (§4).
    throw bad(where, 'a tag rule must be {type:"string", operator:"equal", value:<the tag>}');
  }
  return { field, type, operator: op, operand: operandOf(type, op, value, where) };
}

function decodePredicates(raw: unknown[]): Predicate[] {
  return raw.map((entry, i) => {
    const where = `predicates[${i}]`;
    if (!isObject(entry)) throw bad(where, 'expected {source, query}');
    for (const k of Object.keys(entry)) if (k !== 'source' && k !== 'query') throw bad(where, `unknown field '${k}'`);
    const { source, query } = entry;
    if (!includes(COLUMN_SOURCES, source)) throw bad(where, `source must be one of ${COLUMN_SOURCES.join(', ')}`);
    if (!isObject(query)) throw bad(where, 'query must be {condition, valid, rules}');
    for (const k of Object.keys(query)) if (!['condition', 'valid', 'rules'].includes(k)) throw bad(where, `unknown query field '${k}'`);
    if (query.condition !== 'AND') throw bad(where, `condition must be "AND" (the classic query API has no OR), got ${JSON.stringify(query.condition)}`);
    if (query.valid !== undefined && typeof query.valid !== 'boolean') throw bad(where, 'valid must be a boolean');
    if (!Array.isArray(query.rules)) throw bad(where, 'rules must be an array');
    return { source, rules: query.rules.map((r, j) => decodeRule(r, source, `${where}.rules[${j}]`)) };
  });
}

function compare(cell: CellValue, r: Rule): boolean {
  const { operator: op, operand } = r;
  switch (op) {
    case 'is_null': return cell === null;
    case 'is_not_null': return cell !== null;
    case 'is_empty': return cell === null || cell === '';
    case 'is_not_empty': return cell !== null && cell !== '';
    default: break;
  }
  if (cell === null) return false;
  const a = typeof cell === 'boolean' ? Number(cell) : cell;
  if (Array.isArray(operand)) {
    const inside = typeof a === 'number' && a >= operand[0] && a <= operand[1];
    return op === 'between' ? inside : !inside;
  }
  if (includes(TEXT, op)) {
    const s = String(a);
    const t = String(operand);
    const hit = op.endsWith('contains') ? s.includes(t) : op.endsWith('begins_with') ? s.startsWith(t) : s.endsWith(t);
    return op.startsWith('not_') ? !hit : hit;
  }
  const b = operand;
  if (b === null) return false;
  switch (op) {
    case 'equal': return a === b;
    case 'not_equal': return a !== b;
    case 'less': return a < b;
    case 'less_or_equal': return a <= b;
    case 'greater': return a > b;
    case 'greater_or_equal': return a >= b;
    default: return false;
  }
}

interface BoundRule {
  rule: Rule;
  /** Undefined when the project has no such column: the rule then matches nothing (§4). */
  column: Column | undefined;
}

/** Binds each rule to its column, refusing a rule whose type is not the column's. */
function bind(predicates: Predicate[], columns: Map<string, Column>): BoundRule[] {
  return predicates.flatMap((p) => p.rules.map((rule) => {
    const column = columns.get(`${rule.field}--${p.source}`);
    if (column !== undefined && column.type !== rule.type) {
      throw bad(`rule on '${rule.field}'`, `type '${rule.type}' does not match the column's type '${column.type}' (see project/column-names)`);
    }
    return { rule, column };
  }));
}

function matches(e: ExperimentRecord, rules: BoundRule[]): boolean {
  return rules.every(({ rule, column }) => column !== undefined && compare(cellValue(e, column), rule));
}

const PROJECT_QUERY = { projectId: qOptional('string'), workspaceName: qOptional('string'), projectName: qOptional('string') } as const;

/**
 * The body takes the documented `workspaceName` + `projectName` form only: newer SDKs also send a project id,
 * but its key was not seen (Corrections 5), so any other key is refused as unknown.
 */
const QUERY_BODY = {
  workspaceName: required('string'),
  projectName: required('string'),
  archived: optional('boolean'),
  predicates: required('array'),
} as const;

export const queryRoutes: readonly Route[] = [
  {
    method: 'GET',
    name: Path.projectColumnNames,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { ...PROJECT_QUERY, archived: qOptional('boolean') }, Path.projectColumnNames);
      const project = requireProject(req, q, Path.projectColumnNames);
      return json({ columns: projectColumns(req.state, project, q.archived) });
    },
  },
  {
    method: 'POST',
    name: Path.projectQuery,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, QUERY_BODY, Path.projectQuery);
      const project = requireProject(req, b, Path.projectQuery);
      const predicates = decodePredicates(b.predicates);
      const experiments = req.state.experimentsOf(project.projectId, b.archived);
      const rules = bind(predicates, new Map(projectColumns(req.state, project).map((c) => [c.id, c])));
      return json({ experimentKeys: experiments.filter((e) => matches(e, rules)).map((e) => e.experimentKey) });
    },
  },
];
