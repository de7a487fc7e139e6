/** Asset upload (multipart), listing and download, and experiment models (§3 "Assets", §5 "Upload an asset"). */
import { requireExperiment } from './access';
import { ASSET_TYPES, Path } from './constants';
import { badRequest, notFound } from './errors';
import type { MultipartForm, MultipartPart } from './multipart';
import { json, type Route } from './route';
import { assetJson } from './shapes';
import { newId } from './state';
import { decodeQuery, isObject, qOptional, qRequired } from './validate';

const UPLOAD_QUERY = {
  experimentKey: qRequired('string'),
  fileName: qRequired('string'),
  type: qOptional('string'),
  overwrite: qOptional('boolean'),
  step: qOptional('integer'),
  epoch: qOptional('integer'),
  context: qOptional('string'),
  extension: qOptional('string'),
  groupingName: qOptional('string'),
  artifactVersionId: qOptional('string'),
  isRemote: qOptional('boolean'),
  source: qOptional('string'), // R only
  metadata: qOptional('string'), // Python also copies the metadata part here (Corrections 6)
} as const;

/** Form parts: `file` (or `link` for remote assets), `metadata` (a JSON string), Java's `tags` (§5, Corrections 6). */
const FORM_PARTS = new Set(['file', 'metadata', 'link', 'tags']);

function single(form: MultipartForm, name: string): MultipartPart | undefined {
  const parts = form.parts.filter((p) => p.name === name);
  if (parts.length > 1) throw badRequest(`${Path.writeUploadAsset}: form part '${name}' given more than once`);
  return parts[0];
}

/** The metadata must be a JSON object, sent as a string; it is stored and listed as that string. */
function checkMetadata(text: string, where: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw badRequest(`${Path.writeUploadAsset}: ${where} must be a JSON-encoded object, got '${text.slice(0, 40)}'`);
  }
  if (!isObject(parsed)) throw badRequest(`${Path.writeUploadAsset}: ${where} must be a JSON-encoded object`);
  return text;
}

/**
 * Java's `tags` part: its encoding was not seen. Each `tags` part is read as a JSON array of strings, or else
 * as one tag.
 */
function tagsOf(form: MultipartForm): string[] {
  return form.parts.filter((p) => p.name === 'tags').flatMap((p) => {
    const text = p.data.toString('utf8');
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed) && parsed.every((t) => typeof t === 'string')) return parsed;
    } catch {
      // a plain tag
    }
    return [text];
  });
}

function checkType(type: string, where: string, allowAll: boolean): string {
  if (!ASSET_TYPES.includes(type) || (!allowAll && type === 'all')) {
    throw badRequest(`${where}: unknown asset type '${type}'; expected one of ${ASSET_TYPES.join(', ')}`);
  }
  return type;
}

export const assetRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.writeUploadAsset,
    body: 'multipart',
    handle: (req) => {
      const q = decodeQuery(req.query, UPLOAD_QUERY, Path.writeUploadAsset);
      const form = req.form;
      if (form === undefined) throw new Error('upload-asset without a parsed form');
      for (const part of form.parts) {
        if (!FORM_PARTS.has(part.name)) {
          throw badRequest(`${Path.writeUploadAsset}: unknown form part '${part.name}'; expected file, metadata, link or tags`);
        }
      }
      const e = requireExperiment(req, q.experimentKey, 'write');
      const file = single(form, 'file');
      const link = single(form, 'link');
      const metadataPart = single(form, 'metadata');
      const remote = q.isRemote ?? false;
      if (remote && (link === undefined || file !== undefined)) {
        throw badRequest(`${Path.writeUploadAsset}: a remote asset (isRemote=true) takes a 'link' part and no 'file' part`);
      }
      if (!remote && (file === undefined || link !== undefined)) {
        throw badRequest(`${Path.writeUploadAsset}: expected a 'file' part (or isRemote=true with a 'link' part)`);
      }
      const metadata = metadataPart !== undefined
        ? checkMetadata(metadataPart.data.toString('utf8'), "the 'metadata' part")
        : q.metadata !== undefined ? checkMetadata(q.metadata, "the 'metadata' query parameter") : null;
      const stored = req.state.addAsset(e, {
        assetId: newId(),
        fileName: q.fileName,
        type: checkType(q.type ?? 'asset', Path.writeUploadAsset, false),
        step: q.step ?? null,
        epoch: q.epoch ?? null,
        context: q.context ?? null,
        metadata,
        tags: tagsOf(form),
        groupingName: q.groupingName ?? null,
        extension: q.extension ?? null,
        artifactVersionId: q.artifactVersionId ?? null,
        remoteLink: link?.data.toString('utf8') ?? null,
        createdAt: Date.now(),
        bytes: file?.data ?? Buffer.alloc(0),
      }, q.overwrite ?? false);
      // The answer's body was not seen (§10.4: "probably includes assetId"). The sim answers the minimal
      // `{assetId}`, so an adapter that needs more must read it back with `asset/list`, as Python does.
      return json({ assetId: stored.assetId });
    },
  },
  {
    method: 'GET',
    name: Path.assetList,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { experimentKey: qRequired('string'), type: qOptional('string') }, Path.assetList);
      const e = requireExperiment(req, q.experimentKey, 'read');
      const type = checkType(q.type ?? 'all', Path.assetList, true); // `type` defaults to all (§3)
      const assets = e.assets.filter((a) => type === 'all' || a.type === type);
      return json({ assets: assets.map((a) => assetJson(req.origin, e.experimentKey, a)) });
    },
  },
  {
    method: 'GET',
    name: Path.getAsset,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, {
        experimentKey: qRequired('string'),
        assetId: qRequired('string'),
        artifactVersionId: qOptional('string'),
      }, Path.getAsset);
      const e = requireExperiment(req, q.experimentKey, 'read');
      const asset = e.assets.find((a) => a.assetId === q.assetId);
      if (asset === undefined) throw notFound(`${Path.getAsset}: no asset '${q.assetId}' in experiment '${e.experimentKey}'`);
      return { kind: 'bytes', body: asset.bytes, contentType: 'application/octet-stream' };
    },
  },
  {
    method: 'GET',
    name: Path.experimentModel,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { experimentKey: qRequired('string') }, Path.experimentModel);
      const e = requireExperiment(req, q.experimentKey, 'read');
      const models = e.models.map((m) => ({
        experimentModelId: m.experimentModelId,
        experimentKey: m.experimentKey,
        modelName: m.modelName,
        registryRecords: [...req.state.registryModels.values()].flatMap((rm) => rm.items
          .filter((item) => item.experimentModelId === m.experimentModelId)
          .map((item) => ({
            registryModelId: rm.registryModelId,
            registryModelItemId: item.registryModelItemId,
            registryModelName: rm.modelName,
            version: item.version,
            createdAt: item.createdAt,
          }))),
      }));
      return json({ models });
    },
  },
];
