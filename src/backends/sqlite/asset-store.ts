/** Asset metadata rows, experiment models (assets grouped by model name), and byte ranges. */
import { BadUserInputError, isTrackqlError } from '../../errors';
import { checkPageSize, type Asset, type AssetPageRequest, type AssetRef, type ExperimentModel, type Page } from '../port';
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
/**
 * Pages of assets, one per request of the JSON array `?` ({ key, type, createdAt, id } each; no cursor is
 * (-1, ''), before every asset). Each request's fields are read from the JSON once (`r`), its two counts
 * computed once (`n`: whole list, and at or before the cursor) on covering indexes, then its rows after the
 * cursor walked in index order. SQLite allows no correlated LIMIT, so every request reads at most the
 * batch's largest page plus one (a bound parameter), and each page is cut to its own size afterwards. An
 * empty page still yields one row (all asset columns NULL) to carry its counts.
 */
const AFTER_CURSOR = '(created_at, id) > (r.c, r.cid)';
const AT_OR_BEFORE_CURSOR = '(created_at, id) <= (r.c, r.cid)';
const ASSET_PAGES = `
  WITH r AS MATERIALIZED (
    SELECT j.key AS i, j.value ->> 'key' AS k, j.value ->> 'type' AS t, j.value ->> 'createdAt' AS c, j.value ->> 'id' AS cid
    FROM json_each(?) AS j
  ),
  n AS MATERIALIZED (
    SELECT r.*,
      CASE WHEN r.t IS NULL THEN (SELECT count(*) FROM assets WHERE experiment_key = r.k)
        ELSE (SELECT count(*) FROM assets WHERE experiment_key = r.k AND type = r.t) END AS total,
      CASE WHEN r.t IS NULL THEN (SELECT count(*) FROM assets WHERE experiment_key = r.k AND ${AT_OR_BEFORE_CURSOR})
        ELSE (SELECT count(*) FROM assets WHERE experiment_key = r.k AND type = r.t AND ${AT_OR_BEFORE_CURSOR}) END AS before
    FROM r
  )
  SELECT r.i AS request, r.total, r.before, a.*
  FROM n AS r
  LEFT JOIN assets AS a ON a.rowid IN (
    SELECT rowid FROM assets WHERE experiment_key = r.k AND (r.t IS NULL OR type = r.t) AND ${AFTER_CURSOR}
    ORDER BY created_at, id LIMIT ?)
  ORDER BY r.i, a.created_at, a.id`;
const ASSET_CURSOR = 'as';

type PageRow = { request: number; total: number; before: number } & ({ [K in keyof AssetRow]: AssetRow[K] } | { [K in keyof AssetRow]: null });

/** Cursor of an asset in a listing: its (createdAt, id), the keyset the listing is ordered by. */
function assetCursor(asset: Asset): string {
  return Buffer.from(JSON.stringify([ASSET_CURSOR, asset.createdAt, asset.assetId])).toString('base64url');
}

function decodeAssetCursor(cursor: string): { createdAt: number; id: string } {
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== ASSET_CURSOR || !Number.isSafeInteger(decoded[1]) || typeof decoded[2] !== 'string') {
    throw new BadUserInputError(`Invalid cursor '${cursor.slice(0, 64)}': pass a cursor returned by the same list`, { field: 'after' });
  }
  return { createdAt: decoded[1] as number, id: decoded[2] as string };
}

export class AssetStore {
  readonly #insert;
  readonly #get;
  readonly #pages;
  readonly #getMany;
  readonly #models;
  readonly #hasModel;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO assets (id, experiment_key, file_name, size, type, step, created_at, metadata, model_name, sha256)
       VALUES (@id, @experimentKey, @fileName, @size, @type, @step, @createdAt, @metadata, @modelName, @sha256)`,
    );
    this.#get = db.prepare<[string, string], AssetRow>('SELECT * FROM assets WHERE experiment_key = ? AND id = ?');
    // Keyset pages over the (experiment_key, created_at, id) index: a page costs its own rows, not the list's.
    this.#pages = db.prepare<[string, number], PageRow>(ASSET_PAGES);
    this.#getMany = db.prepare<[string], AssetRow>(
      `SELECT a.* FROM json_each(?) AS j CROSS JOIN assets AS a ON a.experiment_key = j.value ->> 0 AND a.id = j.value ->> 1`,
    );
    this.#models = db.prepare<[string], AssetRow>(
      `${ASSETS_OF_KEYS} AND model_name IS NOT NULL ORDER BY experiment_key, model_name, created_at, id`,
    );
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

  /** One page per request, by creation then id, in one statement; a bad size or cursor fails its own slot. */
  pages(requests: readonly AssetPageRequest[]): (Page<Asset> | Error)[] {
    const out: (Page<Asset> | Error)[] = [];
    const valid: { index: number; first: number; params: object }[] = [];
    requests.forEach((request, index) => {
      try {
        const first = checkPageSize(request.first);
        const cursor = request.after ? decodeAssetCursor(request.after) : null;
        valid.push({ index, first, params: { key: request.experimentKey, type: request.type ?? null, createdAt: cursor?.createdAt ?? -1, id: cursor?.id ?? '' } });
      } catch (error) {
        if (!isTrackqlError(error)) throw error;
        out[index] = error;
      }
    });
    if (valid.length === 0) return out;
    const limit = Math.max(...valid.map((v) => v.first)) + 1;
    const rows = this.#pages.all(JSON.stringify(valid.map((v) => v.params)), limit);
    const byRequest = new Map<number, PageRow[]>();
    for (const row of rows) byRequest.set(row.request, [...(byRequest.get(row.request) ?? []), row]);
    valid.forEach((v, position) => {
      const found = byRequest.get(position) ?? [];
      const assets = found.flatMap((row) => (row.id === null ? [] : [toAsset(row as AssetRow)]));
      const items = assets.slice(0, v.first);
      out[v.index] = {
        items,
        cursors: items.map(assetCursor),
        hasNextPage: assets.length > v.first,
        hasPreviousPage: (found[0]?.before ?? 0) > 0,
        totalCount: found[0]?.total ?? 0,
      };
    });
    return out;
  }

  /** Assets by ref, in ref order; null where missing. */
  getMany(refs: readonly AssetRef[]): (Asset | null)[] {
    const rows = this.#getMany.all(JSON.stringify(refs.map((r) => [r.experimentKey, r.assetId])));
    const byRef = new Map(rows.map((row) => [`${row.experiment_key}\u0000${row.id}`, row]));
    return refs.map((r) => {
      const row = byRef.get(`${r.experimentKey}\u0000${r.assetId}`);
      return row ? toAsset(row) : null;
    });
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
}

/** Checks an inclusive byte range against the asset size; the end is clamped to the last byte. */
export function checkRange(range: { start: number; end: number }, size: number): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw new BadUserInputError(`Byte range ${start}-${end} is not satisfiable for an asset of ${size} bytes`, { size });
  }
  return { start, end: Math.min(end, size - 1) };
}
