/**
 * Experiment and project mutations on their REST endpoints (§5); creating a run is create-run.ts. They are not queued: each answers with the
 * entity, so it must reach Comet now. Comet's reads lag its writes (§8 "Latency"), so results are built from
 * what was written rather than read straight back.
 */
import { BadUserInputError, experimentNotFound } from '../../errors';
import type { CreateProjectInput, EndExperimentInput, Experiment, Project } from '../port';
import type { CometApi } from './api';
import type { ExperimentMeta } from './decode';
import { allOthers, childKeys, factsFromOthers, toExperiment } from './experiment-reads';
import { Limits, OtherKey, Route } from './protocol';

const END_STATUSES = ['FINISHED', 'FAILED', 'CRASHED'] as const;

export function requireName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BadUserInputError(`${field} must be a non-empty string`, { field });
  return value.trim();
}

export function projectName(value: unknown): string {
  const name = requireName(value, 'project');
  // "The project name must be under 100 characters" (§1 PROJECT_NAME_TOO_LONG).
  if (name.length > Limits.PROJECT_NAME_MAX_CHARS) throw new BadUserInputError(`project name must be under 100 characters on Comet, got ${name.length}`, { field: 'project' });
  return name;
}

/** The experiment's metadata, or NOT_FOUND (a write names an experiment that must exist). */
export async function requireMeta(api: CometApi, key: string): Promise<ExperimentMeta> {
  const meta = await api.meta(key);
  if (!meta) throw experimentNotFound(key);
  return meta;
}

async function setOther(api: CometApi, experimentKey: string, key: string, value: string): Promise<void> {
  await api.call({ method: 'POST', route: Route.writeLogOther, idempotent: true, json: { experimentKey, key, value } });
}

export async function createProject(api: CometApi, input: CreateProjectInput): Promise<Project> {
  const workspace = requireName(input.workspace, 'workspace');
  const name = projectName(input.name);
  if (await api.project(workspace, name)) throw new BadUserInputError(`Project '${workspace}/${name}' already exists`, { field: 'name' });
  await api.call({
    method: 'POST', route: Route.writeProjectCreate, idempotent: false,
    json: { workspaceName: workspace, projectName: name, projectDescription: input.description ?? '', isPublic: input.isPublic ?? false },
  });
  await api.forgetProject(workspace, name);
  const created = await api.project(workspace, name);
  return {
    id: created?.id ?? '',
    workspace,
    name,
    description: input.description ?? null,
    isPublic: input.isPublic ?? false,
    createdAt: null,
    lastUpdatedAt: created?.lastUpdatedAt ?? null,
    experimentCount: 0,
  };
}

/**
 * There is no "end" endpoint (§5): the end time goes to `set-start-end-time` and the liveness to
 * `update-status`; the end status, which Comet cannot store, to the gateway's `trackql.status` other.
 */
export async function endExperiment(api: CometApi, input: EndExperimentInput, now: number): Promise<Experiment> {
  if (!END_STATUSES.includes(input.status)) throw new BadUserInputError(`status must be one of ${END_STATUSES.join(', ')}, got '${String(input.status)}'`);
  const meta = await requireMeta(api, input.experimentKey);
  const endedAt = input.endedAt ?? now;
  const experimentKey = input.experimentKey;
  await setOther(api, experimentKey, OtherKey.status, input.status);
  await api.call({ method: 'POST', route: Route.writeSetStartEndTime, idempotent: true, json: { experimentKey, endTimeMillis: endedAt } });
  await api.call({
    method: 'POST', route: Route.writeUpdateStatus, idempotent: true,
    json: { experimentKey, isAlive: false, hasCrashed: input.status === 'CRASHED', ...(input.status === 'FAILED' ? { error: 'FAILED' } : {}) },
  });
  const others = (await allOthers(api, experimentKey)).filter((o) => o.key !== OtherKey.status);
  await forgetRun(api, meta);
  const ended = { ...meta, running: false, endedAt };
  await remember(api, ended, [...others, { key: OtherKey.status, value: input.status }]);
  return toExperiment(api, ended, { status: input.status, parentKey: factsFromOthers(others).parentKey });
}

export async function addTags(api: CometApi, experimentKey: string, tags: readonly string[]): Promise<string[]> {
  const clean = [...new Set(tags.map((t, i) => requireName(t, `tags[${i}]`)))];
  const meta = await requireMeta(api, experimentKey);
  const before = await api.tags(experimentKey);
  if (clean.length > 0) await api.call({ method: 'POST', route: Route.writeTags, idempotent: true, json: { experimentKey, addedTags: clean } });
  await forgetRun(api, meta);
  return [...new Set([...before, ...clean])].sort();
}

export async function archiveExperiment(api: CometApi, experimentKey: string): Promise<Experiment> {
  const meta = await requireMeta(api, experimentKey);
  await api.call({ method: 'GET', route: Route.writeArchive, idempotent: true, query: { experimentKey } });
  const others = await allOthers(api, experimentKey);
  await forgetRun(api, meta);
  const archived = { ...meta, archived: true };
  await remember(api, archived, others);
  return toExperiment(api, archived, factsFromOthers(others));
}

/**
 * Deletes the run (permanent, §5). Its children stay, as top-level runs: their parent links are emptied
 * first, so none points at a run that no longer exists.
 */
export async function deleteExperiment(api: CometApi, experimentKey: string): Promise<void> {
  const meta = await requireMeta(api, experimentKey);
  for (const child of await childKeys(api, meta)) {
    await setOther(api, child, OtherKey.parentKey, '');
    await api.forgetExperiment(child, ['others']);
  }
  await api.call({ method: 'GET', route: Route.writeDelete, idempotent: false, query: { experimentKey } });
  await forgetRun(api, meta);
}

export async function forgetRun(api: CometApi, meta: ExperimentMeta): Promise<void> {
  await api.forgetExperiment(meta.key, ['meta', 'params', 'tags', 'others', 'summary', 'assets', 'models']);
  await api.forgetProject(meta.workspace, meta.project);
}

/** Writes what is now known into the cache, so reads within the TTL see it even while Comet lags (§8). */
async function remember(api: CometApi, meta: ExperimentMeta, others: readonly { key: string; value: string }[]): Promise<void> {
  await api.cache.set(`meta:${meta.key}`, meta);
  await api.cache.set(`others:${meta.key}`, others);
}
