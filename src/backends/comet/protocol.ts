/**
 * Protocol facts of Comet's REST API v2 and its clientlib batch plane, named once. Section numbers (§) point
 * into shared/comet-rest-v2.md, the reference this adapter is written from.
 */

/** Cloud server (§1 "Base URL and paths"). */
export const DEFAULT_COMET_URL = 'https://www.comet.com';
/** Mount of REST API v2 below the server root (§1). */
export const REST_MOUNT = '/api/rest/v2/';
/** Mount of the SDK logging plane (§2 "Related mounts"); only its batch endpoints are used (§5). */
export const CLIENTLIB_MOUNT = '/clientlib/';

export type Plane = 'rest' | 'clientlib' | 'mpm' | 'mpmApi';

/** Routes, relative to their mount. */
export const Route = {
  workspaces: 'workspaces',
  projects: 'projects',
  project: 'project',
  columnNames: 'project/column-names',
  projectQuery: 'project/query',
  experiments: 'experiments',
  experimentMetadata: 'experiment/metadata',
  metricsSummary: 'experiment/metrics/summary',
  getMetric: 'experiment/metrics/get-metric',
  multiMetricChart: 'experiments/multi-metric-chart',
  parameters: 'experiment/parameters',
  logOther: 'experiment/log-other',
  tags: 'experiment/tags',
  assetList: 'experiment/asset/list',
  getAsset: 'experiment/asset/get-asset',
  experimentModel: 'experiment/model',
  registryModels: 'registry-model',
  registryItems: 'registry-model/items',
  writeExperimentCreate: 'write/experiment/create',
  writeSetStartEndTime: 'write/experiment/set-start-end-time',
  writeUpdateStatus: 'write/experiment/update-status',
  writeArchive: 'write/experiment/archive',
  writeDelete: 'write/experiment/delete',
  writeLogOther: 'write/experiment/log-other',
  writeTags: 'write/experiment/tags',
  writeUploadAsset: 'write/experiment/upload-asset',
  writeProjectCreate: 'write/project/create',
  writeRegistryItemCreate: 'write/registry-model/item/create',
  writeRegistryItemUpdate: 'write/registry-model/item/update',
  writeRegistryItemStatus: 'write/registry-model/item/status',
  experimentCode: 'experiment/code',
  experimentOutput: 'experiment/output',
  systemDetails: 'experiment/system-details',
  gitMetadata: 'experiment/git/metadata',
  gitPatch: 'experiment/git/patch',
  experimentHtml: 'experiment/html',
  experimentGraph: 'experiment/graph',
  projectNotes: 'project/notes',
  writeCode: 'write/experiment/code',
  writeOutput: 'write/experiment/output',
  writeSystemDetails: 'write/experiment/system-details',
  writeGitMetadata: 'write/experiment/git/metadata',
  writeGitPatch: 'write/experiment/git/patch',
  writeHtml: 'write/experiment/html',
  writeGraph: 'write/experiment/graph',
  writeDependencies: 'write/experiment/dependencies',
  writeProjectNotes: 'write/project/notes',
  writeRestore: 'write/experiment/restore',
  writeAssetDelete: 'write/experiment/asset/delete',
  writeProjectUpdate: 'write/project/update',
  writeProjectDelete: 'write/project/delete',
  writeRegistryItemDelete: 'write/registry-model/item/delete',
  batchMetric: 'batch/logger/experiment/metric',
  batchParameter: 'batch/logger/experiment/parameter',
} as const;
export type RouteName = (typeof Route)[keyof typeof Route];

/** `sdk_error_code` values the adapter acts on (§1 "Error shape"). */
export const SdkErrorCode = {
  INVALID_API_KEY: 90212,
  NO_SUCH_WORKSPACE: 90219,
  NO_WRITE_ACCESS: 90210,
  NO_SUCH_RUN: 90211,
  NO_MODEL_TO_UPDATE: 42006,
  REGISTRY_MODEL_NOT_FOUND: 42008,
} as const;

/** Codes meaning "the thing named does not exist": null on reads, NOT_FOUND on writes (§1, §3, §8). */
export const NOT_FOUND_SDK_CODES: ReadonlySet<number> = new Set([
  SdkErrorCode.NO_SUCH_RUN,
  SdkErrorCode.NO_SUCH_WORKSPACE,
  SdkErrorCode.NO_MODEL_TO_UPDATE,
  SdkErrorCode.REGISTRY_MODEL_NOT_FOUND,
]);

export const Limits = {
  /** Values per clientlib batch request: the SDK's batch size; the server's ceiling is undocumented (§5, §10.3). */
  BATCH_MAX_VALUES: 1000,
  /** Values kept per metric; beyond it Comet downsamples what it serves (§8 "Hard limits"). */
  MAX_POINTS_PER_METRIC: 15_000,
  /** Experiments per `multi-metric-chart` request: not documented (§3); a conservative chunk. */
  CHART_MAX_EXPERIMENTS: 100,
  /** Project names must be under 100 characters (§1 PROJECT_NAME_TOO_LONG). */
  PROJECT_NAME_MAX_CHARS: 99,
} as const;

/** Status codes retried with backoff (§8 "Rate-limit signalling", "Status codes seen"). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/**
 * Statuses where Comet refused the call before doing anything, so even a non-idempotent write may be sent
 * again. A 500 or a reset may come after the work was done: those are retried only for idempotent calls.
 */
export const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * `log_other` keys the gateway keeps its own facts in, because Comet has no field for them: the parent run
 * (design: "parent link stored as an others entry") and the end status (ExperimentMeta has only `running`
 * and the end time, §3). They are hidden from `getOthers`.
 */
export const OtherKey = {
  parentKey: 'trackql.parentKey',
  status: 'trackql.status',
  /** A digest of the idempotency claim a run was created under, to find the run after an ambiguous create. */
  createClaim: 'trackql.create',
} as const;
export const RESERVED_OTHER_PREFIX = 'trackql.';

/**
 * Asset metadata keys the gateway keeps: the port's free-form asset type (Comet refuses types outside its
 * list, §3 "Assets") and the experiment model an asset belongs to (the asset list does not echo
 * `groupingName`). Hidden from `Asset.metadata`.
 */
export const AssetMetaKey = {
  type: 'trackql.type',
  modelName: 'trackql.modelName',
} as const;

/** Asset types Comet knows (Java `AssetType` plus Python's, §3). Any other port type travels as `asset`. */
export const COMET_ASSET_TYPES: ReadonlySet<string> = new Set([
  'unknown', 'asset', 'source_code', '3d-points', 'embeddings', 'dataframe', 'dataframe-profile', 'histogram3d',
  'confusion-matrix', 'curve', 'notebook', 'model-element', 'text-sample', 'image', 'audio', 'video',
  'histogram_combined_3d', 'tensorflow-file',
]);
/** The asset type whose uploads make up an experiment model, grouped by `groupingName` (SDK `log_model`). */
export const MODEL_ASSET_TYPE = 'model-element';

/**
 * Registry "stages" are tags in the newer SDK (§6 "Stages and tags"); the port's single `stage` is kept as
 * a tag with this prefix so both survive in Comet's one list.
 */
export const STAGE_TAG_PREFIX = 'stage:';

/** Non-finite spellings Comet reads and writes as strings (§1: values travel as strings). */
export const NON_FINITE_SPELLINGS = {
  nan: ['NaN', 'nan', 'NAN'],
  inf: ['Infinity', 'inf', 'Inf', 'INF', '+Infinity', '+inf'],
  negInf: ['-Infinity', '-inf', '-Inf', '-INF'],
} as const;
