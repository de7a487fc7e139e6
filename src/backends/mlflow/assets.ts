/**
 * The assets port on MLflow: a run's artifact files. Uploads go through the `mlflow-artifacts` proxy to
 * `<run root>/<fileName>`, with one run tag per asset for what a file cannot say (asset-records.ts); files
 * logged by other MLflow clients are listed from the artifact store too, as type `artifact`. An upload to
 * a path that holds a file replaces it, as MLflow's artifact store does, and the older asset goes with it.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BadUserInputError, NotFoundError, PayloadTooLargeError, experimentNotFound } from '../../errors';
import { validateFileName } from '../comet/upload';
import { decodeKeyCursor, slicePage } from '../comet/cursor';
import { checkPageSize, type Asset } from '../port';
import type * as Port from '../port';
import type { MlflowApi } from './api';
import { artifactRoot, assetTag, byCreation, externalId, pathOfExternalId, taggedAssets } from './asset-records';
import { limited, walkArtifacts } from './artifacts';
import type { MlflowContext } from './context';
import type { MlflowRun } from './decode';
import { DETAILS_FOLDER } from './protocol';
import { liveRuns } from './run-reads';

type Caller = Port.Caller;

const CURSOR_KIND = 'ma';
const ARTIFACT_TYPE = 'artifact';

/** Every asset of a run: the gateway's, then the files other clients logged, ordered by creation then id. */
export async function assetsOf(api: MlflowApi, run: MlflowRun): Promise<Asset[]> {
  const tagged = taggedAssets(run);
  const known = new Set(tagged.map((a) => a.fileName));
  const files = artifactRoot(run) === null ? [] : await walkArtifacts(api, run.runId);
  const external = files.filter((f) => !known.has(f.path)).map((f): Asset => ({
    experimentKey: run.runId, assetId: externalId(f.path), fileName: f.path, size: f.size, type: ARTIFACT_TYPE,
    step: null, createdAt: run.startTime ?? 0, metadata: null, modelName: null, sha256: null,
  }));
  return [...tagged, ...external].sort(byCreation);
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 250) throw new BadUserInputError(`${field} must be a non-empty string of at most 250 characters`, { field });
  return value.trim();
}

export class MlflowAssets implements Port.AssetsPort {
  readonly #c: MlflowContext;

  constructor(context: MlflowContext) {
    this.#c = context;
  }

  async list(caller: Caller, requests: readonly Port.AssetPageRequest[], options?: Port.ReadOptions) {
    const api = this.#c.api(caller, options);
    const checked = requests.map((r) => {
      try {
        checkPageSize(r.first);
        return r.after ? decodeKeyCursor(CURSOR_KIND, r.after) : null;
      } catch (error) {
        return error as Error;
      }
    });
    const runs = await liveRuns(api, requests.map((r) => r.experimentKey));
    const all = new Map<string, Promise<Asset[]>>();
    for (const run of runs.values()) all.set(run.runId, assetsOf(api, run));
    return Promise.all(requests.map(async (r, i): Promise<Port.Page<Asset> | Error> => {
      const cursor = checked[i];
      if (cursor instanceof Error) return cursor;
      const assets = (await all.get(r.experimentKey)) ?? [];
      const typed = r.type ? assets.filter((a) => a.type === r.type) : assets;
      return slicePage(CURSOR_KIND, typed.map((a) => ({ ...a })), r, (a) => a.assetId, cursor);
    }));
  }

  async get(caller: Caller, refs: readonly Port.AssetRef[], options?: Port.ReadOptions) {
    const api = this.#c.api(caller, options);
    const runs = await liveRuns(api, refs.map((r) => r.experimentKey));
    const all = new Map<string, Promise<Asset[]>>();
    for (const run of runs.values()) {
      // Files of other clients are walked only when a ref names one.
      const external = refs.some((r) => r.experimentKey === run.runId && pathOfExternalId(r.assetId) !== null);
      all.set(run.runId, external ? assetsOf(api, run) : Promise.resolve(taggedAssets(run)));
    }
    return Promise.all(refs.map(async (r) => {
      const found = ((await all.get(r.experimentKey)) ?? []).find((a) => a.assetId === r.assetId);
      return found ? { ...found } : null;
    }));
  }

  async models(caller: Caller, keys: readonly string[]) {
    const runs = await liveRuns(this.#c.api(caller), keys);
    return keys.map((key) => {
      const run = runs.get(key);
      if (!run) return [];
      const groups = new Map<string, string[]>();
      for (const a of taggedAssets(run).sort(byCreation)) if (a.modelName) groups.set(a.modelName, [...(groups.get(a.modelName) ?? []), a.assetId]);
      return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, assetIds]) => ({ experimentKey: key, name, assetIds }));
    });
  }

  async open(caller: Caller, experimentKey: string, assetId: string, options?: Port.OpenAssetOptions): Promise<Port.OpenedAsset | null> {
    const api = this.#c.api(caller);
    const [asset] = await this.get(caller, [{ experimentKey, assetId }]);
    if (!asset || asset instanceof Error) return null;
    const run = (await liveRuns(api, [experimentKey])).get(experimentKey);
    const root = run ? artifactRoot(run) : null;
    if (root === null) return null;
    const range = options?.range;
    if (range && (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0 || range.end < range.start)) {
      throw new BadUserInputError(`Byte range ${range.start}-${range.end} is not a valid inclusive range`, { field: 'range' });
    }
    const answer = await this.#c.parts.http.download(api.credentials, `${root}/${asset.fileName}`, range ? `bytes=${range.start}-${range.end}` : null);
    if (answer.status === 416) {
      answer.body.resume();
      throw new BadUserInputError(`Byte range ${range?.start}-${range?.end} is outside the asset's ${asset.size} bytes`, { field: 'range' });
    }
    return { asset, stream: answer.body };
  }

  async put(caller: Caller, input: Port.PutAssetInput, body: Readable): Promise<Asset> {
    const fileName = validateFileName(input.fileName);
    if (fileName === DETAILS_FOLDER || fileName.startsWith(`${DETAILS_FOLDER}/`)) {
      throw new BadUserInputError(`fileName must not be in '${DETAILS_FOLDER}/': the folder holds the run's details on MLflow`, { field: 'fileName', reason: 'RESERVED_PATH' });
    }
    const type = text(input.type, 'type');
    const modelName = input.modelName == null ? null : text(input.modelName, 'modelName');
    if (!Number.isSafeInteger(input.maxBytes) || input.maxBytes < 0) throw new BadUserInputError(`maxBytes must be a non-negative integer, got ${input.maxBytes}`);
    if (input.step != null && !Number.isSafeInteger(input.step)) throw new BadUserInputError('step must be an integer or null', { field: 'step' });
    const { metadata } = input;
    if (metadata != null && (typeof metadata !== 'object' || Array.isArray(metadata))) throw new BadUserInputError('metadata must be a JSON object or null');
    const api = this.#c.api(caller);
    const run = await this.#uploadTarget(api, input.experimentKey);
    const root = artifactRoot(run) as string;
    const draft: Asset = {
      experimentKey: run.runId, assetId: randomBytes(8).toString('hex'), fileName, size: 0, type, step: input.step ?? null,
      createdAt: this.#c.now(), metadata: metadata ?? null, modelName, sha256: null,
    };
    assetTag(draft); // refused before a byte is sent when the tag could not be kept
    const counted = limited(body, input.maxBytes);
    const path = `${root}/${fileName}`;
    try {
      await this.#c.parts.http.upload(api.credentials, path, counted.stream);
    } catch (error) {
      // Whatever reached the store is removed: a failed upload keeps nothing.
      await this.#c.parts.http.deleteArtifact(api.credentials, path).catch(() => undefined);
      if (counted.stream.errored instanceof PayloadTooLargeError) throw counted.stream.errored;
      throw error;
    }
    const { size, sha256 } = counted.done();
    const asset = { ...draft, size, sha256 };
    const replaced = taggedAssets(run).filter((a) => a.fileName === fileName);
    for (const old of replaced) await api.deleteTag(run.runId, assetTag(old).key);
    const tag = assetTag(asset);
    await api.setTag(run.runId, tag.key, tag.value);
    return asset;
  }

  /** Removes the artifact file, and the gateway's record of it when it was uploaded through the gateway. */
  async delete(caller: Caller, experimentKey: string, assetId: string, options?: Port.WriteOptions): Promise<void> {
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = await this.#uploadTarget(api, experimentKey);
      const [asset] = await this.get(caller, [{ experimentKey, assetId }], { fresh: true });
      if (!asset || asset instanceof Error) throw new NotFoundError(`Asset '${assetId}' of experiment '${experimentKey}' does not exist`);
      await this.#c.parts.http.deleteArtifact(api.credentials, `${artifactRoot(run) as string}/${asset.fileName}`);
      const tagged = taggedAssets(run).find((a) => a.assetId === assetId);
      if (tagged) await api.deleteTag(run.runId, assetTag(tagged).key);
    });
  }

  async checkUpload(caller: Caller, experimentKey: string): Promise<void> {
    await this.#uploadTarget(this.#c.api(caller), experimentKey);
  }

  async #uploadTarget(api: MlflowApi, key: string): Promise<MlflowRun> {
    const run = (await liveRuns(api, [key])).get(key);
    if (!run) throw experimentNotFound(key);
    if (artifactRoot(run) === null) {
      throw new BadUserInputError(`Run '${key}' stores artifacts at '${run.artifactUri}', which the gateway cannot reach: start MLflow with --serve-artifacts`, { reason: 'ARTIFACTS_NOT_PROXIED' });
    }
    return run;
  }
}
