/**
 * Experiment metadata into the port's `Experiment`. Comet's ExperimentMeta (§3) has no end status and no
 * parent: the gateway keeps both as `log_other` entries (protocol.ts `OtherKey`). Reading them per
 * experiment costs one call each, so for a page of runs the project's columns say first whether any run has
 * them at all, and `project/query` finds which ones do: a handful of calls per project, not one per run.
 */
import { ForbiddenError } from '../../errors';
import type { Experiment, ExperimentStatus, Other } from '../port';
import type { CometApi, Predicate } from './api';
import type { Column, ExperimentMeta, ValueSummary } from './decode';
import { OtherKey } from './protocol';

/** Up to this many runs of one project are enriched by reading their others one by one. */
const PER_KEY_ENRICH_MAX = 3;
const END_STATUSES: readonly ExperimentStatus[] = ['FINISHED', 'FAILED', 'CRASHED'];

export interface RunFacts {
  status: ExperimentStatus | null;
  parentKey: string | null;
}

export function othersOf(values: readonly ValueSummary[]): Other[] {
  return values.map((v) => ({ key: v.name, value: v.current }));
}

/** Every `log_other` entry of an experiment, reserved ones included; [] when it does not exist. */
export function allOthers(api: CometApi, key: string): Promise<Other[]> {
  return api.cache.getOrLoad(`others:${key}`, async () => othersOf((await api.otherSummaries(key)) ?? []));
}

export function factsFromOthers(others: readonly Other[]): RunFacts {
  const status = others.find((o) => o.key === OtherKey.status)?.value;
  const parent = others.find((o) => o.key === OtherKey.parentKey)?.value;
  return {
    status: END_STATUSES.includes(status as ExperimentStatus) ? (status as ExperimentStatus) : null,
    // An emptied parent link means "the parent was deleted" (see deleteExperiment).
    parentKey: parent ? parent : null,
  };
}

/**
 * The status: RUNNING while Comet says so or while the run was never ended; else the status the gateway
 * wrote at the end, or FINISHED (an SDK run that ended on its own).
 */
export function statusOf(meta: ExperimentMeta, written: ExperimentStatus | null): ExperimentStatus {
  if (meta.running) return 'RUNNING';
  if (written) return written;
  return meta.endedAt === null ? 'RUNNING' : 'FINISHED';
}

export function experimentUrl(api: CometApi, meta: { workspace: string; project: string; key: string }): string {
  const { origin, prefix } = api.session;
  return `${origin}${prefix}/${encodeURIComponent(meta.workspace)}/${encodeURIComponent(meta.project)}/${meta.key}`;
}

export function toExperiment(api: CometApi, meta: ExperimentMeta, facts: RunFacts): Experiment {
  return {
    key: meta.key,
    workspace: meta.workspace,
    project: meta.project,
    projectId: meta.projectId,
    name: meta.name,
    status: statusOf(meta, facts.status),
    startedAt: meta.startedAt,
    endedAt: meta.running ? null : meta.endedAt,
    archived: meta.archived,
    parentKey: facts.parentKey,
    url: experimentUrl(api, meta),
  };
}

const NO_FACTS: RunFacts = { status: null, parentKey: null };

export function otherRule(column: Column, operator: string, value: string | null): Predicate {
  return {
    source: 'log_other',
    query: { condition: 'AND', valid: true, rules: [{ id: column.name, field: column.name, type: column.type, operator, value }] },
  };
}

/** Experiments for metas, in order; the status and parent facts read with the fewest calls. */
export async function toExperiments(api: CometApi, metas: readonly ExperimentMeta[]): Promise<Experiment[]> {
  const groups = new Map<string, ExperimentMeta[]>();
  for (const meta of metas) {
    const id = JSON.stringify([meta.workspace, meta.project, meta.archived]);
    groups.set(id, [...(groups.get(id) ?? []), meta]);
  }
  const facts = new Map<string, RunFacts>();
  await Promise.all([...groups.values()].map(async (group) => {
    for (const [key, value] of await groupFacts(api, group)) facts.set(key, value);
  }));
  return metas.map((meta) => toExperiment(api, meta, facts.get(meta.key) ?? NO_FACTS));
}

async function groupFacts(api: CometApi, group: readonly ExperimentMeta[]): Promise<Map<string, RunFacts>> {
  const { workspace, project, archived } = group[0];
  const columns = await api.columns(workspace, project, archived);
  const statusColumn = columns.find((c) => c.source === 'log_other' && c.name === OtherKey.status);
  const parentColumn = columns.find((c) => c.source === 'log_other' && c.name === OtherKey.parentKey);
  const out = new Map<string, RunFacts>();
  if (!statusColumn && !parentColumn) return out;
  if (group.length <= PER_KEY_ENRICH_MAX) {
    await Promise.all(group.map(async (meta) => out.set(meta.key, factsFromOthers(await allOthers(api, meta.key)))));
    return out;
  }
  const statusByKey = new Map<string, ExperimentStatus>();
  if (statusColumn) {
    // FINISHED needs no query: an ended run without another status is FINISHED anyway.
    await Promise.all((['FAILED', 'CRASHED'] as const).map(async (status) => {
      for (const key of await api.query(workspace, project, archived, [otherRule(statusColumn, 'equal', status)])) statusByKey.set(key, status);
    }));
  }
  const withParent = parentColumn ? new Set(await api.query(workspace, project, archived, [otherRule(parentColumn, 'is_not_empty', null)])) : new Set<string>();
  await Promise.all(group.map(async (meta) => {
    const parentKey = withParent.has(meta.key) ? factsFromOthers(await allOthers(api, meta.key)).parentKey : null;
    out.set(meta.key, { status: statusByKey.get(meta.key) ?? null, parentKey });
  }));
  return out;
}

/** Keys of the experiments whose parent link names `parentKey` (one `project/query`). */
export async function childKeys(api: CometApi, parent: ExperimentMeta): Promise<string[]> {
  const keys: string[] = [];
  for (const archived of [false, true]) {
    const column = (await api.columns(parent.workspace, parent.project, archived)).find(
      (c) => c.source === 'log_other' && c.name === OtherKey.parentKey,
    );
    if (!column) continue;
    // A numeric-looking column would need a number operand; parent links are hex keys, typed `string`.
    if (column.type !== 'string') continue;
    keys.push(...(await api.query(parent.workspace, parent.project, archived, [otherRule(column, 'equal', parent.key)])));
  }
  return keys;
}

/**
 * Child keys of many parents. Comet can only query within a project, so children are looked for in their
 * parent's project (a child logged to another project is not found: documented). A few parents of a project
 * cost one query each; more cost one query for "has a parent" and the parent link of each such run.
 */
export async function childKeysOf(api: CometApi, parents: readonly ExperimentMeta[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(parents.map((p) => [p.key, []]));
  const groups = new Map<string, ExperimentMeta[]>();
  for (const p of parents) groups.set(JSON.stringify([p.workspace, p.project]), [...(groups.get(JSON.stringify([p.workspace, p.project])) ?? []), p]);
  await Promise.all([...groups.values()].map(async (group) => {
    if (group.length <= 2) {
      await Promise.all(group.map(async (p) => out.set(p.key, await childKeys(api, p))));
      return;
    }
    const { workspace, project } = group[0];
    for (const archived of [false, true]) {
      const column = (await api.columns(workspace, project, archived)).find((c) => c.source === 'log_other' && c.name === OtherKey.parentKey);
      if (!column) continue;
      const withParent = await api.query(workspace, project, archived, [otherRule(column, 'is_not_empty', null)]);
      await Promise.all(withParent.map(async (key) => {
        const { parentKey } = factsFromOthers(await allOthers(api, key));
        if (parentKey !== null) out.get(parentKey)?.push(key);
      }));
    }
  }));
  return out;
}

/** Metadata for keys, from cache or `experiment/metadata` (fanned out), null when missing. */
export async function metasOf(api: CometApi, keys: readonly string[]): Promise<(ExperimentMeta | null)[]> {
  // A run of another key's workspace answers 403: to this caller it is "not visible", i.e. null (port.ts).
  return Promise.all(keys.map((key) => api.meta(key).catch((error: unknown) => {
    if (error instanceof ForbiddenError) return null;
    throw error;
  })));
}

export interface ProjectGroup {
  workspace: string;
  project: string;
  archived: boolean;
  keys: string[];
}

/** Distinct keys grouped by (project, archived); keys of experiments that do not exist are left out. */
export async function groupByProject(api: CometApi, keys: readonly string[]): Promise<ProjectGroup[]> {
  const distinct = [...new Set(keys)];
  const metas = await metasOf(api, distinct);
  const groups = new Map<string, ProjectGroup>();
  metas.forEach((meta) => {
    if (meta === null) return;
    const id = JSON.stringify([meta.workspace, meta.project, meta.archived]);
    let group = groups.get(id);
    if (!group) {
      group = { workspace: meta.workspace, project: meta.project, archived: meta.archived, keys: [] };
      groups.set(id, group);
    }
    group.keys.push(meta.key);
  });
  return [...groups.values()];
}
