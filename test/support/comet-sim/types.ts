/**
 * The simulator's in-memory model. Records hold what Comet would store; read shapes are built from them by
 * the route files. Units: every time is Unix ms; metric, parameter and other values are stored as strings,
 * as Comet returns them (§1 "Request and response bodies").
 */

/** One logged metric value, exactly as received (arrival order is kept per experiment). */
export interface MetricPoint {
  metricName: string;
  metricValue: string;
  step: number | null;
  epoch: number | null;
  /** Unix ms: the client's timestamp, or the arrival time when none was sent. */
  timestamp: number;
  context: string | null;
}

/** One logged parameter or "other" value; the latest per name is the current one. */
export interface ValueEntry {
  name: string;
  value: string;
  step: number | null;
  timestamp: number;
  context: string | null;
  /** Parameter source on the batch plane (`manual`, `auto-logged`, `cli`); null elsewhere. */
  source: string | null;
}

export interface AssetRecord {
  assetId: string;
  fileName: string;
  type: string;
  step: number | null;
  epoch: number | null;
  context: string | null;
  /** The `metadata` part as sent: a JSON string, or null. */
  metadata: string | null;
  tags: string[];
  groupingName: string | null;
  extension: string | null;
  artifactVersionId: string | null;
  /** The `link` part of a remote asset, else null. */
  remoteLink: string | null;
  createdAt: number;
  bytes: Buffer;
}

export interface ExperimentModelRecord {
  experimentModelId: string;
  experimentKey: string;
  modelName: string;
  assetIds: string[];
}

export interface ExperimentRecord {
  experimentKey: string;
  experimentName: string | null;
  projectId: string;
  userName: string;
  startTimeMillis: number;
  endTimeMillis: number | null;
  archived: boolean;
  running: boolean;
  hasCrashed: boolean;
  error: string | null;
  /** Last write to the experiment, Unix ms. */
  lastUpdated: number;
  /** Every metric point, in arrival order. */
  metrics: MetricPoint[];
  /** The same points grouped by metric name (first-arrival order of names), each in arrival order. */
  metricsByName: Map<string, MetricPoint[]>;
  parameters: ValueEntry[];
  others: ValueEntry[];
  /** Tags in the order first added; adding a present tag again is a no-op. */
  tags: string[];
  assets: AssetRecord[];
  models: ExperimentModelRecord[];
  /** Code, output, system details, git, HTML, graph and dependencies (comet-run-details.md). */
  details: RunDetailsRecord;
}

/** One line of `write/experiment/output`, as received (R sends only `offset` and `output`). */
export interface OutputLineRecord {
  output: string;
  stderr: boolean;
  localTimestamp: number | null;
  offset: number | null;
}

export interface RunDetailsRecord {
  code: string | null;
  /** Every line received, in arrival order; `experiment/output` answers them joined into one string. */
  output: OutputLineRecord[];
  /** The system-details fields as sent, merged per write (partial updates, §5). */
  systemDetails: Record<string, unknown>;
  gitMetadata: Record<string, string | null> | null;
  /** The uploaded zip, byte for byte. */
  gitPatch: Buffer | null;
  html: string | null;
  graph: string | null;
  /** `logDependencies` of the last `write/experiment/dependencies`; Comet has no read of them. */
  dependencies: { name: string; version: string }[];
}

export interface ProjectRecord {
  projectId: string;
  projectName: string;
  workspaceName: string;
  ownerUserName: string;
  projectDescription: string;
  isPublic: boolean;
  createdAt: number;
  lastUpdated: number;
  /** `write/project/notes`; '' until set. */
  notes: string;
}

export interface RegistryItemRecord {
  registryModelItemId: string;
  registryModelId: string;
  version: string;
  comment: string;
  /** Legacy "stages"; the newer SDK treats them as tags (§6). One list serves both. */
  tags: string[];
  status: string | null;
  experimentModelId: string;
  experimentKey: string;
  experimentModelName: string;
  userName: string;
  createdAt: number;
  lastUpdated: number;
}

export interface RegistryModelRecord {
  registryModelId: string;
  workspaceName: string;
  /** Normalised (§ Corrections 3). */
  modelName: string;
  description: string;
  isPublic: boolean;
  userName: string;
  createdAt: number;
  lastUpdated: number;
  /** In creation order. */
  items: RegistryItemRecord[];
}

export interface KeyRecord {
  apiKey: string;
  userName: string;
  /** Workspaces this key may see, the default first. */
  workspaces: string[];
  defaultWorkspace: string;
}

// ---- dump() ----------------------------------------------------------------------------------------------

export interface AssetDump extends Omit<AssetRecord, 'bytes'> {
  fileSize: number;
  bytesBase64: string;
}
export interface ExperimentDump
  extends Omit<ExperimentRecord, 'metricsByName' | 'assets'> {
  workspaceName: string;
  projectName: string;
  assets: AssetDump[];
}
export interface SimStateDump {
  keys: KeyRecord[];
  workspaces: string[];
  projects: ProjectRecord[];
  /** By experiment key; `metrics` lists every point received, in arrival order. */
  experiments: Record<string, ExperimentDump>;
  registryModels: RegistryModelRecord[];
}

// ---- seed() ----------------------------------------------------------------------------------------------

export interface SeedKey {
  apiKey: string;
  /** Workspaces the key sees (created when new); replaces the key's default binding. */
  workspaces: string[];
  /** Defaults to the first workspace. */
  defaultWorkspace?: string;
  userName?: string;
}
export interface SeedProject {
  workspace: string;
  name: string;
  description?: string;
  public?: boolean;
}
export interface SeedMetric {
  metricName: string;
  metricValue: number | string;
  step?: number;
  epoch?: number;
  timestamp?: number;
  context?: string;
}
export interface SeedAsset {
  fileName: string;
  bytes: Buffer | string;
  type?: string;
  step?: number;
  metadata?: Record<string, unknown>;
  /** For `model-element` assets: the experiment model they belong to. */
  groupingName?: string;
}
export interface SeedExperiment {
  workspace: string;
  /** Created when missing. */
  project: string;
  key?: string;
  name?: string;
  userName?: string;
  archived?: boolean;
  startTimeMillis?: number;
  endTimeMillis?: number | null;
  metrics?: SeedMetric[];
  parameters?: Record<string, string | number | boolean>;
  others?: Record<string, string | number | boolean>;
  tags?: string[];
  assets?: SeedAsset[];
  /** Run details as Comet stores them (routes-details.ts). */
  details?: Partial<RunDetailsRecord>;
}
export interface SeedInput {
  keys?: SeedKey[];
  projects?: SeedProject[];
  experiments?: SeedExperiment[];
}
export interface SeedResult {
  /** Keys of the seeded experiments, in input order. */
  experimentKeys: string[];
}
