/** Asset metadata rows, experiment models (assets grouped by model name), and byte ranges. */
import { BadUserInputError } from '../../errors';
import type { Asset, ExperimentModel } from '../port';
import { newId, parseJsonObject } from './codec';
import type { Db } from './db';

interface AssetRow {
  id: string;
  experiment_key: string;
  file_name: string;
  size: number;
  type: string;
  step: number | null;
  created_at: number;
  metadata: string | null;
  model_name: string | null;
  sha256: string;
}

function toAsset(row: AssetRow): Asset {
  return {
    experimentKey: row.experiment_key,
    assetId: row.id,
    fileName: row.file_name,
    size: row.size,
    type: row.type,
    step: row.step,
    createdAt: row.created_at,
    metadata: parseJsonObject(row.metadata),
    modelName: row.model_name,
    sha256: row.sha256,
  };
}

export interface NewAsset {
  experimentKey: string;
  fileName: string;
  type: string;
  step: number | null;
  metadata: Record<string, unknown> | null;
  modelName: string | null;
  sha256: string;
  size: number;
  createdAt: number;
}

const ASSETS_OF_KEYS = 'SELECT * FROM assets WHERE experiment_key IN (SELECT value FROM json_each(?))';
const ASSET_ORDER = 'ORDER BY experiment_key, created_at, id';

export class AssetStore {
  readonly #insert;
  readonly #get;
  readonly #list;
  readonly #listOfType;
  readonly #models;
  readonly #shasOf;
  readonly #referenced;
  readonly #hasModel;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO assets (id, experiment_key, file_name, size, type, step, created_at, metadata, model_name, sha256)
       VALUES (@id, @experimentKey, @fileName, @size, @type, @step, @createdAt, @metadata, @modelName, @sha256)`,
    );
    this.#get = db.prepare<[string, string], AssetRow>('SELECT * FROM assets WHERE experiment_key = ? AND id = ?');
    this.#list = db.prepare<[string], AssetRow>(`${ASSETS_OF_KEYS} ${ASSET_ORDER}`);
    this.#listOfType = db.prepare<[string, string], AssetRow>(`${ASSETS_OF_KEYS} AND type = ? ${ASSET_ORDER}`);
    this.#models = db.prepare<[string], AssetRow>(
      `${ASSETS_OF_KEYS} AND model_name IS NOT NULL ORDER BY experiment_key, model_name, created_at, id`,
    );
    this.#shasOf = db.prepare<[string], string>('SELECT DISTINCT sha256 FROM assets WHERE experiment_key = ?').pluck();
    this.#referenced = db.prepare<[string], number>('SELECT 1 FROM assets WHERE sha256 = ? LIMIT 1').pluck();
    this.#hasModel = db
      .prepare<[string, string], number>('SELECT 1 FROM assets WHERE experiment_key = ? AND model_name = ? LIMIT 1')
      .pluck();
  }

  hasModel(experimentKey: string, modelName: string): boolean {
    return this.#hasModel.get(experimentKey, modelName) !== undefined;
  }

  insert(asset: NewAsset): Asset {
    const id = newId();
    this.#insert.run({ ...asset, id, metadata: asset.metadata === null ? null : JSON.stringify(asset.metadata) });
    return toAsset(this.#get.get(asset.experimentKey, id) as AssetRow);
  }

  get(experimentKey: string, assetId: string): Asset | null {
    const row = this.#get.get(experimentKey, assetId);
    return row ? toAsset(row) : null;
  }

  list(keys: readonly string[], type?: string | null): Asset[][] {
    const json = JSON.stringify(keys);
    const rows = type === null || type === undefined ? this.#list.all(json) : this.#listOfType.all(json, type);
    const byKey = new Map<string, Asset[]>();
    for (const row of rows) {
      const list = byKey.get(row.experiment_key) ?? [];
      list.push(toAsset(row));
      byKey.set(row.experiment_key, list);
    }
    return keys.map((key) => [...(byKey.get(key) ?? [])]);
  }

  /** Experiment models per key, ordered by name; asset ids by creation then id. */
  models(keys: readonly string[]): ExperimentModel[][] {
    const byKey = new Map<string, Map<string, string[]>>();
    for (const row of this.#models.all(JSON.stringify(keys))) {
      const models = byKey.get(row.experiment_key) ?? new Map<string, string[]>();
      const ids = models.get(row.model_name as string) ?? [];
      ids.push(row.id);
      models.set(row.model_name as string, ids);
      byKey.set(row.experiment_key, models);
    }
    return keys.map((key) =>
      [...(byKey.get(key) ?? new Map<string, string[]>())].map(([name, assetIds]) => ({
        experimentKey: key,
        name,
        assetIds: [...assetIds],
      })),
    );
  }

  /** Content hashes an experiment's assets use (collected before a delete, to free unshared blobs). */
  hashesOf(experimentKey: string): string[] {
    return this.#shasOf.all(experimentKey);
  }

  isReferenced(sha256: string): boolean {
    return this.#referenced.get(sha256) !== undefined;
  }
}

/** Checks an inclusive byte range against the asset size; the end is clamped to the last byte. */
export function checkRange(range: { start: number; end: number }, size: number): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw new BadUserInputError(`Byte range ${start}-${end} is not satisfiable for an asset of ${size} bytes`, { size });
  }
  return { start, end: Math.min(end, size - 1) };
}
