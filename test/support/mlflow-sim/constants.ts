/**
 * Protocol facts of the simulated MLflow tracking server, named once. Section numbers (§) point into
 * docs/mlflow-reference.md, where each fact is stated and marked as read from MLflow or as a simulator choice.
 */

/** Mount of the REST API (§1). */
export const API_ROOT = '/api/2.0/';
/** Second mount of the UI's sampled bulk history (§5). */
export const AJAX_ROOT = '/ajax-api/2.0/';
/** The artifact proxy, below API_ROOT (§7). */
export const ARTIFACTS_PREFIX = 'mlflow-artifacts/artifacts';
/** Scheme a run's `artifact_uri` starts with when the server proxies artifacts (§7). */
export const ARTIFACT_SCHEME = 'mlflow-artifacts:/';

/** Route names: the path below API_ROOT (or AJAX_ROOT), as counted in the call log. */
export const Path = {
  experimentCreate: 'mlflow/experiments/create',
  experimentGet: 'mlflow/experiments/get',
  experimentGetByName: 'mlflow/experiments/get-by-name',
  experimentSearch: 'mlflow/experiments/search',
  experimentUpdate: 'mlflow/experiments/update',
  experimentDelete: 'mlflow/experiments/delete',
  experimentRestore: 'mlflow/experiments/restore',
  experimentSetTag: 'mlflow/experiments/set-experiment-tag',
  runCreate: 'mlflow/runs/create',
  runGet: 'mlflow/runs/get',
  runUpdate: 'mlflow/runs/update',
  runDelete: 'mlflow/runs/delete',
  runRestore: 'mlflow/runs/restore',
  runSearch: 'mlflow/runs/search',
  runSetTag: 'mlflow/runs/set-tag',
  runDeleteTag: 'mlflow/runs/delete-tag',
  runLogParameter: 'mlflow/runs/log-parameter',
  runLogMetric: 'mlflow/runs/log-metric',
  runLogBatch: 'mlflow/runs/log-batch',
  metricHistory: 'mlflow/metrics/get-history',
  metricBulkInterval: 'mlflow/metrics/get-history-bulk-interval',
  artifactList: 'mlflow/artifacts/list',
  modelCreate: 'mlflow/registered-models/create',
  modelGet: 'mlflow/registered-models/get',
  modelSearch: 'mlflow/registered-models/search',
  modelUpdate: 'mlflow/registered-models/update',
  modelRename: 'mlflow/registered-models/rename',
  modelDelete: 'mlflow/registered-models/delete',
  modelSetTag: 'mlflow/registered-models/set-tag',
  modelDeleteTag: 'mlflow/registered-models/delete-tag',
  modelAlias: 'mlflow/registered-models/alias',
  versionCreate: 'mlflow/model-versions/create',
  versionGet: 'mlflow/model-versions/get',
  versionSearch: 'mlflow/model-versions/search',
  versionUpdate: 'mlflow/model-versions/update',
  versionDelete: 'mlflow/model-versions/delete',
  versionTransitionStage: 'mlflow/model-versions/transition-stage',
  versionDownloadUri: 'mlflow/model-versions/get-download-uri',
  versionSetTag: 'mlflow/model-versions/set-tag',
  versionDeleteTag: 'mlflow/model-versions/delete-tag',
  /** The proxy's listing (`?path=`) and, with `/*`, one file's bytes. */
  artifactsList: ARTIFACTS_PREFIX,
  artifactFile: `${ARTIFACTS_PREFIX}/*`,
} as const;
export type RouteName = (typeof Path)[keyof typeof Path];

/** MLflow's error codes and the HTTP status each answers with (§2). */
export const ErrorStatus = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ErrorStatus;

export const Limits = {
  /** Experiment names (§3). */
  EXPERIMENT_NAME_MAX_CHARS: 500,
  /** Experiments per search page (§3). */
  EXPERIMENTS_MAX_RESULTS: 50_000,
  /** Default page of experiment search: the size every server must support (§3, a sim choice). */
  EXPERIMENTS_DEFAULT_RESULTS: 1000,
  /** Runs per search page: default and cap (§4). */
  RUNS_DEFAULT_RESULTS: 1000,
  RUNS_MAX_RESULTS: 50_000,
  /** log-batch (§4.3). */
  BATCH_MAX_METRICS: 1000,
  BATCH_MAX_PARAMS: 100,
  BATCH_MAX_TAGS: 100,
  BATCH_MAX_TOTAL: 1000,
  BATCH_MAX_BYTES: 1_000_000,
  KEY_MAX_CHARS: 250,
  PARAM_VALUE_MAX_CHARS: 6000,
  TAG_VALUE_MAX_CHARS: 5000,
  /** get-history page cap (§5). */
  HISTORY_MAX_RESULTS: 25_000,
  /** get-history-bulk-interval (§5). */
  BULK_MAX_RUNS: 100,
  BULK_MAX_RESULTS: 2500,
  /** Registered-model search (§6). */
  MODELS_DEFAULT_RESULTS: 100,
  MODELS_MAX_RESULTS: 1000,
  /** Model-version search: not in the reference; a sim choice (§6). */
  VERSIONS_DEFAULT_RESULTS: 10_000,
  VERSIONS_MAX_RESULTS: 10_000,
  /** Aliases (§6.2). */
  ALIAS_MAX_CHARS: 255,
  /** JSON bodies above this are refused with 413 (a sim choice, §2). */
  JSON_BODY_MAX_BYTES: 16 * 1024 * 1024,
  /** Artifact uploads above this are refused with 413 (a sim choice, §7). */
  ARTIFACT_MAX_BYTES: 100 * 1024 * 1024,
} as const;

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof VIEW_TYPES)[number];
export type LifecycleStage = 'active' | 'deleted';
/** Legacy registry stages, canonical spelling (§6.1). */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];
