/**
 * Search over the registry (§6.3): a filter on named attributes and `tags.<key>`, AND only; `order_by`
 * on named attributes. Which attributes each search offers is the caller's table.
 */
import { checkComparison, matches, parseFilter, type Op } from './filter';
import { invalid } from './errors';
import { maxResultsOf, paginate, parseOrderBy, sortBy, type Page, type SortKey, type SortValue } from './paging';

export interface Attribute<T> {
  get(item: T): string | number;
  ops: readonly Op[];
  kind: 'string' | 'number';
}

export interface RegistrySearch<T> {
  what: string;
  attributes: Record<string, Attribute<T>>;
  tags(item: T): Map<string, string>;
  orderKeys: Record<string, (item: T) => SortValue>;
  defaultOrder: readonly SortKey<T>[];
  defaultResults: number;
  maxResults: number;
}

export interface SearchArgs {
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}

export function searchRegistry<T>(items: readonly T[], spec: RegistrySearch<T>, args: SearchArgs): Page<T> {
  const predicates = parseFilter(args.filter).map((c): ((item: T) => boolean) => {
    if (c.entity === 'tags') {
      checkComparison(c, ['=', '!=', 'LIKE', 'ILIKE'], 'string', `tag '${c.key}'`);
      return (item) => matches(spec.tags(item).get(c.key), c.op, c.value);
    }
    const attr = c.entity === '' ? spec.attributes[c.key] : undefined;
    if (attr === undefined) {
      throw invalid(`Invalid attribute '${c.entity ? `${c.entity}.` : ''}${c.key}' in a ${spec.what} filter; expected ${Object.keys(spec.attributes).join(', ')} or tags.<key>`);
    }
    checkComparison(c, attr.ops, attr.kind, c.key);
    return (item) => matches(attr.get(item), c.op, c.value);
  });
  const order = (args.order_by ?? []).map((clause): SortKey<T> => {
    const o = parseOrderBy(clause);
    const get = o.entity === '' ? spec.orderKeys[o.key] : undefined;
    if (get === undefined) throw invalid(`Invalid order_by clause '${clause}': expected one of ${Object.keys(spec.orderKeys).join(', ')}`);
    return { get, ascending: o.ascending };
  });
  const size = maxResultsOf(args.max_results, spec.defaultResults, spec.maxResults);
  const found = items.filter((item) => predicates.every((p) => p(item)));
  return paginate(sortBy(found, [...order, ...spec.defaultOrder]), size, args.page_token);
}
