/** Files logged with a run (streamed both ways, never buffered whole) and the experiment models grouping them. */
import type { Readable } from 'node:stream';
import type { Caller, Page, PageRequest, ReadOptions, WriteOptions } from './common';

export interface Asset {
  experimentKey: string;
  assetId: string;
  fileName: string;
  size: number;
  type: string;
  step: number | null;
  createdAt: number;
  metadata: Record<string, unknown> | null;
  /** Model name when the asset belongs to an experiment model. */
  modelName: string | null;
  /** Content hash (sha256 hex), when the backend knows it. */
  sha256: string | null;
}

export interface ExperimentModel {
  experimentKey: string;
  name: string;
  assetIds: string[];
}

export interface PutAssetInput {
  experimentKey: string;
  fileName: string;
  type: string;
  step?: number | null;
  metadata?: Record<string, unknown> | null;
  modelName?: string | null;
  /** Reject the stream once more than this many bytes arrive. */
  maxBytes: number;
}

export interface OpenAssetOptions {
  /** Inclusive byte range; whole file when absent. */
  range?: { start: number; end: number };
}

export interface OpenedAsset {
  asset: Asset;
  stream: Readable;
}

/** One page of one experiment's assets (`first` at most MAX_PAGE_SIZE), only `type` when given. */
export interface AssetPageRequest extends PageRequest {
  experimentKey: string;
  type?: string | null;
}

/** One asset, by its experiment and id. */
export interface AssetRef {
  experimentKey: string;
  assetId: string;
}

export interface AssetsPort {
  /**
   * One page per request, in request order, ordered by creation then id; cursors are stable while assets are
   * added. An unknown experiment gives an empty page.
   */
  list(caller: Caller, requests: readonly AssetPageRequest[], options?: ReadOptions): Promise<(Page<Asset> | Error)[]>;
  /** Assets by ref, in ref order; null where the asset (or its experiment) does not exist. */
  get(caller: Caller, refs: readonly AssetRef[], options?: ReadOptions): Promise<(Asset | null | Error)[]>;
  /** Experiment models (asset groups) per experiment key, ordered by name. */
  models(caller: Caller, keys: readonly string[]): Promise<(ExperimentModel[] | Error)[]>;
  /** Streams an asset's bytes; null when the asset does not exist. */
  open(caller: Caller, experimentKey: string, assetId: string, options?: OpenAssetOptions): Promise<OpenedAsset | null>;
  /** Streams bytes to storage, enforcing `maxBytes` while streaming; nothing is kept when it fails. */
  put(caller: Caller, input: PutAssetInput, body: Readable): Promise<Asset>;
  /**
   * Rejects (NOT_FOUND; FORBIDDEN through the access policy) when an upload to the experiment would be
   * refused, so a signed upload URL is refused when asked for, not at the PUT.
   */
  checkUpload(caller: Caller, experimentKey: string): Promise<void>;
  /** Deletes one asset (its bytes once nothing else refers to them); NOT_FOUND when it does not exist. */
  delete(caller: Caller, experimentKey: string, assetId: string, options?: WriteOptions): Promise<void>;
}
