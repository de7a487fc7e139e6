/**
 * Protocol facts of MLflow's tracking REST API 2.0 that the backend relies on, named once. Sections (§)
 * point into docs/mlflow-reference.md.
 */

/** Mount of every tracking and registry path (§1). */
export const API_ROOT = '/api/2.0/';

/** The artifact proxy below API_ROOT (§7): `<route>/<path>` for bytes, `<route>?path=` to list. */
export const ARTIFACTS_ROUTE = 'mlflow-artifacts/artifacts';
/** A run's `artifact_uri` starts so when the server proxies artifacts (§7); the proxy path is the rest. */
export const ARTIFACT_SCHEME = 'mlflow-artifacts:/';

/** Paths below API_ROOT (§3–§7). */
export const Route = {
  experimentCreate: 'mlflow/experiments/create',
  experimentGetByName: 'mlflow/experiments/get-by-name',
  experimentSearch: 'mlflow/experiments/search',
  experimentUpdate: 'mlflow/experiments/update',
  experimentDelete: 'mlflow/experiments/delete',
  runCreate: 'mlflow/runs/create',
  runGet: 'mlflow/runs/get',
  runUpdate: 'mlflow/runs/update',
  runDelete: 'mlflow/runs/delete',
  /** Not in our reference; served under this name by MLflow's handlers (§4). */
  runRestore: 'mlflow/runs/restore',
  runSearch: 'mlflow/runs/search',
  runSetTag: 'mlflow/runs/set-tag',
  runDeleteTag: 'mlflow/runs/delete-tag',
  runLogBatch: 'mlflow/runs/log-batch',
  metricHistory: 'mlflow/metrics/get-history',
  metricBulkInterval: 'mlflow/metrics/get-history-bulk-interval',
  artifactList: 'mlflow/artifacts/list',
  modelCreate: 'mlflow/registered-models/create',
  modelGet: 'mlflow/registered-models/get',
  modelSearch: 'mlflow/registered-models/search',
  modelUpdate: 'mlflow/registered-models/update',
  modelSetTag: 'mlflow/registered-models/set-tag',
  modelAlias: 'mlflow/registered-models/alias',
  versionCreate: 'mlflow/model-versions/create',
  versionSearch: 'mlflow/model-versions/search',
  versionUpdate: 'mlflow/model-versions/update',
  versionDelete: 'mlflow/model-versions/delete',
  versionTransitionStage: 'mlflow/model-versions/transition-stage',
  versionSetTag: 'mlflow/model-versions/set-tag',
  versionDeleteTag: 'mlflow/model-versions/delete-tag',
} as const;
export type RouteName = (typeof Route)[keyof typeof Route];

/** Limits of the API (§4.2, §4.3, §5). */
export const Limits = {
  BATCH_MAX_METRICS: 1000,
  BATCH_MAX_PARAMS: 100,
  BATCH_MAX_TAGS: 100,
  BATCH_MAX_TOTAL: 1000,
  /** log-batch bodies; kept below the 1 MB limit with room for the envelope. */
  BATCH_MAX_BYTES: 900_000,
  KEY_MAX_CHARS: 250,
  PARAM_VALUE_MAX_CHARS: 6000,
  TAG_VALUE_MAX_CHARS: 5000,
  EXPERIMENT_NAME_MAX_CHARS: 500,
  RUNS_MAX_RESULTS: 50_000,
  EXPERIMENTS_MAX_RESULTS: 50_000,
  HISTORY_MAX_RESULTS: 25_000,
  BULK_MAX_RUNS: 100,
  BULK_MAX_RESULTS: 2500,
  /** Run ids per `attributes.run_id IN (...)` search: a filter string kept well under any request limit. */
  RUN_IDS_PER_SEARCH: 100,
} as const;

/** Statuses MLflow's own client retries (§8). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
/**
 * Of those, the answers that say nothing was applied: a 429 or 503 refusal. The others (a 500, or a proxy's
 * 408/502/504) may come after the server did part or all of a write (§4.3: log-batch can partially apply).
 */
export const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** System tags (§4, `mlflow/utils/mlflow_tags.py`). */
export const Tag = {
  parentRunId: 'mlflow.parentRunId',
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  gitCommit: 'mlflow.source.git.commit',
  sourceName: 'mlflow.source.name',
  /** An experiment's (and run's) description, as MLflow's UI shows it. */
  note: 'mlflow.note.content',
  gitBranch: 'mlflow.source.git.branch',
  gitRepoUrl: 'mlflow.source.git.repoURL',
  /** The older name of the repository URL, still read (`mlflow_tags.py`, LEGACY_MLFLOW_GIT_REPO_URL). */
  legacyGitRepoUrl: 'mlflow.gitRepoURL',
} as const;

/** Prefix of MLflow's own tags: never read as TrackQL tags or others. */
export const SYSTEM_TAG_PREFIX = 'mlflow.';
/** Prefix of tags the gateway keeps for what MLflow has no field for. */
export const GATEWAY_TAG_PREFIX = 'trackql.';
export const GatewayTag = {
  /** A project's `isPublic`, on the MLflow experiment. */
  isPublic: 'trackql.isPublic',
  /** Marks a run removed through the gateway: MLflow's REST API only soft-deletes (§4). */
  deleted: 'trackql.deleted',
  /** `trackql.asset.<id>`: one asset uploaded through the gateway (what an artifact file cannot say: type, step, metadata, model). */
  assetPrefix: 'trackql.asset.',
  /** A digest of the idempotency claim a run was made under: a retry after a lost answer finds the run by it. */
  createClaim: 'trackql.create',
  /** On a model version: the version as TrackQL names it (MLflow numbers versions itself). */
  version: 'trackql.version',
  /** On a model version: the experiment model it was registered from. */
  experimentModel: 'trackql.experimentModel',
  /** On a model version: the port's free-text status (MLflow's own is its registration state). */
  status: 'trackql.status',
  /** A run's git root and git user: MLflow has no tag for either (detail-tags.ts). */
  gitRoot: 'trackql.git.root',
  gitUser: 'trackql.git.user',
  /** `trackql.detail.<part>`: the part is stored as an artifact under `trackql/` (detail-artifacts.ts). */
  detailPrefix: 'trackql.detail.',
} as const;

/** The run's artifact folder of what MLflow has no field for; hidden from asset listings. */
export const DETAILS_FOLDER = 'trackql';
/** A project's notes: `POST mlflow/experiments/set-experiment-tag` `{experiment_id, key, value}` (§3). */
export const SET_EXPERIMENT_TAG_ROUTE = 'mlflow/experiments/set-experiment-tag';

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
