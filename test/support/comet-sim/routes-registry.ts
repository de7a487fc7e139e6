/**
 * Model registry routes (§6): the legacy flow (`write/registry-model`, `write/registry-model/item` from an
 * `experimentModelId`), the novel flow (`write/registry-model/item/create` from an experiment key and model
 * name), and reads. Names in writes are normalised; reads look names up exactly as given (normalisation is
 * the client's job, Corrections 3), so a client that forgets to normalise finds nothing.
 */
import { requireExperiment, requireWorkspace } from './access';
import { Path, REGISTRY_STATUSES, SdkErrorCode } from './constants';
import { CometSimError, badRequest, forbidden } from './errors';
import {
  addItem, createModel, findModel, itemJson, modelDetails, modelSummary, normaliseModelName, requireItem, requireModel,
  requireVersion,
} from './registry';
import { json, saved, type Route, type SimRequest } from './route';
import type { ExperimentRecord } from './types';
import { decodeObject, decodeQuery, optional, qOptional, qRequired, required } from './validate';

const MODEL_QUERY = { workspaceName: qRequired('string'), modelName: qRequired('string') } as const;
const STAGE_QUERY = { modelItemId: qRequired('string'), stage: qRequired('string') } as const;

/** The experiment owning an experiment model, for the legacy flow. */
function fromExperimentModel(req: SimRequest, experimentModelId: string): { experiment: ExperimentRecord; modelName: string } {
  const found = req.state.findExperimentModel(experimentModelId);
  if (found === undefined) {
    throw new CometSimError(400, `no experiment model '${experimentModelId}'`, SdkErrorCode.NO_MODEL_TO_UPDATE);
  }
  if (!req.key.workspaces.includes(req.state.workspaceOf(found.experiment))) {
    throw forbidden(`no access to experiment model '${experimentModelId}'`);
  }
  return found;
}

const LEGACY_ITEM_FIELDS = {
  experimentModelId: required('string'),
  registryModelName: required('string'),
  version: required('string'),
  comment: optional('string'),
  stages: optional('stringArray'),
} as const;

export const registryRoutes: readonly Route[] = [
  {
    method: 'GET',
    name: Path.registryModels,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { workspaceName: qRequired('string') }, Path.registryModels);
      requireWorkspace(req, q.workspaceName);
      const models = [...req.state.registryModels.values()].filter((m) => m.workspaceName === q.workspaceName);
      return json({ registryModels: models.map(modelSummary) });
    },
  },
  {
    method: 'GET',
    name: Path.registryModelCount,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { workspaceName: qRequired('string') }, Path.registryModelCount);
      requireWorkspace(req, q.workspaceName);
      const n = [...req.state.registryModels.values()].filter((m) => m.workspaceName === q.workspaceName).length;
      return json({ registryModelCount: n });
    },
  },
  {
    method: 'GET',
    name: Path.registryModelDetails,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, MODEL_QUERY, Path.registryModelDetails);
      return json(modelDetails(req, requireModel(req, q.workspaceName, q.modelName, 'read')));
    },
  },
  {
    method: 'GET',
    name: Path.registryModelItems,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, {
        ...MODEL_QUERY, tag: qOptional('string'), status: qOptional('string'), versionPrefix: qOptional('string'),
      }, Path.registryModelItems);
      const model = requireModel(req, q.workspaceName, q.modelName, 'read');
      const items = model.items
        .filter((i) => (q.tag === undefined || i.tags.includes(q.tag))
          && (q.status === undefined || i.status === q.status)
          && (q.versionPrefix === undefined || i.version.startsWith(q.versionPrefix)))
        .reverse(); // newest first (§6)
      return json({ items: items.map(itemJson) });
    },
  },
  {
    method: 'GET',
    name: Path.registryModelItemDetails,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { ...MODEL_QUERY, version: qRequired('string') }, Path.registryModelItemDetails);
      return json(itemJson(requireVersion(requireModel(req, q.workspaceName, q.modelName, 'read'), q.version)));
    },
  },
  {
    method: 'POST',
    name: Path.writeRegistryModel,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        ...LEGACY_ITEM_FIELDS, isPublic: optional('boolean'), description: optional('string'),
      }, Path.writeRegistryModel);
      const { experiment, modelName } = fromExperimentModel(req, b.experimentModelId);
      const model = createModel(req, req.state.workspaceOf(experiment), b.registryModelName, b.description ?? '', b.isPublic ?? false);
      const item = addItem(req, model, {
        version: b.version, comment: b.comment ?? '', tags: b.stages ?? [], status: null, experiment, experimentModelName: modelName,
      }, Path.writeRegistryModel);
      return json({ registryModelId: model.registryModelId, registryModelItemId: item.registryModelItemId });
    },
  },
  {
    method: 'POST',
    name: Path.writeRegistryItem,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, LEGACY_ITEM_FIELDS, Path.writeRegistryItem);
      const { experiment, modelName } = fromExperimentModel(req, b.experimentModelId);
      const model = requireModel(req, req.state.workspaceOf(experiment), normaliseModelName(b.registryModelName), 'write');
      const item = addItem(req, model, {
        version: b.version, comment: b.comment ?? '', tags: b.stages ?? [], status: null, experiment, experimentModelName: modelName,
      }, Path.writeRegistryItem);
      return json({ registryModelId: model.registryModelId, registryModelItemId: item.registryModelItemId });
    },
  },
  {
    method: 'POST',
    name: Path.writeRegistryItemCreate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experimentKey: required('string'),
        experimentModelName: optional('string'),
        modelName: optional('string'), // some clients' spelling of experimentModelName (Corrections 7)
        registryModelName: required('string'),
        registryModelDescription: optional('string'),
        version: required('string'),
        versionComment: optional('string'),
        tags: optional('stringArray'),
        status: optional('string'),
        publicModel: optional('boolean'),
      }, Path.writeRegistryItemCreate);
      const experimentModelName = b.experimentModelName ?? b.modelName;
      if (experimentModelName === undefined) {
        throw badRequest(`${Path.writeRegistryItemCreate}: missing required field 'experimentModelName'`);
      }
      if (b.status !== undefined) checkStatus(b.status, Path.writeRegistryItemCreate);
      const experiment = requireExperiment(req, b.experimentKey, 'write');
      const ws = req.state.workspaceOf(experiment);
      // The novel flow creates the model when it does not exist yet, else adds a version.
      const model = findModel(req, ws, normaliseModelName(b.registryModelName))
        ?? createModel(req, ws, b.registryModelName, b.registryModelDescription ?? '', b.publicModel ?? false);
      const item = addItem(req, model, {
        version: b.version, comment: b.versionComment ?? '', tags: b.tags ?? [], status: b.status ?? null,
        experiment, experimentModelName,
      }, Path.writeRegistryItemCreate);
      return json({ registryModelId: model.registryModelId, registryModelItemId: item.registryModelItemId });
    },
  },
  {
    method: 'POST',
    name: Path.writeRegistryItemUpdate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        registryModelItemId: required('string'), comment: optional('string'), stages: optional('stringArray'),
      }, Path.writeRegistryItemUpdate);
      const { model, item } = requireItem(req, b.registryModelItemId);
      if (b.comment !== undefined) item.comment = b.comment;
      if (b.stages !== undefined) item.tags = [...new Set(b.stages)];
      item.lastUpdated = model.lastUpdated = Date.now();
      return saved();
    },
  },
  {
    method: 'GET',
    name: Path.writeRegistryItemStage,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, STAGE_QUERY, Path.writeRegistryItemStage);
      const { model, item } = requireItem(req, q.modelItemId);
      if (!item.tags.includes(q.stage)) item.tags.push(q.stage);
      item.lastUpdated = model.lastUpdated = Date.now();
      return saved();
    },
  },
  {
    method: 'GET',
    name: Path.writeRegistryItemStageDelete,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, STAGE_QUERY, Path.writeRegistryItemStageDelete);
      const { model, item } = requireItem(req, q.modelItemId);
      item.tags = item.tags.filter((t) => t !== q.stage); // removing an absent stage is a no-op (a sim choice)
      item.lastUpdated = model.lastUpdated = Date.now();
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.writeRegistryItemStatus,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { status: required('string'), modelItemId: required('string') }, Path.writeRegistryItemStatus);
      const { model, item } = requireItem(req, b.modelItemId);
      item.status = checkStatus(b.status, Path.writeRegistryItemStatus);
      item.lastUpdated = model.lastUpdated = Date.now();
      return saved();
    },
  },
  {
    method: 'GET',
    name: Path.writeRegistryModelDelete,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, MODEL_QUERY, Path.writeRegistryModelDelete);
      req.state.registryModels.delete(requireModel(req, q.workspaceName, q.modelName, 'write').registryModelId);
      return saved();
    },
  },
  {
    method: 'GET',
    name: Path.writeRegistryItemDelete,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { modelItemId: qRequired('string') }, Path.writeRegistryItemDelete);
      const { model, item } = requireItem(req, q.modelItemId);
      model.items = model.items.filter((i) => i !== item);
      model.lastUpdated = Date.now();
      return saved();
    },
  },
];

function checkStatus(status: string, where: string): string {
  if (!REGISTRY_STATUSES.includes(status)) {
    throw badRequest(`${where}: status '${status}' is not allowed; expected one of ${REGISTRY_STATUSES.join(', ')}`);
  }
  return status;
}
