/**
 * Parameters, tags and others of many experiments, each with the cheapest plan Comet allows:
 * - parameters: one `multi-metric-chart` per project for the parameter columns of many runs (§3), else
 *   `experiment/parameters` per run;
 * - tags: one `project/query` per distinct tag of the project when the project has fewer tags than runs
 *   asked for (tag → keys, §4), else `experiment/tags` per run;
 * - others: `experiment/log-other` per run (there is no multi-run read of them).
 * Every result is cached per experiment, so a second page or a second query costs nothing.
 */
import type { Other, Parameter } from '../port';
import type { CometApi, Predicate } from './api';
import { allOthers, groupByProject, type ProjectGroup } from './experiment-reads';
import { Limits, RESERVED_OTHER_PREFIX } from './protocol';

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sortStrings = (list: readonly string[]): string[] => [...new Set(list)].sort();

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Values per key from the cache, and the keys still to load. */
async function fromCache<T>(api: CometApi, kind: string, keys: readonly string[]): Promise<{ found: Map<string, T>; missing: string[] }> {
  const found = new Map<string, T>();
  const missing: string[] = [];
  for (const key of new Set(keys)) {
    const hit = await api.cache.get<T>(`${kind}:${key}`);
    if (hit === undefined) missing.push(key);
    else found.set(key, hit);
  }
  return { found, missing };
}

export async function getParameters(api: CometApi, keys: readonly string[]): Promise<Parameter[][]> {
  const { found, missing } = await fromCache<Parameter[]>(api, 'params', keys);
  if (missing.length > 0) {
    const groups = await groupByProject(api, missing);
    await Promise.all(groups.map((group) => loadParameters(api, group, found)));
  }
  return keys.map((key) => found.get(key) ?? []);
}

async function loadParameters(api: CometApi, group: ProjectGroup, into: Map<string, Parameter[]>): Promise<void> {
  const store = async (key: string, params: Parameter[]): Promise<void> => {
    const sorted = params.sort(byName);
    into.set(key, sorted);
    await api.cache.set(`params:${key}`, sorted);
  };
  if (group.keys.length === 1) {
    const [key] = group.keys;
    const values = (await api.parameterSummaries(key)) ?? [];
    return store(key, values.map((v) => ({ name: v.name, value: v.current })));
  }
  const names = (await api.columns(group.workspace, group.project, group.archived)).filter((c) => c.source === 'params').map((c) => c.name);
  if (names.length === 0) {
    await Promise.all(group.keys.map((key) => store(key, [])));
    return;
  }
  // The chunks are independent: asked for at once, a page of 1,000 runs costs one round trip, not ten.
  await Promise.all(chunks(group.keys, Limits.CHART_MAX_EXPERIMENTS).map(async (batch) => {
    const chart = await api.chart(batch, [], names, false);
    await Promise.all(batch.map((key) => {
      const params = chart.get(key)?.params ?? new Map<string, string>();
      return store(key, [...params].map(([name, value]) => ({ name, value })));
    }));
  }));
}

export async function getTags(api: CometApi, keys: readonly string[]): Promise<string[][]> {
  const { found, missing } = await fromCache<string[]>(api, 'tags', keys);
  if (missing.length > 0) {
    const groups = await groupByProject(api, missing);
    await Promise.all(groups.map((group) => loadTags(api, group, found)));
  }
  return keys.map((key) => sortStrings(found.get(key) ?? []));
}

async function loadTags(api: CometApi, group: ProjectGroup, into: Map<string, string[]>): Promise<void> {
  const tagColumns = group.keys.length > 1
    ? (await api.columns(group.workspace, group.project, group.archived)).filter((c) => c.source === 'tag')
    : null;
  if (tagColumns === null || tagColumns.length >= group.keys.length) {
    // Per run: cheaper (or as cheap) when the project has at least as many tags as runs asked for.
    await Promise.all(group.keys.map(async (key) => into.set(key, sortStrings(await api.tags(key)))));
    return;
  }
  const byKey = new Map<string, string[]>(group.keys.map((key) => [key, []]));
  await Promise.all(tagColumns.map(async (column) => {
    // Tag rules are {id:<tag>, field:<tag>, type:"string", operator:"equal", value:<tag>} (§4).
    const predicate: Predicate = {
      source: 'tag',
      query: { condition: 'AND', valid: true, rules: [{ id: column.name, field: column.name, type: column.type, operator: 'equal', value: column.name }] },
    };
    for (const key of await api.query(group.workspace, group.project, group.archived, [predicate])) byKey.get(key)?.push(column.name);
  }));
  await Promise.all([...byKey].map(async ([key, tags]) => {
    const sorted = sortStrings(tags);
    into.set(key, sorted);
    await api.cache.set(`tags:${key}`, sorted);
  }));
}

/** Others per key, ordered by key, without the gateway's own `trackql.` entries. */
export async function getOthers(api: CometApi, keys: readonly string[]): Promise<Other[][]> {
  const distinct = [...new Set(keys)];
  const loaded = new Map(await Promise.all(distinct.map(async (key) => [key, await allOthers(api, key)] as const)));
  return keys.map((key) =>
    (loaded.get(key) ?? [])
      .filter((o) => !o.key.startsWith(RESERVED_OTHER_PREFIX))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
}
