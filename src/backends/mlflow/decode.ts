/**
 * MLflow's JSON decoded into plain records, at one boundary (§2): the rest of the backend never sees
 * `unknown`. Protobuf's printer leaves out unset fields and empty lists, so a missing list is empty;
 * int64 may come as a number or a decimal string; non-finite doubles come as the strings "NaN",
 * "Infinity", "-Infinity".
 */
import { UpstreamUnavailableError } from '../../errors';

export interface MlflowExperiment {
  experimentId: string;
  name: string;
  lifecycleStage: string;
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: Map<string, string>;
}

export interface MlflowRun {
  runId: string;
  runName: string | null;
  experimentId: string;
  status: string;
  startTime: number | null;
  endTime: number | null;
  artifactUri: string | null;
  lifecycleStage: string;
  params: Map<string, string>;
  tags: Map<string, string>;
  /** The latest value per key (§4.1). */
  latest: Map<string, MlflowMetric>;
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  /** Only in bulk answers. */
  runId?: string;
}

class ShapeError extends UpstreamUnavailableError {
  constructor(what: string) {
    super(`MLflow answered in an unexpected shape: ${what}`, { reason: 'BAD_SHAPE' });
  }
}

type Obj = Record<string, unknown>;

function obj(value: unknown, what: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ShapeError(`${what} is not an object`);
  return value as Obj;
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShapeError(`${what} is not a list`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${what} is not a string`);
  return value;
}

function optStr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function int64(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

/** A double as protobuf's JSON mapping writes it. */
export function doubleOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new ShapeError(`metric value ${JSON.stringify(value)} is not a number`);
}

/** A double for the wire: non-finite values as strings. */
export function doubleForWire(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

function keyValues(value: unknown, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list(value, what)) {
    const kv = obj(item, what);
    out.set(str(kv.key, `${what}.key`), typeof kv.value === 'string' ? kv.value : '');
  }
  return out;
}

export function decodeExperiment(value: unknown): MlflowExperiment {
  const e = obj(value, 'experiment');
  return {
    experimentId: str(e.experiment_id, 'experiment_id'),
    name: str(e.name, 'experiment name'),
    lifecycleStage: optStr(e.lifecycle_stage) ?? 'active',
    creationTime: int64(e.creation_time),
    lastUpdateTime: int64(e.last_update_time),
    tags: keyValues(e.tags, 'experiment tags'),
  };
}

export function decodeMetric(value: unknown): MlflowMetric {
  const m = obj(value, 'metric');
  const metric: MlflowMetric = { key: str(m.key, 'metric key'), value: doubleOf(m.value), timestamp: int64(m.timestamp) ?? 0, step: int64(m.step) ?? 0 };
  if (typeof m.run_id === 'string') metric.runId = m.run_id;
  return metric;
}

export function decodeRun(value: unknown): MlflowRun {
  const r = obj(value, 'run');
  const info = obj(r.info, 'run info');
  const data = r.data === undefined ? {} : obj(r.data, 'run data');
  const latest = new Map<string, MlflowMetric>();
  for (const m of list(data.metrics, 'run metrics')) {
    const metric = decodeMetric(m);
    latest.set(metric.key, metric);
  }
  return {
    runId: str(info.run_id, 'run_id'),
    runName: optStr(info.run_name),
    experimentId: str(info.experiment_id, 'run experiment_id'),
    status: optStr(info.status) ?? 'RUNNING',
    startTime: int64(info.start_time),
    endTime: int64(info.end_time),
    artifactUri: optStr(info.artifact_uri),
    lifecycleStage: optStr(info.lifecycle_stage) ?? 'active',
    params: keyValues(data.params, 'run params'),
    tags: keyValues(data.tags, 'run tags'),
    latest,
  };
}

/** `{experiments, next_page_token}`. */
export function decodeExperimentPage(value: unknown): { items: MlflowExperiment[]; next: string | null } {
  const page = obj(value, 'experiment search');
  return { items: list(page.experiments, 'experiments').map(decodeExperiment), next: optStr(page.next_page_token) };
}

/** `{runs, next_page_token}`. */
export function decodeRunPage(value: unknown): { items: MlflowRun[]; next: string | null } {
  const page = obj(value, 'run search');
  return { items: list(page.runs, 'runs').map(decodeRun), next: optStr(page.next_page_token) };
}

/** `{metrics, next_page_token}`. */
export function decodeMetricPage(value: unknown): { items: MlflowMetric[]; next: string | null } {
  const page = obj(value, 'metric history');
  return { items: list(page.metrics, 'metrics').map(decodeMetric), next: optStr(page.next_page_token) };
}

export function field(value: unknown, name: string): unknown {
  return obj(value, 'answer')[name];
}

export function stringField(value: unknown, name: string): string {
  return str(field(value, name), name);
}

export interface FileInfo {
  path: string;
  isDir: boolean;
  size: number;
}

/** `{files[{path, is_dir, file_size}], next_page_token}` (§7). */
export function decodeFileList(value: unknown): { files: FileInfo[]; next: string | null } {
  const page = obj(value, 'artifact list');
  const files = list(page.files, 'files').map((item) => {
    const f = obj(item, 'file');
    return { path: str(f.path, 'file path'), isDir: f.is_dir === true, size: int64(f.file_size) ?? 0 };
  });
  return { files, next: optStr(page.next_page_token) };
}

export interface MlflowModel {
  name: string;
  description: string | null;
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: Map<string, string>;
}

export interface MlflowVersion {
  name: string;
  version: string;
  creationTime: number | null;
  stage: string;
  description: string | null;
  runId: string | null;
  status: string | null;
  tags: Map<string, string>;
  aliases: string[];
}

export function decodeModel(value: unknown): MlflowModel {
  const m = obj(value, 'registered model');
  return {
    name: str(m.name, 'model name'), description: optStr(m.description), creationTime: int64(m.creation_timestamp),
    lastUpdateTime: int64(m.last_updated_timestamp), tags: keyValues(m.tags, 'model tags'),
  };
}

export function decodeVersion(value: unknown): MlflowVersion {
  const v = obj(value, 'model version');
  return {
    name: str(v.name, 'version model name'), version: str(v.version, 'version'), creationTime: int64(v.creation_timestamp),
    stage: optStr(v.current_stage) ?? 'None', description: optStr(v.description), runId: optStr(v.run_id), status: optStr(v.status),
    tags: keyValues(v.tags, 'version tags'), aliases: list(v.aliases, 'aliases').map((a) => str(a, 'alias')),
  };
}

/** `{registered_models | model_versions, next_page_token}`. */
export function decodeRegistryPage<T>(value: unknown, field: string, decode: (item: unknown) => T): { items: T[]; next: string | null } {
  const page = obj(value, 'registry search');
  return { items: list(page[field], field).map(decode), next: optStr(page.next_page_token) };
}
