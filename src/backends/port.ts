/**
 * The contract every backend implements, in the domain's own types (plain objects, never GraphQL classes).
 *
 * Batch-first: every read takes an array of keys and answers one entry per key, in key order, with `null`
 * where the entity does not exist. A per-key failure is an `Error` in its slot; a whole-batch failure
 * rejects. Writes take batches too. Times are Unix milliseconds since epoch; sizes are bytes.
 *
 * Every method takes the caller as its first argument: backends scope what they read and write to it.
 */
import type { Readable } from 'node:stream';

/** Who is asking. `keyId` is a stable, non-secret id of the API key (a hash), safe for logs and cache keys. */
export interface Caller {
  /** The raw API key, or null for an anonymous caller of an open store. Never log it. */
  readonly apiKey: string | null;
  /** Non-secret id of the key (hash prefix), `anonymous` when there is none. */
  readonly keyId: string;
}

/** An experiment's lifecycle state. */
export type ExperimentStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'CRASHED';
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = ['RUNNING', 'FINISHED', 'FAILED', 'CRASHED'];

export interface Workspace {
  name: string;
  createdAt: number | null;
}

export interface ProjectRef {
  workspace: string;
  name: string;
}

export interface Project {
  id: string;
  workspace: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  createdAt: number | null;
  lastUpdatedAt: number | null;
  /** Experiments in the project, archived ones excluded. */
  experimentCount: number;
}

export interface Experiment {
  key: string;
  workspace: string;
  project: string;
  projectId: string;
  name: string | null;
  status: ExperimentStatus;
  startedAt: number | null;
  endedAt: number | null;
  archived: boolean;
  /** Key of the parent run, or null for a top-level run. */
  parentKey: string | null;
  /** Link to the experiment in the backend's own UI, when it has one. */
  url?: string | null;
}

/** A metric value that JSON cannot carry as a number. */
export type NonFinite = 'NAN' | 'INFINITY' | 'NEGATIVE_INFINITY';

export interface MetricSummary {
  experimentKey: string;
  name: string;
  /** Value of the point with the highest (step, timestamp). May be NaN or ±Infinity. */
  last: number;
  /** Smallest value, NaN ignored (NaN only when every value is NaN). */
  min: number;
  /** Largest value, NaN ignored (NaN only when every value is NaN). */
  max: number;
  /** Number of stored points, or null when the backend cannot tell. */
  count: number | null;
  lastStep: number | null;
  /** Step at which `min` was logged. */
  minStep: number | null;
  /** Step at which `max` was logged. */
  maxStep: number | null;
  lastTimestamp: number | null;
}

export interface MetricPoint {
  step: number;
  epoch: number | null;
  /** May be NaN or ±Infinity. */
  value: number;
  timestamp: number;
  context: string | null;
}

/** One series to read. Ranges are exclusive: afterStep < step < beforeStep. */
export interface MetricHistoryRequest {
  experimentKey: string;
  name: string;
  afterStep?: number | null;
  beforeStep?: number | null;
  /** Raw paging: at most `first` points after the opaque `after` cursor. Ignored when `samples` is set. */
  first?: number | null;
  after?: string | null;
  /** Downsample to at most this many points, keeping each bucket's min and max and the first and last point. */
  samples?: number | null;
}

export interface MetricHistory {
  points: MetricPoint[];
  /** Cursor of each point, same order as `points` (raw paging only; empty when sampled). */
  cursors: string[];
  hasNextPage: boolean;
  /** Points in the requested step range before sampling or paging. */
  totalCount: number;
  sampled: boolean;
}

export interface Parameter {
  name: string;
  /** The value as logged, as a string (Comet stores parameters as strings). */
  value: string;
}

export interface Other {
  key: string;
  value: string;
}

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

export interface RegisteredModelRef {
  workspace: string;
  name: string;
}

export interface RegisteredModel {
  id: string;
  workspace: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  createdAt: number | null;
  lastUpdatedAt: number | null;
}

export interface ModelVersion {
  id: string;
  workspace: string;
  modelName: string;
  version: string;
  stage: string | null;
  status: string | null;
  tags: string[];
  aliases: string[];
  comment: string | null;
  createdAt: number | null;
  experimentKey: string | null;
  experimentModelName: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Listing, filtering, ordering

export interface PageRequest {
  /** At most this many items. */
  first: number;
  /** Opaque cursor returned by an earlier page; start from the beginning when absent. */
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Cursor of each item, same order as `items`. */
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export type Comparison = 'EQ' | 'NE' | 'LT' | 'LTE' | 'GT' | 'GTE';
export type MetricAggregate = 'LAST' | 'MIN' | 'MAX';

/** A filter tree over experiments. Exactly one member of each node is set. */
export type ExperimentFilter =
  | { and: ExperimentFilter[] }
  | { or: ExperimentFilter[] }
  | { not: ExperimentFilter }
  | { tag: string }
  | { parameter: { name: string; op: Comparison; value: string } }
  | { metric: { name: string; aggregate: MetricAggregate; op: Comparison; value: number } }
  | { status: ExperimentStatus[] }
  | { nameContains: string }
  /** Both bounds exclusive. */
  | { startedAfter?: number; startedBefore?: number }
  | { archived: boolean };

export type SortDirection = 'ASC' | 'DESC';
export type ExperimentOrderKey =
  | { field: 'NAME' | 'STARTED_AT' | 'ENDED_AT' | 'KEY' }
  | { field: 'METRIC'; name: string; aggregate: MetricAggregate }
  | { field: 'PARAMETER'; name: string };
export type ExperimentOrder = ExperimentOrderKey & { direction: SortDirection };

export interface ListExperimentsRequest {
  project: ProjectRef;
  filter?: ExperimentFilter | null;
  /** Keys applied in order; the experiment key is always the final tie-breaker. Nulls sort last. */
  orderBy?: ExperimentOrder[];
  page: PageRequest;
  /** Include archived experiments (default false unless the filter mentions `archived`). */
  includeArchived?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Writes

export type WriteStatus = 'ACCEPTED' | 'QUEUED';

export interface CreateProjectInput {
  workspace: string;
  name: string;
  description?: string | null;
  isPublic?: boolean;
}

export interface CreateExperimentInput {
  workspace: string;
  project: string;
  name?: string | null;
  tags?: string[];
  parameters?: Parameter[];
  parentKey?: string | null;
  startedAt?: number | null;
}

export interface EndExperimentInput {
  experimentKey: string;
  status: Exclude<ExperimentStatus, 'RUNNING'>;
  endedAt?: number | null;
}

export interface MetricPointInput {
  name: string;
  value: number;
  step: number;
  epoch?: number | null;
  timestamp?: number | null;
  context?: string | null;
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

export interface RegisterModelInput {
  experimentKey: string;
  /** Name of the experiment model (the assets grouped under it). */
  experimentModelName: string;
  workspace?: string | null;
  registryName: string;
  version: string;
  description?: string | null;
  isPublic?: boolean;
  comment?: string | null;
  stage?: string | null;
  status?: string | null;
  tags?: string[];
  /** Also register the same-named models of child runs, recursively, as further versions. */
  includeChildren?: boolean;
}

/** Fields left `undefined` stay as they are; `null` clears them. */
export interface UpdateModelVersionInput {
  workspace: string;
  modelName: string;
  version: string;
  stage?: string | null;
  status?: string | null;
  tags?: string[] | null;
  comment?: string | null;
  /** Aliases to point at this version (moved from any other version of the model). */
  addAliases?: string[];
  removeAliases?: string[];
}

/** What a backend can and cannot do; the schema reports it instead of faking what is missing. */
export interface Capabilities {
  metricPointCounts: boolean;
  removeTags: boolean;
  modelAliases: boolean;
  orFilters: boolean;
  backend: 'sqlite' | 'comet';
  /**
   * Other clients write to the store behind the gateway's back (Comet: the Python SDK), so the live feed
   * polls watched experiments for new points (src/live/poller.ts). Absent means false.
   */
  externalWriters?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Idempotent writes

/**
 * Makes one write idempotent. The backend keeps a record of (caller keyId, `key`) with the operation, the
 * payload hash and the result, written atomically with the write itself (SQLite: the same transaction;
 * Comet: the outbox database, in the transaction that enqueues it). A later call with the same key by the
 * same caller within `IDEMPOTENCY_TTL_MS` writes nothing and answers the recorded result; the same key with
 * another operation or payload is BAD_USER_INPUT. Calls with the same key in flight at once are serialized.
 *
 * The services build it from the request as the client sent it (src/services/idempotency.ts): the backend
 * cannot hash its own input, which holds defaults that differ between retries (receive timestamps).
 */
export interface IdempotencyClaim {
  /** The client's key (1–255 characters), scoped to the caller's keyId. */
  readonly key: string;
  /** The mutation's name: the same key reused for another mutation is a conflict. */
  readonly operation: string;
  /** sha256 hex of the operation's input as sent, without the key. */
  readonly payloadHash: string;
  /** Called when the answer comes from the record instead of a write, so callers skip side effects (live events). */
  readonly onReplay?: () => void;
}

/** Options every write method takes. */
export interface WriteOptions {
  readonly idempotency?: IdempotencyClaim;
}

/** How long an idempotency record is kept, in ms: a retry within 24 hours replays (older records are pruned lazily). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** How a read may be served. */
export interface ReadOptions {
  /**
   * Read from the source of truth, not from a cache: for pollers that look for data written behind the
   * gateway's back (a backend without a cache ignores it). The answer still refreshes the cache.
   */
  fresh?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// The port

export interface ReadPort {
  /** One entry per key, in key order; `null` when missing or not visible to the caller. */
  getExperiments(caller: Caller, keys: readonly string[]): Promise<(Experiment | Error | null)[]>;
  listExperiments(caller: Caller, request: ListExperimentsRequest): Promise<Page<Experiment>>;
  /** Children of each parent key, ordered by start time then key. */
  getChildExperiments(caller: Caller, parentKeys: readonly string[]): Promise<(Experiment[] | Error)[]>;
  listWorkspaces(caller: Caller): Promise<Workspace[]>;
  getWorkspaces(caller: Caller, names: readonly string[]): Promise<(Workspace | Error | null)[]>;
  getProjects(caller: Caller, refs: readonly ProjectRef[]): Promise<(Project | Error | null)[]>;
  listProjects(caller: Caller, workspace: string, page: PageRequest): Promise<Page<Project>>;
  /** Summaries per key, ordered by metric name; only `names` when given. */
  getMetricSummaries(
    caller: Caller,
    keys: readonly string[],
    names?: readonly string[] | null,
    options?: ReadOptions,
  ): Promise<(MetricSummary[] | Error)[]>;
  /** One history per request, in request order. An unknown experiment or metric gives an empty history. */
  getMetricHistories(caller: Caller, requests: readonly MetricHistoryRequest[], options?: ReadOptions): Promise<(MetricHistory | Error)[]>;
  /** Parameters per key, ordered by name. */
  getParameters(caller: Caller, keys: readonly string[]): Promise<(Parameter[] | Error)[]>;
  /** Tags per key, sorted. */
  getTags(caller: Caller, keys: readonly string[]): Promise<(string[] | Error)[]>;
  /** `log_other` entries per key, ordered by key. */
  getOthers(caller: Caller, keys: readonly string[]): Promise<(Other[] | Error)[]>;
  /** Assets per experiment key, ordered by creation then id; only `type` when given. */
  listAssets(caller: Caller, keys: readonly string[], type?: string | null): Promise<(Asset[] | Error)[]>;
  /** Experiment models (asset groups) per experiment key, ordered by name. */
  getExperimentModels(caller: Caller, keys: readonly string[]): Promise<(ExperimentModel[] | Error)[]>;
  /** Streams an asset's bytes; null when the asset does not exist. */
  openAsset(caller: Caller, experimentKey: string, assetId: string, options?: OpenAssetOptions): Promise<OpenedAsset | null>;
  getRegisteredModels(caller: Caller, refs: readonly RegisteredModelRef[]): Promise<(RegisteredModel | Error | null)[]>;
  listRegisteredModels(caller: Caller, workspace: string, page: PageRequest): Promise<Page<RegisteredModel>>;
  /** All versions per model, newest first (by creation, then version string descending). */
  getModelVersions(caller: Caller, refs: readonly RegisteredModelRef[]): Promise<(ModelVersion[] | Error)[]>;
  capabilities(): Capabilities;
}

export interface WritePort {
  createProject(caller: Caller, input: CreateProjectInput, options?: WriteOptions): Promise<Project>;
  createExperiment(caller: Caller, input: CreateExperimentInput, options?: WriteOptions): Promise<Experiment>;
  endExperiment(caller: Caller, input: EndExperimentInput, options?: WriteOptions): Promise<Experiment>;
  /** Stores every point or none. */
  logMetrics(caller: Caller, experimentKey: string, points: readonly MetricPointInput[], options?: WriteOptions): Promise<WriteStatus>;
  /** Sets (or overwrites) parameters, all or none. */
  logParameters(caller: Caller, experimentKey: string, params: readonly Parameter[], options?: WriteOptions): Promise<WriteStatus>;
  logOthers(caller: Caller, experimentKey: string, others: readonly Other[], options?: WriteOptions): Promise<WriteStatus>;
  /** Returns the experiment's tags after the change. */
  addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: WriteOptions): Promise<string[]>;
  removeTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: WriteOptions): Promise<string[]>;
  /** Streams bytes to storage, enforcing `maxBytes` while streaming; nothing is kept when it fails. */
  putAsset(caller: Caller, input: PutAssetInput, body: Readable): Promise<Asset>;
  /** Registers the experiment model as a version (creating the registered model if needed). */
  registerModel(
    caller: Caller, input: RegisterModelInput, options?: WriteOptions,
  ): Promise<{ model: RegisteredModel; versions: ModelVersion[] }>;
  updateModelVersion(caller: Caller, input: UpdateModelVersionInput, options?: WriteOptions): Promise<ModelVersion>;
  archiveExperiment(caller: Caller, experimentKey: string, options?: WriteOptions): Promise<Experiment>;
  deleteExperiment(caller: Caller, experimentKey: string, options?: WriteOptions): Promise<void>;
  /**
   * Runs `produce` at most once per claim, for a mutation that writes nothing to the store itself
   * (`createAssetUpload` signs a URL): a retry gets the recorded result instead. The result must be JSON.
   */
  once<T>(caller: Caller, claim: IdempotencyClaim, produce: () => Promise<T>): Promise<T>;
  /**
   * Rejects (NOT_FOUND, FORBIDDEN) when the caller may not write to the experiment, for a write that happens
   * later: a signed upload URL is refused when asked for, not at the PUT. Absent where nothing is scoped.
   */
  authorizeWrite?(caller: Caller, experimentKey: string): Promise<void>;
}

export interface Backend extends ReadPort, WritePort {
  /** Ready to serve; a short reason when not. */
  readiness(): Promise<{ ready: boolean; detail?: Record<string, unknown> }>;
  /**
   * Writes acknowledged QUEUED and not yet delivered upstream (requests in a durable outbox). Absent on
   * backends that store every write before answering.
   */
  pendingWrites?(): number;
  close(): Promise<void>;
}
