/**
 * One decoder per Comet response shape (§3, §4, §5): untrusted JSON in, typed wire records out. Lenient
 * where the reference says shapes vary (spellings, numbers as strings), strict where a wrong guess would
 * give wrong data.
 */
import { array, isObject, object, optArray, optBoolean, optNumber, optString, scalarText, string, stringList } from './json';
import { parseMetricValue } from './values';

export interface ExperimentMeta {
  key: string;
  name: string | null;
  projectId: string;
  project: string;
  workspace: string;
  startedAt: number | null;
  endedAt: number | null;
  archived: boolean;
  running: boolean;
}

export interface CometProject {
  id: string;
  name: string;
  workspace: string;
  description: string | null;
  isPublic: boolean;
  lastUpdatedAt: number | null;
  /** Comet's own count (whether it counts archived runs is not documented, §3). */
  numberOfExperiments: number | null;
}

export type ColumnSource = 'metadata' | 'metrics' | 'params' | 'log_other' | 'tag' | 'env_details';
export interface Column {
  name: string;
  type: string;
  source: string;
}

/** `ValueMinMax` (§3): values as Comet sent them (strings), steps and times as numbers. */
export interface ValueSummary {
  name: string;
  current: string;
  min: string;
  max: string;
  stepCurrent: number | null;
  stepMin: number | null;
  stepMax: number | null;
  timestampCurrent: number | null;
}

/** A logged metric point; `context` is null where Comet does not send it (the chart endpoint). */
export interface WirePoint {
  value: number;
  step: number | null;
  epoch: number | null;
  timestamp: number;
  context: string | null;
}

export interface ChartExperiment {
  params: Map<string, string>;
  metrics: Map<string, WirePoint[]>;
}

export function decodeWorkspaces(json: unknown): string[] {
  const o = object(json, 'workspaces');
  // `{"workspaceNames": [...]}`; cometx also copes with a list of `{name}` objects (§3): accept both.
  const list = optArray(o.workspaceNames ?? o.workspaces, 'workspaces.workspaceNames');
  return list.map((item, i) => (isObject(item) ? string(item.name ?? item.workspaceName, `workspaces[${i}].name`) : string(item, `workspaces[${i}]`)));
}

export function decodeProject(json: unknown, where = 'project'): CometProject {
  const o = object(json, where);
  return {
    id: string(o.projectId, `${where}.projectId`),
    name: string(o.projectName, `${where}.projectName`),
    workspace: string(o.workspaceName, `${where}.workspaceName`),
    description: optString(o.projectDescription, `${where}.projectDescription`) || null,
    // `public` in an older recorded response, `isPublic` in the current docs (Corrections 1).
    isPublic: optBoolean(o.public ?? o.isPublic, `${where}.public`) ?? false,
    lastUpdatedAt: optNumber(o.lastUpdated, `${where}.lastUpdated`),
    numberOfExperiments: optNumber(o.numberOfExperiments, `${where}.numberOfExperiments`),
  };
}

export function decodeProjects(json: unknown): CometProject[] {
  return optArray(object(json, 'projects').projects, 'projects.projects').map((p, i) => decodeProject(p, `projects[${i}]`));
}

export function decodeExperimentMeta(json: unknown, where = 'experiment/metadata'): ExperimentMeta {
  const o = object(json, where);
  return {
    key: string(o.experimentKey, `${where}.experimentKey`),
    name: optString(o.experimentName, `${where}.experimentName`),
    projectId: string(o.projectId, `${where}.projectId`),
    project: string(o.projectName, `${where}.projectName`),
    workspace: string(o.workspaceName, `${where}.workspaceName`),
    startedAt: optNumber(o.startTimeMillis, `${where}.startTimeMillis`),
    endedAt: optNumber(o.endTimeMillis, `${where}.endTimeMillis`),
    archived: optBoolean(o.archived, `${where}.archived`) ?? false,
    // `running` is absent from the R fixture (§3): treat it as unknown-false.
    running: optBoolean(o.running, `${where}.running`) ?? false,
  };
}

export function decodeExperimentMetas(json: unknown): ExperimentMeta[] {
  const list = optArray(object(json, 'experiments').experiments, 'experiments.experiments');
  return list.map((e, i) => decodeExperimentMeta(e, `experiments[${i}]`));
}

export function decodeColumns(json: unknown): Column[] {
  return optArray(object(json, 'project/column-names').columns, 'columns').map((c, i) => {
    const o = object(c, `columns[${i}]`);
    return { name: string(o.name, `columns[${i}].name`), type: string(o.type, `columns[${i}].type`), source: string(o.source, `columns[${i}].source`) };
  });
}

export function decodeQueryKeys(json: unknown): string[] {
  return stringList(object(json, 'project/query').experimentKeys, 'project/query.experimentKeys');
}

export function decodeValueSummaries(json: unknown, where: string): ValueSummary[] {
  return optArray(object(json, where).values, `${where}.values`).map((v, i) => {
    const at = `${where}.values[${i}]`;
    const o = object(v, at);
    const current = scalarText(o.valueCurrent, `${at}.valueCurrent`);
    return {
      name: string(o.name, `${at}.name`),
      current,
      min: o.valueMin === null || o.valueMin === undefined ? current : scalarText(o.valueMin, `${at}.valueMin`),
      max: o.valueMax === null || o.valueMax === undefined ? current : scalarText(o.valueMax, `${at}.valueMax`),
      stepCurrent: optNumber(o.stepCurrent, `${at}.stepCurrent`),
      stepMin: optNumber(o.stepMin, `${at}.stepMin`),
      stepMax: optNumber(o.stepMax, `${at}.stepMax`),
      timestampCurrent: optNumber(o.timestampCurrent, `${at}.timestampCurrent`),
    };
  });
}

/** `get-metric` points, in the order sent (unsorted, §3): the caller sorts. */
export function decodeMetricPoints(json: unknown): WirePoint[] {
  const o = object(json, 'get-metric');
  // Third-party clients fall back to a `values` key (§3): be lenient.
  return optArray(o.metrics ?? o.values, 'get-metric.metrics').map((p, i) => {
    const at = `get-metric.metrics[${i}]`;
    const m = object(p, at);
    return {
      value: parseMetricValue(m.metricValue, `${at}.metricValue`),
      step: optNumber(m.step, `${at}.step`),
      epoch: optNumber(m.epoch, `${at}.epoch`),
      timestamp: optNumber(m.timestamp, `${at}.timestamp`) ?? 0,
      context: optString(m.runContext ?? m.context, `${at}.runContext`),
    };
  });
}

/**
 * `multi-metric-chart` (§3). The per-experiment key spelling is unverified (`experiment_key` vs
 * `experimentKey`, §10.6): the map key is used. Value types are open (Corrections 9): numbers or strings.
 */
export function decodeChart(json: unknown): Map<string, ChartExperiment> {
  const experiments = object(object(json, 'multi-metric-chart').experiments ?? {}, 'multi-metric-chart.experiments');
  const out = new Map<string, ChartExperiment>();
  for (const [key, raw] of Object.entries(experiments)) {
    const at = `multi-metric-chart.experiments[${key}]`;
    const e = object(raw, at);
    const params = new Map<string, string>();
    if (isObject(e.params)) for (const [name, value] of Object.entries(e.params)) params.set(name, scalarText(value, `${at}.params.${name}`));
    const metrics = new Map<string, WirePoint[]>();
    for (const [i, m] of optArray(e.metrics, `${at}.metrics`).entries()) {
      const mo = object(m, `${at}.metrics[${i}]`);
      const values = array(mo.values, `${at}.metrics[${i}].values`);
      const steps = optArray(mo.steps, `${at}.steps`);
      const epochs = optArray(mo.epochs, `${at}.epochs`);
      const timestamps = optArray(mo.timestamps, `${at}.timestamps`);
      metrics.set(string(mo.metricName, `${at}.metrics[${i}].metricName`), values.map((v, j) => ({
        value: parseMetricValue(v, `${at}.values[${j}]`),
        step: optNumber(steps[j], `${at}.steps[${j}]`),
        epoch: optNumber(epochs[j], `${at}.epochs[${j}]`),
        timestamp: optNumber(timestamps[j], `${at}.timestamps[${j}]`) ?? 0,
        context: null,
      })));
    }
    out.set(key, { params, metrics });
  }
  return out;
}

export function decodeTags(json: unknown): string[] {
  return stringList(object(json, 'experiment/tags').tags, 'experiment/tags.tags');
}

export interface CometAsset {
  assetId: string;
  fileName: string;
  size: number;
  type: string;
  step: number | null;
  createdAt: number;
  /** The `metadata` JSON string parsed (§3: a JSON *string* or null); null when absent or not an object. */
  metadata: Record<string, unknown> | null;
}

function parseMetadata(raw: unknown): Record<string, unknown> | null {
  if (isObject(raw)) return { ...raw };
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? { ...parsed } : null;
  } catch {
    return null;
  }
}

export function decodeAssets(json: unknown): CometAsset[] {
  return optArray(object(json, 'asset/list').assets, 'asset/list.assets').map((a, i) => {
    const at = `asset/list.assets[${i}]`;
    const o = object(a, at);
    return {
      assetId: string(o.assetId, `${at}.assetId`),
      fileName: string(o.fileName, `${at}.fileName`),
      size: optNumber(o.fileSize, `${at}.fileSize`) ?? 0,
      type: optString(o.type, `${at}.type`) ?? 'asset',
      step: optNumber(o.step, `${at}.step`),
      createdAt: optNumber(o.createdAt, `${at}.createdAt`) ?? 0,
      metadata: parseMetadata(o.metadata),
    };
  });
}

export function decodeExperimentModelNames(json: unknown): string[] {
  return optArray(object(json, 'experiment/model').models, 'experiment/model.models').map((m, i) =>
    string(object(m, `experiment/model.models[${i}]`).modelName, `experiment/model.models[${i}].modelName`));
}

export function decodeCreatedExperiment(json: unknown): { key: string; link: string | null } {
  const o = object(json, 'write/experiment/create');
  return { key: string(o.experimentKey, 'write/experiment/create.experimentKey'), link: optString(o.link, 'write/experiment/create.link') };
}

/** The upload answer was not seen (§10.4): `assetId` when present, else null (then read the list back). */
export function decodeUploaded(json: unknown): string | null {
  if (!isObject(json)) return null;
  const id = json.assetId;
  return typeof id === 'string' && id !== '' ? id : null;
}
