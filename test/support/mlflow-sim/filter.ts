/**
 * The search filter language (§4.2): comparisons joined by AND. OR, NOT (other than NOT IN) and
 * parentheses are refused, as MLflow's parser does. An identifier is `prefix.key`, the key bare or quoted
 * with backticks or double quotes; string values take single or double quotes; IN takes a list.
 * This file only parses; which identifiers and operators each search allows is checked by the caller.
 */
import { invalid } from './errors';

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
export type FilterValue = string | number | string[];

export interface Comparison {
  /** The part before the first dot (`metrics`, `tags`...), or '' for a bare identifier (`name`). */
  readonly entity: string;
  readonly key: string;
  readonly op: Op;
  readonly value: FilterValue;
}

type Token =
  | { t: 'ident'; entity: string; key: string }
  | { t: 'word'; w: string }
  | { t: 'op'; op: Op }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: '(' | ')' | ',' };

function readQuoted(s: string, i: number): [string, number] {
  const quote = s[i];
  const end = s.indexOf(quote, i + 1);
  if (end < 0) throw invalid(`Invalid filter '${s}': unterminated quote at ${i}`);
  return [s.slice(i + 1, end), end + 1];
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c });
      i++;
    } else if (c === "'" || c === '"') {
      const [v, next] = readQuoted(s, i);
      out.push({ t: 'str', v });
      i = next;
    } else if (c === '`') {
      const [key, next] = readQuoted(s, i);
      out.push({ t: 'ident', entity: '', key });
      i = next;
    } else if ('=!<>'.includes(c)) {
      const two = s.slice(i, i + 2);
      const op = (['!=', '<=', '>='] as const).find((o) => o === two) ?? (c === '!' ? undefined : (c as '=' | '<' | '>'));
      if (op === undefined) throw invalid(`Invalid filter '${s}': unexpected '!' at ${i}`);
      out.push({ t: 'op', op });
      i += op.length;
    } else if (/[-\d.]/.test(c)) {
      const m = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.exec(s.slice(i));
      if (m === null) throw invalid(`Invalid filter '${s}': unexpected '${c}' at ${i}`);
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[\w.]+/.exec(s.slice(i)) as RegExpExecArray;
      i += m[0].length;
      const dot = m[0].indexOf('.');
      if (dot < 0) {
        out.push({ t: 'word', w: m[0] });
        continue;
      }
      const entity = m[0].slice(0, dot);
      let key = m[0].slice(dot + 1);
      if (key === '' && (s[i] === '`' || s[i] === '"')) [key, i] = readQuoted(s, i);
      if (key === '') throw invalid(`Invalid filter '${s}': '${entity}.' needs a key`);
      out.push({ t: 'ident', entity, key });
    } else {
      throw invalid(`Invalid filter '${s}': unexpected '${c}' at ${i}`);
    }
  }
  return out;
}

const upper = (tok: Token | undefined): string | undefined => (tok?.t === 'word' ? tok.w.toUpperCase() : undefined);

/** Parses `filter` into its comparisons; '' or undefined gives none. */
export function parseFilter(filter: string | undefined): Comparison[] {
  if (filter === undefined || filter.trim() === '') return [];
  const tokens = tokenize(filter);
  if (tokens.some((t) => upper(t) === 'OR')) {
    throw invalid(`Invalid filter '${filter}': only AND is supported, OR is not`);
  }
  const out: Comparison[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw invalid(`Invalid filter '${filter}': ${what}`);
  };
  for (;;) {
    const id = tokens[i++];
    let ident: { entity: string; key: string };
    if (id?.t === 'ident') ident = id;
    else if (id?.t === 'word' && !['AND', 'NOT', 'IN', 'LIKE', 'ILIKE'].includes(upper(id) ?? '')) ident = { entity: '', key: id.w };
    else if (upper(id) === 'NOT' || id?.t === '(') return fail('NOT and parentheses are not supported; join comparisons with AND');
    else return fail('expected an identifier');
    const opTok = tokens[i++];
    let op: Op;
    if (opTok?.t === 'op') op = opTok.op;
    else if (upper(opTok) === 'LIKE' || upper(opTok) === 'ILIKE' || upper(opTok) === 'IN') op = upper(opTok) as Op;
    else if (upper(opTok) === 'NOT' && upper(tokens[i]) === 'IN') {
      i++;
      op = 'NOT IN';
    } else return fail(`expected an operator after '${ident.entity ? `${ident.entity}.` : ''}${ident.key}'`);
    let value: FilterValue;
    if (op === 'IN' || op === 'NOT IN') {
      if (tokens[i++]?.t !== '(') fail(`${op} needs a parenthesised list`);
      const list: string[] = [];
      for (;;) {
        const v = tokens[i++];
        if (v?.t !== 'str') return fail(`${op} lists hold quoted strings`);
        list.push(v.v);
        const sep = tokens[i++];
        if (sep?.t === ')') break;
        if (sep?.t !== ',') fail(`expected ',' or ')' in the ${op} list`);
      }
      value = list;
    } else {
      const v = tokens[i++];
      if (v?.t === 'str' || v?.t === 'num') value = v.v;
      else return fail(`expected a value after ${op}`);
    }
    out.push({ ...ident, op, value });
    if (i === tokens.length) return out;
    if (upper(tokens[i++]) !== 'AND') fail('comparisons must be joined with AND');
  }
}

/** SQL LIKE: `%` any run, `_` one character; ILIKE ignores case. */
export function like(text: string, pattern: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(text);
}

/** Whether `actual` satisfies the comparison. A missing value never matches, not even `!=` (§4.2). */
export function matches(actual: string | number | undefined, op: Op, value: FilterValue): boolean {
  if (actual === undefined) return false;
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '<':
      return Number(actual) < (value as number);
    case '<=':
      return Number(actual) <= (value as number);
    case '>':
      return Number(actual) > (value as number);
    case '>=':
      return Number(actual) >= (value as number);
    case 'LIKE':
      return like(String(actual), value as string, false);
    case 'ILIKE':
      return like(String(actual), value as string, true);
    case 'IN':
      return (value as string[]).includes(String(actual));
    case 'NOT IN':
      return !(value as string[]).includes(String(actual));
    default: {
      const unreachable: never = op;
      throw new Error(`unknown operator ${String(unreachable)}`);
    }
  }
}

/** Checks a comparison's operator and value type against what its identifier allows. */
export function checkComparison(c: Comparison, ops: readonly Op[], valueKind: 'string' | 'number', what: string): void {
  if (!ops.includes(c.op)) throw invalid(`Invalid comparator '${c.op}' for ${what}; expected one of ${ops.join(', ')}`);
  const list = c.op === 'IN' || c.op === 'NOT IN';
  if (!list && typeof c.value !== valueKind) {
    throw invalid(`Invalid value ${JSON.stringify(c.value)} for ${what}: expected a ${valueKind === 'string' ? 'quoted string' : 'number'}`);
  }
}

export const NUMERIC_OPS: readonly Op[] = ['>', '>=', '=', '!=', '<', '<='];
export const STRING_OPS: readonly Op[] = ['=', '!=', 'LIKE', 'ILIKE'];
export const STRING_ATTRIBUTE_OPS: readonly Op[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
