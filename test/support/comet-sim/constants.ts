/**
 * Protocol facts of the simulated Comet, named once. Section numbers (§) point into
 * shared/comet-rest-v2.md, the reference this simulator is written from.
 */

/** Mount of REST API v2 (§1 "Base URL and paths"). */
export const REST_ROOT = '/api/rest/v2/';
/** Mount of the SDK logging plane; only its batch endpoints are simulated (§5 "Metrics batch"). */
export const CLIENTLIB_ROOT = '/clientlib/';

/** Route names: the path below its mount, as counted by `requestCounts()` (clientlib routes keep their prefix). */
export const Path = {
  workspaces: 'workspaces',
  accountDetails: 'account-details',
  projects: 'projects',
  project: 'project',
  projectColumnNames: 'project/column-names',
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
  registryModelCount: 'registry-model/count',
  registryModelDetails: 'registry-model/details',
  registryModelItems: 'registry-model/items',
  registryModelItemDetails: 'registry-model/item/details',
  writeExperimentCreate: 'write/experiment/create',
  writeSetStatus: 'write/experiment/set-status',
  writeStop: 'write/experiment/stop',
  writeSetStartEndTime: 'write/experiment/set-start-end-time',
  writeUpdateStatus: 'write/experiment/update-status',
  writeArchive: 'write/experiment/archive',
  writeRestore: 'write/experiment/restore',
  writeDelete: 'write/experiment/delete',
  writeMetric: 'write/experiment/metric',
  writeParameter: 'write/experiment/parameter',
  writeLogOther: 'write/experiment/log-other',
  writeTags: 'write/experiment/tags',
  writeUploadAsset: 'write/experiment/upload-asset',
  writeProjectCreate: 'write/project/create',
  writeRegistryModel: 'write/registry-model',
  writeRegistryItem: 'write/registry-model/item',
  writeRegistryItemCreate: 'write/registry-model/item/create',
  writeRegistryItemUpdate: 'write/registry-model/item/update',
  writeRegistryItemStage: 'write/registry-model/item/stage',
  writeRegistryItemStageDelete: 'write/registry-model/item/stage/delete',
  writeRegistryItemStatus: 'write/registry-model/item/status',
  writeRegistryModelDelete: 'write/registry-model/delete',
  writeRegistryItemDelete: 'write/registry-model/item/delete',
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
  writeProjectUpdate: 'write/project/update',
  writeProjectDelete: 'write/project/delete',
  writeAssetDelete: 'write/experiment/asset/delete',
  batchMetric: 'clientlib/batch/logger/experiment/metric',
  batchParameter: 'clientlib/batch/logger/experiment/parameter',
  mpmEventsBatch: 'mpm/v2/events/batch',
  mpmLabelsBatch: 'mpm/v2/labels/batch',
  mpmWorkspaces: 'api/mpm/v3/workspaces',
  mpmModelDetails: 'api/mpm/v2/model/details',
  mpmNumberOfPredictions: 'api/mpm/v2/model/numberOfPredictions',
  mpmDrift: 'api/mpm/v2/features/drift',
  mpmDistribution: 'api/mpm/v2/features/distribution',
} as const;
export type RouteName = (typeof Path)[keyof typeof Path];

/** `sdk_error_code` values the reference lists (§1 "Error shape"). */
export const SdkErrorCode = {
  /** Used where the reference names no code (generic validation, not found, faults). Not a Comet value. */
  UNSPECIFIED: 0,
  INVALID_API_KEY: 90212,
  NO_SUCH_WORKSPACE: 90219,
  NO_PROJECT_NAME: 98219,
  NO_WRITE_ACCESS: 90210,
  NO_SUCH_RUN: 90211,
  NO_EXPERIMENT_KEY: 90998,
  NO_MODEL_TO_UPDATE: 42006,
  REGISTRY_MODEL_NOT_FOUND: 42008,
} as const;
export type SdkErrorCode = (typeof SdkErrorCode)[keyof typeof SdkErrorCode];

export const Limits = {
  /** Values per request on the clientlib batch plane: the SDK's batch size, taken as the server's (§5, §10.3). */
  BATCH_MAX_VALUES: 1000,
  /** Values kept per metric on read; beyond it the history is downsampled (§8 "Hard limits"). */
  MAX_POINTS_PER_METRIC: 15_000,
  /** Points per metric in `multi-metric-chart` with `fetchFull: false` ("about 500", §3). */
  CHART_SAMPLE_POINTS: 500,
  /** Project names must be under 100 characters (Python's PROJECT_NAME_TOO_LONG, §1). */
  PROJECT_NAME_MAX_CHARS: 99,
  /** JSON request bodies above this are refused with 413 (Comet's limit is not documented: a sim choice). */
  JSON_BODY_MAX_BYTES: 20 * 1024 * 1024,
  /** Asset uploads above this are refused with 413 (REST limit not documented, §5: a sim choice). */
  ASSET_MAX_BYTES: 200 * 1024 * 1024,
  /** JSON responses at least this long are gzipped when the client accepts gzip; shorter ones are not, so a
   * client must follow `Content-Encoding` rather than assume (a sim choice, like most HTTP servers). */
  GZIP_MIN_BYTES: 512,
} as const;

/** Heartbeat answer of `write/experiment/set-status` (§5); Java's fallback beat is 3000 ms. */
export const HEARTBEAT = {
  isAliveBeatDurationMillis: 3000,
  gpuMonitorIntervalMillis: 60_000,
  cpuMonitorIntervalMillis: 60_000,
} as const;

/** Asset types: Java `AssetType` plus the ones Python adds (§3 "Assets"). Anything else is refused. */
export const ASSET_TYPES: readonly string[] = [
  'all', 'unknown', 'asset', 'source_code', '3d-points', 'embeddings', 'dataframe', 'dataframe-profile',
  'histogram3d', 'confusion-matrix', 'curve', 'notebook', 'model-element', 'text-sample',
  'image', 'audio', 'video', 'histogram_combined_3d', 'tensorflow-file',
];
/** The asset type whose uploads make up an experiment model, grouped by `groupingName` (SDK `log_model`). */
export const MODEL_ASSET_TYPE = 'model-element';

/** Parameter `source` values on the batch plane (§5). */
export const PARAMETER_SOURCES: readonly string[] = ['manual', 'auto-logged', 'cli'];

/**
 * Registry version statuses. Comet configures them per organisation and the endpoint listing them was not
 * seen (§6); the reference shows only "Production". This set is a sim choice.
 */
export const REGISTRY_STATUSES: readonly string[] = ['None', 'Development', 'Staging', 'QA', 'Production'];

/** Key accepted when `startCometSim` is given no `apiKeys`. */
export const DEFAULT_API_KEY = 'comet-sim-api-key';
