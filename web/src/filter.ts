/**
 * The runs table's filter box: a small text language compiled to the schema's `ExperimentFilterInput`, so a
 * filter fits in a URL and reads like what it asks:
 *
 *   loss < 0.5 and (tag:best or not status:FAILED)
 *   accuracy.max >= 0.9 param.optimizer = adam name:resnet
 *
 * Terms: `tag:T`, `status:S[,S]`, `name:TEXT`, `archived:true|false`, `after:TIME`, `before:TIME`,
 * `METRIC[.last|.min|.max] OP NUMBER`, `param.NAME OP VALUE` with OP one of = != < <= > >=. Terms side by side
 * mean `and`; `and`, `or`, `not` and parentheses combine them. Quote values with spaces: `tag:"fine tune"`.
 */

export type Comparison = 'EQ' | 'NE' | 'LT' | 'LTE' | 'GT' | 'GTE';
export type Aggregate = 'LAST' | 'MIN' | 'MAX';
export type Status = 'RUNNING' | 'FINISHED' | 'FAILED' | 'CRASHED';

export interface ExperimentFilter {
  and?: ExperimentFilter[];
  or?: ExperimentFilter[];
  not?: ExperimentFilter;
  tag?: string;
  status?: Status[];
  nameContains?: string;
  archived?: boolean;
  startedAfter?: string;
  startedBefore?: string;
  metric?: { name: string; aggregate: Aggregate; op: Comparison; value: number };
  parameter?: { name: string; op: Comparison; value: string };
}

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

const OPS: Record<string, Comparison> = { '=': 'EQ', '==': 'EQ', '!=': 'NE', '<': 'LT', '<=': 'LTE', '>': 'GT', '>=': 'GTE' };
const STATUSES = new Set<string>(['RUNNING', 'FINISHED', 'FAILED', 'CRASHED']);
const AGGREGATES: Record<string, Aggregate> = { last: 'LAST', min: 'MIN', max: 'MAX' };
/** The schema refuses deeper nesting (ExperimentFilterInput). */
const MAX_DEPTH = 8;

type Token = { kind: 'word' | 'string' | 'op' | '(' | ')'; text: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\()|(\))|(<=|>=|!=|==|=|<|>)|"((?:[^"\\]|\\.)*)"|([^\s()"<>=!]+))/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < source.length && (match = pattern.exec(source))) {
    const at = match.index + match[0].length - match[0].trimStart().length; // where the token itself starts
    if (match[1]) tokens.push({ kind: '(', text: '(', at });
    else if (match[2]) tokens.push({ kind: ')', text: ')', at });
    else if (match[3]) tokens.push({ kind: 'op', text: match[3], at });
    else if (match[4] !== undefined) tokens.push({ kind: 'string', text: match[4].replace(/\\(.)/g, '$1'), at });
    else if (match[5]) tokens.push({ kind: 'word', text: match[5], at });
    else break;
  }
  if (source.slice(pattern.lastIndex).trim() !== '') {
    throw new FilterError(`Unexpected '${source.slice(pattern.lastIndex).trim()[0]}' at character ${pattern.lastIndex + 1}`);
  }
  return tokens;
}

/** Parses the text; an empty text is no filter (null). Throws FilterError saying what was expected. */
export function parseFilter(source: string): ExperimentFilter | null {
  const tokens = tokenize(source);
  if (tokens.length === 0) return null;
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toLowerCase() === w;

  const value = (what: string): string => {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'string')) throw new FilterError(`Expected ${what} ${t ? `at character ${t.at + 1}` : 'at the end'}`);
    i += 1;
    return t.text;
  };

  const term = (): ExperimentFilter => {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'string')) throw new FilterError(`Expected a term ${t ? `at character ${t.at + 1}` : 'at the end'}`);
    i += 1;
    const colon = t.kind === 'word' ? t.text.indexOf(':') : -1;
    if (colon > 0) {
      const field = t.text.slice(0, colon).toLowerCase();
      const rest = t.text.slice(colon + 1) || value(`a value for ${field}:`);
      return fieldTerm(field, rest);
    }
    const op = peek();
    if (op?.kind !== 'op') throw new FilterError(`Expected a comparison after '${t.text}' (for example ${t.text} < 0.5), or a term like tag:${t.text}`);
    i += 1;
    const comparison = OPS[op.text];
    const right = value(`a value after '${op.text}'`);
    if (t.text.startsWith('param.') && t.text.length > 6) return { parameter: { name: t.text.slice(6), op: comparison, value: right } };
    const suffix = /\.(last|min|max)$/i.exec(t.text);
    const name = suffix ? t.text.slice(0, -suffix[0].length) : t.text;
    const number = Number(right);
    if (right.trim() === '' || !Number.isFinite(number)) throw new FilterError(`Metric ${name} compares to a number, got '${right}'`);
    return { metric: { name, aggregate: suffix ? AGGREGATES[suffix[1].toLowerCase()] : 'LAST', op: comparison, value: number } };
  };

  const unary = (depth: number): ExperimentFilter => {
    if (depth > MAX_DEPTH) throw new FilterError(`Filters nest at most ${MAX_DEPTH} levels deep`);
    const t = peek();
    if (isWord(t, 'not')) {
      i += 1;
      return { not: unary(depth + 1) };
    }
    if (t?.kind === '(') {
      i += 1;
      const inner = or(depth + 1);
      if (peek()?.kind !== ')') throw new FilterError(`Expected ')' to close the '(' at character ${t.at + 1}`);
      i += 1;
      return inner;
    }
    return term();
  };

  const and = (depth: number): ExperimentFilter => {
    const parts = [unary(depth)];
    for (;;) {
      const t = peek();
      if (!t || t.kind === ')' || isWord(t, 'or')) break;
      if (isWord(t, 'and')) i += 1;
      parts.push(unary(depth));
    }
    return parts.length === 1 ? parts[0] : { and: parts };
  };

  const or = (depth: number): ExperimentFilter => {
    const parts = [and(depth)];
    while (isWord(peek(), 'or')) {
      i += 1;
      parts.push(and(depth));
    }
    return parts.length === 1 ? parts[0] : { or: parts };
  };

  const filter = or(1);
  const extra = peek();
  if (extra) throw new FilterError(`Unexpected '${extra.text}' at character ${extra.at + 1}`);
  return filter;
}

function fieldTerm(field: string, text: string): ExperimentFilter {
  switch (field) {
    case 'tag':
      return { tag: text };
    case 'name':
      return { nameContains: text };
    case 'status': {
      const statuses = text.split(',').map((s) => s.trim().toUpperCase());
      const wrong = statuses.find((s) => !STATUSES.has(s));
      if (wrong !== undefined) throw new FilterError(`status must be one of ${[...STATUSES].join(', ')}, got '${wrong}'`);
      return { status: statuses as Status[] };
    }
    case 'archived':
      if (text !== 'true' && text !== 'false') throw new FilterError(`archived must be true or false, got '${text}'`);
      return { archived: text === 'true' };
    case 'after':
    case 'before': {
      const time = Date.parse(text);
      if (Number.isNaN(time)) throw new FilterError(`${field}: needs a date such as 2026-01-31, got '${text}'`);
      const iso = new Date(time).toISOString();
      return field === 'after' ? { startedAfter: iso } : { startedBefore: iso };
    }
    default:
      throw new FilterError(`Unknown field '${field}:' (use tag:, status:, name:, archived:, after:, before:)`);
  }
}
