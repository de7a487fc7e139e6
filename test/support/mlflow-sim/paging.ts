/**
 * Page tokens, `max_results` checks and `order_by` clauses, shared by every search. A page token is opaque
 * to clients; here it is base64 of `{"offset": n}` and anything else is refused (§2).
 */
import { invalid } from './errors';

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

function decodeToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isSafeInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // refused below
  }
  throw invalid(`Invalid page token '${token.slice(0, 40)}'`);
}

export const encodeToken = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64');

/** The page of `items` a token and a size select. */
export function paginate<T>(items: readonly T[], maxResults: number, pageToken: string | undefined): Page<T> {
  const offset = pageToken === undefined ? 0 : decodeToken(pageToken);
  const end = offset + maxResults;
  const page = items.slice(offset, end);
  return end < items.length ? { items: page, nextPageToken: encodeToken(end) } : { items: page };
}

/**
 * `max_results` with its default and cap. 0 is proto's unset value and takes the default; a negative
 * number or one above the cap is refused (§3, §4.2).
 */
export function maxResultsOf(given: number | undefined, fallback: number, cap: number): number {
  if (given === undefined || given === 0) return fallback;
  if (given < 0 || given > cap) {
    throw invalid(`Invalid value ${given} for parameter 'max_results' supplied. It must be at most ${cap}, and positive.`);
  }
  return given;
}

export interface OrderClause {
  /** '' for a bare identifier. */
  entity: string;
  key: string;
  ascending: boolean;
}

/** `metrics.loss DESC`, ``tags.`a b` ``, `name ASC`: an identifier and an optional direction (ASC by default). */
export function parseOrderBy(clause: string): OrderClause {
  const m = /^\s*(.+?)(?:\s+(ASC|DESC))?\s*$/i.exec(clause);
  const ident = m === null ? null : /^(?:(\w+)\.(?:`([^`]+)`|"([^"]+)"|(\S+))|(\w+))$/.exec(m[1]);
  if (m === null || ident === null) throw invalid(`Invalid order_by clause '${clause}'`);
  const ascending = (m[2] ?? 'ASC').toUpperCase() === 'ASC';
  if (ident[5] !== undefined) return { entity: '', key: ident[5], ascending };
  return { entity: ident[1], key: ident[2] ?? ident[3] ?? ident[4], ascending };
}

export type SortValue = string | number | undefined;
export interface SortKey<T> {
  get(item: T): SortValue;
  ascending: boolean;
}

/**
 * Sorts by each key in turn. A missing value sorts last whatever the direction, and NaN after every number
 * (sim choices, §4.2).
 */
export function sortBy<T>(items: readonly T[], keys: readonly SortKey<T>[]): T[] {
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const c = compareValues(k.get(a), k.get(b), k.ascending);
      if (c !== 0) return c;
    }
    return 0;
  });
}

function compareValues(a: SortValue, b: SortValue, ascending: boolean): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const aNaN = typeof a === 'number' && Number.isNaN(a);
  const bNaN = typeof b === 'number' && Number.isNaN(b);
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : aNaN ? 1 : -1;
  const c = a < b ? -1 : a > b ? 1 : 0;
  return ascending ? c : -c;
}
