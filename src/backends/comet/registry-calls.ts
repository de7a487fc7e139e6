/**
 * The model registry (§6), through the novel API: `registry-model/item/create` registers a version from an
 * experiment key and model name (creating the model when needed), `registry-model/items` lists versions with
 * tags and status. Names are normalised as Comet does (Corrections 3) before any lookup. Comet has no
 * aliases: `capabilities().modelAliases` is false and alias changes are refused.
 */
import { BadUserInputError, NotFoundError } from '../../errors';
import type {
  ModelVersionRef,
  ModelVersion, Page, PageRequest, RegisterModelInput, RegisteredModel, RegisteredModelRef, UpdateModelVersionInput,
} from '../port';
import { type CometApi, orNull } from './api';
import { decodeRegistryItems, decodeRegistryModels, splitStageTags } from './decode-registry';
import { childKeys } from './experiment-reads';
import { mapLimit } from './limiter';
import { slicePage } from './cursor';
import { slot } from './project-reads';
import { Route, STAGE_TAG_PREFIX } from './protocol';
import { requireMeta } from './writes';

/** Cursors of registry listings (not interchangeable with other lists' cursors). */
const REGISTRY_CURSOR_KIND = 'cr';

/** Comet's registry-name rule (Corrections 3): non-alphanumerics to `-`, `--` collapsed, trimmed, lowercased. */
export function normaliseModelName(name: string): string {
  return name.trim().replace(/[^A-Za-z0-9]/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
}

/** Child-run versions bump the patch (1.2.0 → 1.2.1…), as the SQLite backend does (sqlite/registry-rows.ts). */
export function childVersion(base: string, taken: ReadonlySet<string>): string {
  const semver = /^(\d+)\.(\d+)\.(\d+)$/.exec(base);
  for (let n = 1; ; n++) {
    const candidate = semver ? `${semver[1]}.${semver[2]}.${Number(semver[3]) + n}` : `${base}-child.${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function registryModels(api: CometApi, ws: string): Promise<RegisteredModel[]> {
  return api.cache.getOrLoad(`registry:${ws}`, async () =>
    (await orNull(api.get(Route.registryModels, { workspaceName: ws }).then((j) => decodeRegistryModels(j, ws)))) ?? []);
}

/** Versions newest first (by creation, then version descending); null when the model does not exist. */
function versionsOf(api: CometApi, ws: string, name: string): Promise<ModelVersion[] | null> {
  return api.cache.getOrLoad(`items:${ws}/${name}`, async () => {
    const items = await orNull(api.get(Route.registryItems, { workspaceName: ws, modelName: name }).then((j) => decodeRegistryItems(j, ws, name)));
    return items?.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || (a.version < b.version ? 1 : a.version > b.version ? -1 : 0)) ?? null;
  });
}

export async function getRegisteredModels(api: CometApi, refs: readonly RegisteredModelRef[]): Promise<(RegisteredModel | Error | null)[]> {
  const workspaces = [...new Set(refs.map((r) => r.workspace.trim()))];
  const lists = new Map(await mapLimit(workspaces, 8, async (ws) => [ws, await slot(() => registryModels(api, ws))] as const));
  return refs.map((r) => {
    const list = lists.get(r.workspace.trim());
    if (list instanceof Error) return list;
    return list?.find((m) => m.name === normaliseModelName(r.name)) ?? null;
  });
}

export async function listRegisteredModels(api: CometApi, workspace: string, page: PageRequest): Promise<Page<RegisteredModel>> {
  const all = [...(await registryModels(api, workspace.trim()))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return slicePage(REGISTRY_CURSOR_KIND, all, page, (m) => m.id);
}

export async function getModelVersions(api: CometApi, refs: readonly RegisteredModelRef[]): Promise<(ModelVersion[] | Error)[]> {
  const ids = [...new Set(refs.map((r) => JSON.stringify([r.workspace.trim(), normaliseModelName(r.name)])))];
  const loaded = new Map(await mapLimit(ids, 8, async (id) => {
    const [ws, name] = JSON.parse(id) as [string, string];
    return [id, await slot(async () => (await versionsOf(api, ws, name)) ?? [])] as const;
  }));
  return refs.map((r) => {
    const v = loaded.get(JSON.stringify([r.workspace.trim(), normaliseModelName(r.name)])) ?? [];
    return v instanceof Error ? v : v.map((x) => ({ ...x }));
  });
}

function stageTags(stage: string | null | undefined, tags: readonly string[]): string[] {
  return [...new Set([...(stage ? [`${STAGE_TAG_PREFIX}${stage}`] : []), ...tags])];
}

async function forgetRegistry(api: CometApi, ws: string, name: string): Promise<void> {
  await api.cache.delete([`registry:${ws}`, `items:${ws}/${name}`]);
}

/** Runs below `rootKey`, depth first, siblings by start time then key (the order versions are given in). */
async function descendants(api: CometApi, rootKey: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set([rootKey]);
  const visit = async (key: string): Promise<void> => {
    const meta = await api.meta(key);
    if (!meta) return;
    const children = (await Promise.all((await childKeys(api, meta)).map((k) => api.meta(k))))
      .filter((m) => m !== null)
      .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || (a.key < b.key ? -1 : 1));
    for (const child of children) {
      if (seen.has(child.key)) continue;
      seen.add(child.key);
      found.push(child.key);
      await visit(child.key);
    }
  };
  await visit(rootKey);
  return found;
}

export async function registerModel(api: CometApi, input: RegisterModelInput): Promise<{ model: RegisteredModel; versions: ModelVersion[] }> {
  const meta = await requireMeta(api, input.experimentKey);
  const modelName = input.experimentModelName.trim();
  if (!(await api.modelNames(meta.key)).includes(modelName)) throw new NotFoundError(`Experiment '${meta.key}' has no model named '${modelName}'`);
  const workspace = input.workspace?.trim() || meta.workspace;
  if (workspace !== meta.workspace) throw new BadUserInputError(`Comet registers a model in its experiment's workspace ('${meta.workspace}'), not '${workspace}'`, { field: 'workspace' });
  const name = normaliseModelName(input.registryName);
  if (name === '') throw new BadUserInputError(`registryName '${input.registryName}' has no letters or digits`, { field: 'registryName' });
  const version = input.version.trim();
  const taken = new Set((await versionsOf(api, workspace, name))?.map((v) => v.version) ?? []);
  if (taken.has(version)) throw new BadUserInputError(`Model '${workspace}/${name}' already has version '${version}': pick a new version`, { field: 'version' });
  const register = async (experimentKey: string, v: string): Promise<void> => {
    await api.call({
      method: 'POST', route: Route.writeRegistryItemCreate, idempotent: false,
      json: {
        experimentKey, experimentModelName: modelName, registryModelName: name, version: v, tags: stageTags(input.stage, input.tags ?? []),
        publicModel: input.isPublic ?? false,
        ...(input.description ? { registryModelDescription: input.description } : {}),
        ...(input.comment ? { versionComment: input.comment } : {}),
        ...(input.status ? { status: input.status } : {}),
      },
    });
    taken.add(v);
  };
  const registered = [version];
  await register(meta.key, version);
  if (input.includeChildren) {
    for (const child of await descendants(api, meta.key)) {
      if (!(await api.modelNames(child)).includes(modelName)) continue;
      const v = childVersion(version, taken);
      await register(child, v);
      registered.push(v);
    }
  }
  await forgetRegistry(api, workspace, name);
  const model = (await registryModels(api, workspace)).find((m) => m.name === name);
  const versions = (await versionsOf(api, workspace, name)) ?? [];
  if (!model) throw new NotFoundError(`Registered model '${workspace}/${name}' is not visible yet; read it again shortly`);
  return { model, versions: registered.flatMap((v) => versions.filter((x) => x.version === v)) };
}

export async function updateModelVersion(api: CometApi, input: UpdateModelVersionInput): Promise<ModelVersion> {
  if ((input.addAliases ?? []).length > 0 || (input.removeAliases ?? []).length > 0) {
    throw new BadUserInputError('Comet has no model aliases: this gateway cannot store them (capabilities.modelAliases is false)', { field: 'addAliases' });
  }
  if (input.status === null) throw new BadUserInputError('Comet cannot clear the status of a model version: set another status', { field: 'status' });
  const workspace = input.workspace.trim();
  const name = normaliseModelName(input.modelName);
  const versions = await versionsOf(api, workspace, name);
  if (!versions) throw new NotFoundError(`Registered model '${workspace}/${name}' does not exist`);
  const current = versions.find((v) => v.version === input.version.trim());
  if (!current) throw new NotFoundError(`Model '${workspace}/${name}' has no version '${input.version}'`);
  const stage = input.stage === undefined ? current.stage : input.stage;
  const tags = input.tags == null ? current.tags : input.tags;
  const update: Record<string, unknown> = {};
  if (input.stage !== undefined || input.tags != null) update.stages = stageTags(stage, tags);
  if (input.comment !== undefined) update.comment = input.comment ?? '';
  if (Object.keys(update).length > 0) {
    await api.call({ method: 'POST', route: Route.writeRegistryItemUpdate, idempotent: true, json: { registryModelItemId: current.id, ...update } });
  }
  if (input.status !== undefined) {
    await api.call({ method: 'POST', route: Route.writeRegistryItemStatus, idempotent: true, json: { status: input.status, modelItemId: current.id } });
  }
  await forgetRegistry(api, workspace, name);
  const fresh = (await versionsOf(api, workspace, name))?.find((v) => v.id === current.id);
  return fresh ?? { ...current, ...splitStageTags(stageTags(stage, tags)), status: input.status ?? current.status, comment: input.comment === undefined ? current.comment : input.comment };
}

/** `GET write/registry-model/item/delete?modelItemId=` (§6) for the version's item. */
export async function deleteModelVersion(api: CometApi, ref: ModelVersionRef): Promise<void> {
  const workspace = ref.workspace.trim();
  const name = normaliseModelName(ref.modelName);
  const versions = await versionsOf(api, workspace, name);
  if (!versions) throw new NotFoundError(`Registered model '${workspace}/${name}' does not exist`);
  const current = versions.find((v) => v.version === ref.version.trim());
  if (!current) throw new NotFoundError(`Model '${workspace}/${name}' has no version '${ref.version}'`);
  await api.call({ method: 'GET', route: Route.writeRegistryItemDelete, idempotent: true, query: { modelItemId: current.id } });
  await forgetRegistry(api, workspace, name);
}
