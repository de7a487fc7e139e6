/**
 * Restore, project update and delete, and asset delete on their REST endpoints (§5). Like the other
 * lifecycle writes (writes.ts) they answer with the entity, so they reach Comet now, and the answer is built
 * from what was written because Comet's reads lag its writes (§8).
 */
import { BadUserInputError, NotFoundError } from '../../errors';
import type { DeleteProjectInput, Experiment, Project, UpdateProjectInput } from '../port';
import type { CometApi } from './api';
import { allOthers, factsFromOthers, toExperiment } from './experiment-reads';
import { Route } from './protocol';
import { forgetRun, projectName, requireMeta, requireName } from './writes';

/** `GET write/experiment/restore?experimentKey=` (§5). */
export async function restoreExperiment(api: CometApi, experimentKey: string): Promise<Experiment> {
  const meta = await requireMeta(api, experimentKey);
  await api.call({ method: 'GET', route: Route.writeRestore, idempotent: true, query: { experimentKey } });
  const others = await allOthers(api, experimentKey);
  await forgetRun(api, meta);
  const restored = { ...meta, archived: false };
  await api.cache.set(`meta:${meta.key}`, restored);
  return toExperiment(api, restored, factsFromOthers(others));
}

/** `write/project/update` with `newProjectName`, `newProjectDescription` and `isPublic`, by name (§5). */
export async function updateProject(api: CometApi, input: UpdateProjectInput): Promise<Project> {
  const workspace = requireName(input.workspace, 'workspace');
  const name = requireName(input.name, 'name');
  const current = await api.project(workspace, name);
  if (!current) throw new NotFoundError(`Project '${workspace}/${name}' does not exist`);
  const newName = input.newName == null ? name : projectName(input.newName);
  if (newName !== name && (await api.project(workspace, newName))) throw new BadUserInputError(`Project '${workspace}/${newName}' already exists`, { field: 'newName' });
  const body: Record<string, unknown> = { workspaceName: workspace, projectName: name };
  if (newName !== name) body.newProjectName = newName;
  if (input.description !== undefined) body.newProjectDescription = input.description ?? '';
  if (input.isPublic != null) body.isPublic = input.isPublic;
  await api.call({ method: 'POST', route: Route.writeProjectUpdate, idempotent: true, json: body });
  await api.forgetProject(workspace, name);
  await api.forgetProject(workspace, newName);
  return {
    id: current.id, workspace, name: newName,
    description: input.description === undefined ? current.description : input.description,
    isPublic: input.isPublic ?? current.isPublic, createdAt: null, lastUpdatedAt: current.lastUpdatedAt,
    experimentCount: current.numberOfExperiments ?? 0,
  };
}

/** `write/project/delete` with `deleteAllExperiments` only when forced; a non-empty project is refused first (§5). */
export async function deleteProject(api: CometApi, input: DeleteProjectInput): Promise<{ deletedExperiments: number }> {
  const workspace = requireName(input.workspace, 'workspace');
  const name = requireName(input.name, 'name');
  if (!(await api.project(workspace, name))) throw new NotFoundError(`Project '${workspace}/${name}' does not exist`);
  await api.forgetProject(workspace, name);
  const live = (await api.experimentList(workspace, name, false)) ?? [];
  const archived = (await api.experimentList(workspace, name, true)) ?? [];
  const runs = live.length + archived.length;
  if (runs > 0 && input.force !== true) {
    throw new BadUserInputError(`Project '${workspace}/${name}' holds ${runs} experiments: delete them first, or pass force: true`, { reason: 'NOT_EMPTY', experiments: runs });
  }
  await api.call({ method: 'POST', route: Route.writeProjectDelete, idempotent: true, json: { workspaceName: workspace, projectName: name, deleteAllExperiments: input.force === true } });
  await Promise.all([...live, ...archived].map((meta) => forgetRun(api, meta)));
  await api.forgetProject(workspace, name);
  return { deletedExperiments: runs };
}

/** `GET write/experiment/asset/delete?experimentKey=&assetId=` (§5), for an asset the run lists. */
export async function deleteAsset(api: CometApi, experimentKey: string, assetId: string): Promise<void> {
  const meta = await requireMeta(api, experimentKey);
  if (!(await api.assets(meta.key)).some((a) => a.assetId === assetId)) {
    throw new NotFoundError(`Asset '${assetId}' of experiment '${experimentKey}' does not exist`);
  }
  await api.call({ method: 'GET', route: Route.writeAssetDelete, idempotent: true, query: { experimentKey: meta.key, assetId } });
  await api.forgetExperiment(meta.key, ['assets', 'models']);
}
