/**
 * A run's git patch on Comet. Comet keeps it apart from assets (comet-run-details.md, "Git patch"): read
 * from `experiment/git/patch` as a zip holding `git_diff.patch` (or a JSON `{"msg"}` body when there is
 * none), written to `write/experiment/git/patch` as a multipart `file`. The port sees it as one asset of
 * type `git-patch` with a reserved id, so `createAssetUpload(type: "git-patch")` writes it where Comet's
 * own clients look, and `GitInfo.patchUrl` serves a patch logged by the Python SDK.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BadUserInputError, PayloadTooLargeError } from '../../errors';
import type { Asset, PutAssetInput } from '../port';
import { orNull, type CometApi } from './api';
import { Route } from './protocol';
import { requireMeta } from './writes';
import { looksLikeZip, readZipEntry, writeZip } from './zip';

/** The port's asset type of a git patch (the same on every backend). */
export const GIT_PATCH_TYPE = 'git-patch';
/** The id of a run's git patch among its assets: Comet keeps one patch per run, without an id. */
export const GIT_PATCH_ASSET_ID = 'git-patch';
/** The entry name Comet's archive holds. */
export const GIT_PATCH_FILE = 'git_diff.patch';
/** Largest patch read back: the archive is held in memory to be opened. */
export const MAX_GIT_PATCH_BYTES = 64 * 1024 * 1024;

const cacheKey = (key: string): string => `gitpatch:${key}`;

async function collect(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new PayloadTooLargeError(`The git patch archive is over the limit of ${limit} bytes`, { limit });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The patch bytes of a run; null when it has none or does not exist. Clients that send the patch unzipped (R) are read as sent. */
export async function readGitPatch(api: CometApi, experimentKey: string): Promise<Buffer | null> {
  const body = await orNull(api.http.download(api.session, { route: Route.gitPatch, query: { experimentKey }, idempotent: true }));
  if (body === null) return null;
  const bytes = await collect(body, MAX_GIT_PATCH_BYTES);
  if (bytes.length === 0 || bytes.subarray(0, 7).toString('latin1') === '{"msg":') return null;
  return looksLikeZip(bytes) ? readZipEntry(bytes, GIT_PATCH_FILE, MAX_GIT_PATCH_BYTES) : bytes;
}

/** The git patch of each run as an asset (null: none), its size read once per run and cached. */
export async function gitPatchAssets(api: CometApi, keys: readonly string[]): Promise<Map<string, Asset | null>> {
  const distinct = [...new Set(keys)];
  const found = await Promise.all(distinct.map(async (key) => {
    const size = await api.cache.getOrLoad(cacheKey(key), async () => (await readGitPatch(api, key))?.length ?? -1);
    if (size < 0) return null;
    const meta = await api.meta(key);
    return patchAsset(key, size, meta?.startedAt ?? 0);
  }));
  return new Map(distinct.map((key, i) => [key, found[i]]));
}

function patchAsset(experimentKey: string, size: number, createdAt: number): Asset {
  return {
    experimentKey, assetId: GIT_PATCH_ASSET_ID, fileName: GIT_PATCH_FILE, size, type: GIT_PATCH_TYPE, step: null, createdAt,
    metadata: null, modelName: null, sha256: null,
  };
}

/** The patch as a stream (whole: Comet answers the archive whole, so a range is cut from memory). */
export async function openGitPatch(api: CometApi, experimentKey: string): Promise<{ asset: Asset; bytes: Buffer } | null> {
  const bytes = await readGitPatch(api, experimentKey);
  if (bytes === null) return null;
  const meta = await api.meta(experimentKey);
  return { asset: patchAsset(experimentKey, bytes.length, meta?.startedAt ?? 0), bytes };
}

/** Writes the run's patch (replacing the one it had) as Comet's own clients do: zipped, as the multipart `file`. */
export async function putGitPatch(api: CometApi, input: PutAssetInput, body: Readable): Promise<Asset> {
  if (input.modelName?.trim()) throw new BadUserInputError('A git patch belongs to no model: leave modelName out', { field: 'modelName' });
  const meta = await requireMeta(api, input.experimentKey);
  const patch = await collect(body, Math.min(input.maxBytes, MAX_GIT_PATCH_BYTES)).catch((error: unknown) => {
    if (error instanceof PayloadTooLargeError) throw new PayloadTooLargeError(`Asset is larger than the limit of ${input.maxBytes} bytes`, { limit: input.maxBytes });
    throw error;
  });
  const boundary = `trackql-${randomBytes(12).toString('hex')}`;
  const form = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${GIT_PATCH_FILE}.zip"\r\nContent-Type: application/zip\r\n\r\n`),
    writeZip(GIT_PATCH_FILE, patch),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  await api.http.upload(api.session, { route: Route.writeGitPatch, query: { experimentKey: meta.key } }, Readable.from([form]), `multipart/form-data; boundary=${boundary}`);
  await api.cache.delete([cacheKey(meta.key)]);
  return patchAsset(meta.key, patch.length, meta.startedAt ?? 0);
}

/** Comet documents no delete of a git patch: refused, never faked. */
export function refuseGitPatchDelete(): never {
  throw new BadUserInputError('Comet has no delete of a run\'s git patch; upload an empty patch to replace it', { reason: 'UNSUPPORTED' });
}
