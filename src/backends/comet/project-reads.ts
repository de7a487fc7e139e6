/**
 * Workspaces and projects. Comet's lists are unpaginated (§8): they are read whole (cached) and cut into
 * pages here. A project's `experimentCount` counts live runs from the listing (archived excluded, as the
 * port says), because whether Comet's `numberOfExperiments` counts archived runs is not documented (§3):
 * the defensive reading costs one cached `experiments` call per project, shared with any listing of it.
 */
import { isTrackqlError } from '../../errors';
import type { Page, PageRequest, Project, ProjectRef, Workspace } from '../port';
import type { CometApi } from './api';
import { slicePage } from './cursor';
import type { CometProject } from './decode';
import { mapLimit } from './limiter';

const CURSOR_KIND = 'co';
const FANOUT = 8;

/** Runs `work`, putting a coded error in the slot instead of failing the batch. */
export async function slot<T>(work: () => Promise<T>): Promise<T | Error> {
  try {
    return await work();
  } catch (error) {
    if (isTrackqlError(error)) return error;
    throw error;
  }
}

export async function listWorkspaces(api: CometApi): Promise<Workspace[]> {
  return [...new Set(await api.workspaces())].sort().map((name) => ({ name, createdAt: null }));
}

export async function getWorkspaces(api: CometApi, names: readonly string[]): Promise<(Workspace | null)[]> {
  const known = new Set(await api.workspaces());
  return names.map((name) => (known.has(name) ? { name, createdAt: null } : null));
}

async function withCount(api: CometApi, p: CometProject): Promise<Project> {
  const experimentCount = p.numberOfExperiments === 0 ? 0 : ((await api.experimentList(p.workspace, p.name, false))?.length ?? 0);
  return {
    id: p.id,
    workspace: p.workspace,
    name: p.name,
    description: p.description,
    isPublic: p.isPublic,
    createdAt: null,
    lastUpdatedAt: p.lastUpdatedAt,
    experimentCount,
  };
}

export async function getProjects(api: CometApi, refs: readonly ProjectRef[]): Promise<(Project | Error | null)[]> {
  const ids = [...new Set(refs.map((r) => JSON.stringify([r.workspace.trim(), r.name.trim()])))];
  const loaded = new Map(await mapLimit(ids, FANOUT, async (id) => {
    const [ws, name] = JSON.parse(id) as [string, string];
    return [id, await slot(async () => {
      // The listing (for experimentCount) and the columns (which any experiment list of the project needs)
      // are fetched with the project, not after it: a dashboard's project → experiments costs one round trip
      // less. Their errors surface, if at all, where they are really needed.
      const [p] = await Promise.all([
        api.project(ws, name),
        api.experimentList(ws, name, false).catch(() => null),
        api.columns(ws, name, false).catch(() => []),
      ]);
      return p === null ? null : withCount(api, p);
    })] as const;
  }));
  return refs.map((r) => loaded.get(JSON.stringify([r.workspace.trim(), r.name.trim()])) ?? null);
}

export async function listProjects(api: CometApi, workspace: string, page: PageRequest): Promise<Page<Project>> {
  const projects = [...(await api.projects(workspace.trim()))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { items, ...rest } = slicePage(CURSOR_KIND, projects, page, (p) => p.name);
  return { ...rest, items: await mapLimit(items, FANOUT, (p) => withCount(api, p)) };
}

