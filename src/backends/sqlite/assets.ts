/** The assets port on SQLite: rows in the database, bytes content-addressed in the blob store. */
import type { Readable } from 'node:stream';
import type * as Port from '../port';
import { validateAssetInput } from './asset-input';
import { checkRange } from './asset-store';
import type { SqliteContext } from './context';

type Caller = Port.Caller;

export class SqliteAssets implements Port.AssetsPort {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async list(_caller: Caller, requests: readonly Port.AssetPageRequest[]) {
    return this.#c.assets.pages(requests);
  }

  async get(_caller: Caller, refs: readonly Port.AssetRef[]) {
    return this.#c.assets.getMany(refs);
  }

  async models(_caller: Caller, keys: readonly string[]) {
    return this.#c.assets.models(keys);
  }

  async open(_caller: Caller, experimentKey: string, assetId: string, options?: Port.OpenAssetOptions) {
    const asset = this.#c.assets.get(experimentKey, assetId);
    if (asset === null) return null;
    const range = options?.range ? checkRange(options.range, asset.size) : undefined;
    return { asset, stream: this.#c.blobs.open(asset.sha256 as string, range) };
  }

  async put(caller: Caller, input: Port.PutAssetInput, body: Readable) {
    const c = this.#c;
    const { maxBytes, ...fields } = validateAssetInput(input);
    // Fail before reading a byte when the experiment does not exist.
    c.experiments.requireProjectId(input.experimentKey);
    const staged = await c.blobs.stage(body, maxBytes);
    try {
      // Row first, then the check for the blob and the rename, all in this IMMEDIATE transaction: collection
      // decides and unlinks under the same write lock (blob-gc.ts), so no process can remove the blob between
      // our check and our commit. If the rename fails the row rolls back. The experiment is checked again: it
      // may have been deleted while the bytes streamed.
      return c.touching(caller, undefined, input.experimentKey, (now) => {
        const asset = c.assets.insert({ ...fields, sha256: staged.sha256, size: staged.size, createdAt: now });
        c.blobs.commitSync(staged);
        return asset;
      });
    } catch (error) {
      c.blobs.discardSync(staged);
      throw error;
    }
  }

  async checkUpload(_caller: Caller, experimentKey: string) {
    this.#c.experiments.requireProjectId(experimentKey);
  }

  async delete(caller: Caller, experimentKey: string, assetId: string, options?: Port.WriteOptions) {
    const c = this.#c;
    c.touching(caller, options, experimentKey, () => c.lifecycle.deleteAsset(experimentKey, assetId));
    c.blobGc.collectLater();
  }
}
