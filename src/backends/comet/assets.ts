/** The assets port on Comet: listed and downloaded per experiment, uploaded as multipart. */
import type { Readable } from 'node:stream';
import type * as Port from '../port';
import { deleteAsset } from './lifecycle';
import { getAssets, getExperimentModels, listAssets, openAsset } from './asset-reads';
import type { CometContext } from './context';
import { GIT_PATCH_ASSET_ID, refuseGitPatchDelete } from './git-patch';
import { putAsset } from './upload';
import { requireMeta } from './writes';

type Caller = Port.Caller;

export class CometAssets implements Port.AssetsPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async list(caller: Caller, requests: readonly Port.AssetPageRequest[]) {
    return listAssets(this.#c.api(caller), requests);
  }

  async get(caller: Caller, refs: readonly Port.AssetRef[]) {
    return getAssets(this.#c.api(caller), refs);
  }

  async models(caller: Caller, keys: readonly string[]) {
    return getExperimentModels(this.#c.api(caller), keys);
  }

  async open(caller: Caller, experimentKey: string, assetId: string, options?: Port.OpenAssetOptions) {
    return openAsset(this.#c.api(caller), experimentKey, assetId, options);
  }

  async put(caller: Caller, input: Port.PutAssetInput, body: Readable) {
    return putAsset(this.#c.api(caller), input, body, this.#c.now());
  }

  /** The experiment must exist for the key (one metadata read, cached): Comet's own refusal comes later. */
  async checkUpload(caller: Caller, experimentKey: string) {
    await requireMeta(this.#c.api(caller), experimentKey);
  }

  async delete(caller: Caller, experimentKey: string, assetId: string, options?: Port.WriteOptions) {
    if (assetId === GIT_PATCH_ASSET_ID) refuseGitPatchDelete();
    await this.#c.once(caller, options, () => deleteAsset(this.#c.api(caller), experimentKey, assetId));
  }
}
