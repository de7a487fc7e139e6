/**
 * The runs table's state, kept in the URL so a view can be shared:
 *   q=<filter text>  sort=<FIELD[:name[:AGG]]:DIR>  n=<page size>  after=<cursor>  cols=<p:name,m:name>  sel=<key,key>
 */
import type { Aggregate } from '../filter';

export type Direction = 'ASC' | 'DESC';
export type SortKey =
  | { field: 'NAME' | 'STARTED_AT' | 'ENDED_AT'; direction: Direction }
  | { field: 'METRIC'; name: string; aggregate: Aggregate; direction: Direction }
  | { field: 'PARAMETER'; name: string; direction: Direction };

export type Column = { kind: 'param' | 'metric'; name: string };

export interface RunsState {
  q: string;
  sort: SortKey | null;
  n: number;
  after: string | null;
  /** null: the default columns (the first few parameters and metrics of the page). */
  cols: Column[] | null;
  sel: string[];
}

export const PAGE_SIZES = [10, 25, 50, 100, 200, 500, 1000];
export const DEFAULT_PAGE_SIZE = 25;
/** The compare view overlays at most this many runs. */
export const MAX_SELECTED = 50;

function parseSort(text: string | null): SortKey | null {
  if (!text) return null;
  const parts = text.split(':').map(decodeURIComponent);
  const direction = parts[parts.length - 1] === 'DESC' ? 'DESC' : 'ASC';
  const [field] = parts;
  if ((field === 'NAME' || field === 'STARTED_AT' || field === 'ENDED_AT') && parts.length === 2) return { field, direction };
  if (field === 'PARAMETER' && parts.length === 3) return { field, name: parts[1], direction };
  if (field === 'METRIC' && parts.length === 4 && (parts[2] === 'LAST' || parts[2] === 'MIN' || parts[2] === 'MAX')) {
    return { field, name: parts[1], aggregate: parts[2], direction };
  }
  return null;
}

export function sortText(sort: SortKey): string {
  switch (sort.field) {
    case 'METRIC':
      return ['METRIC', encodeURIComponent(sort.name), sort.aggregate, sort.direction].join(':');
    case 'PARAMETER':
      return ['PARAMETER', encodeURIComponent(sort.name), sort.direction].join(':');
    default:
      return `${sort.field}:${sort.direction}`;
  }
}

export function sameSortColumn(a: SortKey | null, b: SortKey): boolean {
  if (!a || a.field !== b.field) return false;
  if (a.field === 'METRIC' && b.field === 'METRIC') return a.name === b.name && a.aggregate === b.aggregate;
  if (a.field === 'PARAMETER' && b.field === 'PARAMETER') return a.name === b.name;
  return true;
}

function parseCols(text: string | null): Column[] | null {
  if (text === null) return null;
  return text.split(',').filter(Boolean).flatMap((c): Column[] => {
    const name = decodeURIComponent(c.slice(2));
    if (c.startsWith('p:')) return [{ kind: 'param', name }];
    if (c.startsWith('m:')) return [{ kind: 'metric', name }];
    return [];
  });
}

export function parseRunsState(params: URLSearchParams): RunsState {
  const n = Number(params.get('n'));
  return {
    q: params.get('q') ?? '',
    sort: parseSort(params.get('sort')),
    n: PAGE_SIZES.includes(n) ? n : DEFAULT_PAGE_SIZE,
    after: params.get('after') || null,
    cols: parseCols(params.get('cols')),
    sel: (params.get('sel') ?? '').split(',').filter(Boolean).slice(0, MAX_SELECTED),
  };
}

export function runsParams(state: RunsState): Record<string, string | undefined> {
  return {
    q: state.q || undefined,
    sort: state.sort ? sortText(state.sort) : undefined,
    n: state.n === DEFAULT_PAGE_SIZE ? undefined : String(state.n),
    after: state.after ?? undefined,
    cols: state.cols ? state.cols.map((c) => `${c.kind === 'param' ? 'p' : 'm'}:${encodeURIComponent(c.name)}`).join(',') || ',' : undefined,
    sel: state.sel.length ? state.sel.join(',') : undefined,
  };
}

/** The schema's `orderBy` for a sort key (the key breaks ties on the server). */
export function orderBy(sort: SortKey | null): Record<string, string>[] | undefined {
  if (!sort) return undefined;
  switch (sort.field) {
    case 'METRIC':
      return [{ field: 'METRIC', metric: sort.name, aggregate: sort.aggregate, direction: sort.direction }];
    case 'PARAMETER':
      return [{ field: 'PARAMETER', parameter: sort.name, direction: sort.direction }];
    default:
      return [{ field: sort.field, direction: sort.direction }];
  }
}
