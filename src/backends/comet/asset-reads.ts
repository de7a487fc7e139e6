/**
 * Asset reads: lists per experiment (`experiment/asset/list`, §3), experiment models, and byte streams
 * from `get-asset`. The gateway keeps the port's free-form type and the model an asset belongs to in the
 * asset's metadata (protocol.ts `AssetMetaKey`); they are read back from there and hidden from `metadata`.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { BadUserInputError, isTrackqlError } from '../../errors';
import { checkPageSize, type Asset, type AssetPageRequest, type AssetRef, type ExperimentModel, type OpenAssetOptions, type OpenedAsset, type Page } from '../port';
import { type CometApi, orNull } from './api';
import type { CometAsset } from './decode';
import { GIT_PATCH_ASSET_ID, GIT_PATCH_TYPE, gitPatchAssets, openGitPatch } from './git-patch';
import { mapLimit } from './limiter';
import { AssetMetaKey, Route } from './protocol';

/**
 * Per-run reads of one batch all go out at once: the HTTP layer's per-key limiter (TRACKQL_COMET_CONCURRENCY)
 * is the one bound, so a page of runs costs one round trip, not one per slice of 16.
 */
const FANOUT = Number.POSITIVE_INFINITY;

export function toAsset(experimentKey: string, c: CometAsset): Asset {
  let metadata = c.metadata;
  let type = c.type;
  let modelName: string | null = null;
  if (metadata) {
    const { [AssetMetaKey.type]: markedType, [AssetMetaKey.modelName]: markedModel, ...rest } = metadata;
    if (typeof markedType === 'string') type = markedType;
    if (typeof markedModel === 'string') modelName = markedModel;
    const hadMarkers = markedType !== undefined || markedModel !== undefined;
    metadata = hadMarkers && Object.keys(rest).length === 0 ? null : rest;
  }
  return { experimentKey, assetId: c.assetId, fileName: c.fileName, size: c.size, type, step: c.step, createdAt: c.createdAt, metadata, modelName, sha256: null };
}

const byCreation = (a: Asset, b: Asset): number => a.createdAt - b.createdAt || (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0);

const ASSET_CURSOR_KIND = 'as';

/** An asset's place in the listing order (createdAt, assetId): the cursor resumes after it whether or not it is still listed. */
function assetCursor(asset: Asset): string {
  return Buffer.from(JSON.stringify([ASSET_CURSOR_KIND, asset.createdAt, asset.assetId])).toString('base64url');
}

function decodeAssetCursor(cursor: string): { createdAt: number; assetId: string } {
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== ASSET_CURSOR_KIND || !Number.isSafeInteger(decoded[1]) || typeof decoded[2] !== 'string') {
    throw new BadUserInputError(`Invalid cursor '${cursor.slice(0, 64)}': pass a cursor returned by the same list`, { field: 'after' });
  }
  return { createdAt: decoded[1] as number, assetId: decoded[2] as string };
}

/** The page of `all` (in listing order) after the request's cursor. */
function assetPage(all: readonly Asset[], request: AssetPageRequest): Page<Asset> {
  const first = checkPageSize(request.first);
  const cursor = request.after ? decodeAssetCursor(request.after) : null;
  const before = cursor === null ? 0 : all.filter((a) => byCreation(a, { ...a, ...cursor }) <= 0).length;
  const rest = all.slice(before);
  const items = rest.slice(0, first);
  return { items, cursors: items.map(assetCursor), hasNextPage: rest.length > first, hasPreviousPage: before > 0, totalCount: all.length };
}

/** Every asset of each distinct key, by creation then id: one (cached) `experiment/asset/list` per run. */
async function allAssets(api: CometApi, keys: readonly string[]): Promise<Map<string, Asset[]>> {
  const distinct = [...new Set(keys)];
  const lists = await mapLimit(distinct, FANOUT, async (key) => (await api.assets(key)).map((c) => toAsset(key, c)).sort(byCreation));
  return new Map(distinct.map((key, i) => [key, lists[i]]));
}

/**
 * Pages of assets. Comet lists an experiment's assets whole (§8 "Pagination"): the page is cut here, behind
 * a keyset cursor (createdAt, assetId) like the embedded store's, and the (cached) list is read once per run
 * however many pages.
 */
export async function listAssets(api: CometApi, requests: readonly AssetPageRequest[]): Promise<(Page<Asset> | Error)[]> {
  const [byKey, patches] = await Promise.all([
    allAssets(api, requests.map((r) => r.experimentKey)),
    // The git patch is not among Comet's assets: read (one call per run) only when a list asks for that type.
    gitPatchAssets(api, requests.filter((r) => r.type === GIT_PATCH_TYPE).map((r) => r.experimentKey)),
  ]);
  return requests.map((request) => {
    const patch = request.type === GIT_PATCH_TYPE ? patches.get(request.experimentKey) : null;
    const all = (byKey.get(request.experimentKey) ?? []).filter((a) => !request.type || a.type === request.type);
    if (patch) all.push(patch), all.sort(byCreation);
    try {
      return assetPage(all, request);
    } catch (error) {
      if (isTrackqlError(error)) return error;
      throw error;
    }
  });
}

/** Assets by ref, in ref order; null where missing. One (cached) list per distinct run. */
export async function getAssets(api: CometApi, refs: readonly AssetRef[]): Promise<(Asset | null)[]> {
  const isPatch = (r: AssetRef) => r.assetId === GIT_PATCH_ASSET_ID;
  const [byKey, patches] = await Promise.all([
    allAssets(api, refs.filter((r) => !isPatch(r)).map((r) => r.experimentKey)),
    gitPatchAssets(api, refs.filter(isPatch).map((r) => r.experimentKey)),
  ]);
  return refs.map((r) => (isPatch(r) ? patches.get(r.experimentKey) : byKey.get(r.experimentKey)?.find((a) => a.assetId === r.assetId)) ?? null);
}

/**
 * Models per experiment: names from `experiment/model`, asset ids from the gateway's markers. Models logged
 * by another client list no asset ids here (their assets do not say which model they belong to; the
 * reference's `experiment/model/asset/list` would, but the simulator does not serve it).
 */
export async function getExperimentModels(api: CometApi, keys: readonly string[]): Promise<ExperimentModel[][]> {
  const distinct = [...new Set(keys)];
  const models = await mapLimit(distinct, FANOUT, async (key) => {
    const [names, assets] = await Promise.all([api.modelNames(key), api.assets(key)]);
    const ids = new Map<string, string[]>(names.map((name) => [name, []]));
    for (const asset of assets.map((c) => toAsset(key, c)).sort(byCreation)) {
      if (asset.modelName === null) continue;
      ids.set(asset.modelName, [...(ids.get(asset.modelName) ?? []), asset.assetId]);
    }
    return [...ids].map(([name, assetIds]) => ({ experimentKey: key, name, assetIds })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  });
  const byKey = new Map(distinct.map((key, i) => [key, models[i]]));
  return keys.map((key) => (byKey.get(key) ?? []).map((m) => ({ ...m, assetIds: [...m.assetIds] })));
}

/**
 * Streams an asset. Comet's range support is not documented (§3 "get-asset"), so the whole body is
 * requested and the range is cut while streaming: bytes before it are dropped, the stream ends after it.
 */
export async function openAsset(api: CometApi, experimentKey: string, assetId: string, options?: OpenAssetOptions): Promise<OpenedAsset | null> {
  if (assetId === GIT_PATCH_ASSET_ID) {
    const opened = await openGitPatch(api, experimentKey);
    if (!opened) return null;
    const range = options?.range ? checkRange(options.range, opened.asset.size) : null;
    return { asset: opened.asset, stream: Readable.from([range ? opened.bytes.subarray(range.start, range.end + 1) : opened.bytes]) };
  }
  const [asset] = await getAssets(api, [{ experimentKey, assetId }]);
  if (!asset) return null;
  const range = options?.range ? checkRange(options.range, asset.size) : null;
  const body = await orNull(api.http.download(api.session, { route: Route.getAsset, query: { experimentKey, assetId }, idempotent: true }));
  if (body === null) return null; // deleted since it was listed
  if (!range) return { asset, stream: body };
  const sliced = new ByteRange(range.start, range.end);
  body.on('error', (err) => sliced.destroy(err));
  // Once the range is out, the rest of the upstream body is not needed.
  sliced.once('end', () => body.destroy());
  body.pipe(sliced);
  return { asset, stream: sliced };
}

export function checkRange(range: { start: number; end: number }, size: number): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw new BadUserInputError(`Byte range ${start}-${end} is not satisfiable for an asset of ${size} bytes`, { size });
  }
  return { start, end: Math.min(end, size - 1) };
}

/** Passes through only bytes `first..last` (inclusive) of what flows in. */
class ByteRange extends Transform {
  readonly #first: number;
  readonly #last: number;
  #offset = 0;
  #done = false;

  constructor(first: number, last: number) {
    super();
    this.#first = first;
    this.#last = last;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const from = this.#offset;
    this.#offset += chunk.length;
    if (!this.#done) {
      const lo = Math.max(this.#first - from, 0);
      const hi = Math.min(this.#last + 1 - from, chunk.length);
      if (hi > lo) this.push(chunk.subarray(lo, hi));
      if (this.#offset > this.#last) {
        this.#done = true;
        this.push(null);
      }
    }
    callback();
  }
}

