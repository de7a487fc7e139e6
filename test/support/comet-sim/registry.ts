/** Model registry logic and read shapes (§6), kept apart from the routes that expose them. */
import { createHash } from 'node:crypto';
import { requireWorkspace } from './access';
import { SdkErrorCode } from './constants';
import { CometSimError, badRequest, forbidden, notFound } from './errors';
import type { SimRequest } from './route';
import { assetJson } from './shapes';
import { newId } from './state';
import type { ExperimentRecord, RegistryItemRecord, RegistryModelRecord } from './types';

/**
 * Registry names are normalised (Corrections 3): every non-alphanumeric character becomes `-`, `--` collapses
 * to `-`, leading and trailing `-` are stripped, and the name is lowercased.
 */
export function normaliseModelName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Versions are semver strings (§6); anything else is Python's INVALID_VERSION_STRING (code not seen). */
export function checkVersion(version: string, where: string): string {
  if (!SEMVER.test(version)) throw badRequest(`${where}: invalid version string '${version}'; expected semver such as 1.0.0`);
  return version;
}

/** Semver precedence, for "latest". */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (pa === null || pb === null) return a.localeCompare(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  if (pa[4] === undefined || pb[4] === undefined) return (pa[4] === undefined ? 1 : 0) - (pb[4] === undefined ? 1 : 0);
  return pa[4].localeCompare(pb[4], 'en', { numeric: true });
}

export function findModel(req: SimRequest, workspaceName: string, modelName: string): RegistryModelRecord | undefined {
  for (const m of req.state.registryModels.values()) {
    if (m.workspaceName === workspaceName && m.modelName === modelName) return m;
  }
  return undefined;
}

/** A model by workspace and (already normalised) name; reads answer 404, writes 400, both with 42008. */
export function requireModel(req: SimRequest, workspaceName: string, modelName: string, mode: 'read' | 'write'): RegistryModelRecord {
  requireWorkspace(req, workspaceName);
  const model = findModel(req, workspaceName, modelName);
  if (model === undefined) {
    const msg = `registry model '${modelName}' not found in workspace '${workspaceName}'`;
    throw new CometSimError(mode === 'read' ? 404 : 400, msg, SdkErrorCode.REGISTRY_MODEL_NOT_FOUND);
  }
  return model;
}

export function requireItem(req: SimRequest, itemId: string): { model: RegistryModelRecord; item: RegistryItemRecord } {
  for (const model of req.state.registryModels.values()) {
    const item = model.items.find((i) => i.registryModelItemId === itemId);
    if (item === undefined) continue;
    if (!req.key.workspaces.includes(model.workspaceName)) throw forbidden(`no access to model version '${itemId}'`);
    return { model, item };
  }
  throw new CometSimError(400, `no model version '${itemId}'`, SdkErrorCode.NO_MODEL_TO_UPDATE);
}

export function createModel(
  req: SimRequest,
  workspaceName: string,
  rawName: string,
  description: string,
  isPublic: boolean,
): RegistryModelRecord {
  const modelName = normaliseModelName(rawName);
  if (modelName === '') throw badRequest(`registry model name '${rawName}' has no letters or digits`);
  if (findModel(req, workspaceName, modelName) !== undefined) {
    throw badRequest(`registry model '${modelName}' already exists in workspace '${workspaceName}'; add a version instead`);
  }
  const now = Date.now();
  const model: RegistryModelRecord = {
    registryModelId: newId(), workspaceName, modelName, description, isPublic,
    userName: req.key.userName, createdAt: now, lastUpdated: now, items: [],
  };
  req.state.registryModels.set(model.registryModelId, model);
  return model;
}

export interface NewItem {
  version: string;
  comment: string;
  tags: string[];
  status: string | null;
  experiment: ExperimentRecord;
  experimentModelName: string;
}

export function addItem(req: SimRequest, model: RegistryModelRecord, n: NewItem, where: string): RegistryItemRecord {
  checkVersion(n.version, where);
  if (model.items.some((i) => i.version === n.version)) {
    throw badRequest(`${where}: version ${n.version} of '${model.modelName}' already exists`);
  }
  const experimentModel = n.experiment.models.find((m) => m.modelName === n.experimentModelName);
  if (experimentModel === undefined) {
    throw new CometSimError(400, `${where}: experiment '${n.experiment.experimentKey}' has no model '${n.experimentModelName}'`, SdkErrorCode.NO_MODEL_TO_UPDATE);
  }
  const now = Date.now();
  const item: RegistryItemRecord = {
    registryModelItemId: newId(), registryModelId: model.registryModelId, version: n.version, comment: n.comment,
    tags: [...new Set(n.tags)], status: n.status, experimentModelId: experimentModel.experimentModelId,
    experimentKey: n.experiment.experimentKey, experimentModelName: n.experimentModelName,
    userName: req.key.userName, createdAt: now, lastUpdated: now,
  };
  model.items.push(item);
  model.lastUpdated = now;
  return item;
}

// ---- read shapes -----------------------------------------------------------------------------------------

const experimentModel = (i: RegistryItemRecord) => ({
  experimentModelId: i.experimentModelId, experimentKey: i.experimentKey, modelName: i.experimentModelName,
});

export function latestItem(m: RegistryModelRecord): RegistryItemRecord | undefined {
  return [...m.items].sort((a, b) => compareVersions(b.version, a.version))[0];
}

/** An entry of `registry-model` (§6). */
export function modelSummary(m: RegistryModelRecord) {
  const latest = latestItem(m);
  return {
    registryModelId: m.registryModelId, modelName: m.modelName, description: m.description,
    numberOfVersions: m.items.length, isPublic: m.isPublic,
    latestVersion: latest === undefined ? null : {
      registryModelItemId: latest.registryModelItemId, experimentModel: experimentModel(latest),
      version: latest.version, comment: latest.comment, stages: latest.tags, metadata: [],
      userName: latest.userName, createdAt: latest.createdAt, lastUpdated: latest.lastUpdated,
    },
    imagePath: null, userName: m.userName, createdAt: m.createdAt, lastUpdated: m.lastUpdated,
  };
}

/** `registry-model/details` (§6): versions in creation order, each with its experiment model's assets. */
export function modelDetails(req: SimRequest, m: RegistryModelRecord) {
  return {
    registryModelId: m.registryModelId,
    workspaceId: createHash('sha256').update(m.workspaceName).digest('hex').slice(0, 32),
    modelName: m.modelName, description: m.description, numberOfVersions: m.items.length, isPublic: m.isPublic,
    isAutoGenerated: false, isMonitored: false, imagePath: null,
    userName: m.userName, createdAt: m.createdAt, lastUpdated: m.lastUpdated,
    versions: m.items.map((i) => {
      const experiment = req.state.experiments.get(i.experimentKey);
      const assetIds = experiment?.models.find((x) => x.experimentModelId === i.experimentModelId)?.assetIds ?? [];
      const assets = (experiment?.assets ?? []).filter((a) => assetIds.includes(a.assetId));
      return {
        registryModelItemId: i.registryModelItemId, experimentModel: experimentModel(i), version: i.version,
        comment: i.comment, stages: i.tags, assets: assets.map((a) => assetJson(req.origin, i.experimentKey, a)),
        userName: i.userName, createdAt: i.createdAt, lastUpdated: i.lastUpdated,
        restApiUrl: `${req.origin}/api/rest/v2/registry-model/item/download?workspaceName=${m.workspaceName}&modelName=${m.modelName}&version=${i.version}`,
      };
    }),
  };
}

/** A version in the novel API's shape (`registry-model/items`, `registry-model/item/details`, §6). */
export function itemJson(i: RegistryItemRecord) {
  return {
    registryModelItemId: i.registryModelItemId, version: i.version, tags: i.tags, status: i.status,
    experimentKey: i.experimentKey, experimentModelName: i.experimentModelName, comment: i.comment,
    userName: i.userName, createdAt: i.createdAt, updatedAt: i.lastUpdated,
  };
}

export function requireVersion(m: RegistryModelRecord, version: string): RegistryItemRecord {
  const item = m.items.find((i) => i.version === version);
  if (item === undefined) throw notFound(`version ${version} of '${m.modelName}' not found`, SdkErrorCode.REGISTRY_MODEL_NOT_FOUND);
  return item;
}
