/**
 * Asset upload: the body is streamed straight through as `multipart/form-data` to
 * `write/experiment/upload-asset` (§5 "Upload an asset"), never buffered whole, and cut off with
 * PAYLOAD_TOO_LARGE as soon as it passes `maxBytes` (the aborted request leaves nothing stored).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BadUserInputError, PayloadTooLargeError, UpstreamUnavailableError } from '../../errors';
import type { Asset, PutAssetInput } from '../port';
import type { CometApi } from './api';
import { toAsset } from './asset-reads';
import { decodeUploaded } from './decode';
import { AssetMetaKey, COMET_ASSET_TYPES, MODEL_ASSET_TYPE, Route } from './protocol';
import { GIT_PATCH_TYPE, putGitPatch } from './git-patch';
import { requireMeta } from './writes';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** The same file-name rules as the SQLite backend: a plain relative path, nothing a client could resolve elsewhere. */
export function validateFileName(fileName: unknown): string {
  if (typeof fileName !== 'string' || fileName.trim() === '') throw new BadUserInputError('fileName must be a non-empty string');
  const reject = (why: string): never => {
    throw new BadUserInputError(`fileName ${JSON.stringify(fileName)} is not allowed: ${why}; send a relative name like 'model.pt' or 'images/loss.png'`);
  };
  if (fileName.length > 1_024) reject('longer than 1024 characters');
  if (CONTROL_CHARS.test(fileName)) reject('it contains NUL or control characters');
  if (fileName.includes('\\')) reject("'\\' is not a path separator here");
  if (fileName.startsWith('/') || /^[a-zA-Z]:/.test(fileName)) reject('it is an absolute path');
  for (const segment of fileName.split('/')) {
    if (segment === '') reject('it has an empty path segment');
    if (segment === '.' || segment === '..') reject(`it has a '${segment}' segment`);
  }
  return fileName;
}

/** Part headers, with quotes and line breaks kept out of the disposition. */
function partHeader(boundary: string, name: string, file: boolean): string {
  const disposition = file ? `form-data; name="${name}"; filename="file"` : `form-data; name="${name}"`;
  return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${file ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`;
}

async function* multipart(boundary: string, metadata: string | null, body: Readable, maxBytes: number, state: { size: number; tooLarge: boolean }): AsyncGenerator<Buffer> {
  if (metadata !== null) yield Buffer.from(`${partHeader(boundary, 'metadata', false)}${metadata}\r\n`);
  yield Buffer.from(partHeader(boundary, 'file', true));
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    state.size += bytes.length;
    if (state.size > maxBytes) {
      state.tooLarge = true;
      throw new PayloadTooLargeError(`Asset is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes });
    }
    yield bytes;
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

export async function putAsset(api: CometApi, input: PutAssetInput, body: Readable, now: number): Promise<Asset> {
  const fileName = validateFileName(input.fileName);
  const type = typeof input.type === 'string' ? input.type.trim() : '';
  if (type === '') throw new BadUserInputError('type must be a non-empty string');
  if (input.step != null && !Number.isSafeInteger(input.step)) throw new BadUserInputError(`step must be an integer, got ${input.step}`);
  if (!Number.isSafeInteger(input.maxBytes) || input.maxBytes < 0) throw new BadUserInputError(`maxBytes must be a non-negative integer, got ${input.maxBytes}`);
  const modelName = input.modelName?.trim() || null;
  if (input.metadata != null && (typeof input.metadata !== 'object' || Array.isArray(input.metadata))) throw new BadUserInputError('metadata must be a JSON object or null');
  if (type === GIT_PATCH_TYPE) return putGitPatch(api, input, body);
  // Fail before reading a byte when the experiment does not exist.
  const meta = await requireMeta(api, input.experimentKey);

  // Comet refuses types outside its list and groups models by `groupingName` on `model-element` assets.
  const cometType = modelName ? MODEL_ASSET_TYPE : COMET_ASSET_TYPES.has(type) ? type : 'asset';
  const metadata: Record<string, unknown> = { ...(input.metadata ?? {}) };
  if (cometType !== type) metadata[AssetMetaKey.type] = type;
  if (modelName) metadata[AssetMetaKey.modelName] = modelName;
  const metadataText = Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null;

  const boundary = `trackql-${randomBytes(12).toString('hex')}`;
  const state = { size: 0, tooLarge: false };
  const stream = Readable.from(multipart(boundary, metadataText, body, input.maxBytes, state));
  let answer: unknown;
  try {
    answer = await api.http.upload(api.session, {
      route: Route.writeUploadAsset,
      query: { experimentKey: meta.key, fileName, type: cometType, step: input.step ?? undefined, groupingName: modelName ?? undefined, overwrite: false },
    }, stream, `multipart/form-data; boundary=${boundary}`);
  } catch (error) {
    if (state.tooLarge) throw new PayloadTooLargeError(`Asset is larger than the limit of ${input.maxBytes} bytes`, { limit: input.maxBytes });
    throw error;
  } finally {
    stream.destroy();
  }
  const assetId = decodeUploaded(answer);
  await api.forgetExperiment(meta.key, ['assets', 'models']);
  const listed = assetId ? (await api.assets(meta.key)).find((a) => a.assetId === assetId) : undefined;
  if (listed) return toAsset(meta.key, listed);
  // Not listed yet (Comet's reads lag, §8), or no id in the answer (its body was not seen, §10.4).
  if (!assetId) throw new UpstreamUnavailableError('Comet took the asset but did not say its id; list the experiment assets to find it');
  return {
    experimentKey: meta.key, assetId, fileName, size: state.size, type, step: input.step ?? null, createdAt: now,
    metadata: input.metadata ?? null, modelName, sha256: null,
  };
}
