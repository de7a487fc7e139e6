/**
 * Wire shapes built from records (§2): snake_case field names, int64 times as JSON numbers, and, as
 * protobuf's JSON printer does, unset fields and empty lists left out, so a client must treat a missing
 * list as empty.
 */
import type { ExperimentRecord, MetricPoint, ModelVersionRecord, RegisteredModelRecord, RunRecord } from './types';

/** Drops unset fields: `undefined`, `null`, empty strings and empty arrays. */
export function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as Partial<T>;
}

export const tagList = (tags: Map<string, string>) => [...tags].map(([key, value]) => ({ key, value }));

export function experimentJson(e: ExperimentRecord) {
  return compact({
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: tagList(e.tags),
  });
}

export function runInfoJson(r: RunRecord) {
  return compact({
    run_id: r.runId,
    run_name: r.runName,
    experiment_id: r.experimentId,
    user_id: r.userId,
    status: r.status,
    start_time: r.startTime,
    end_time: r.endTime,
    artifact_uri: r.artifactUri,
    lifecycle_stage: r.lifecycleStage,
  });
}

export const metricJson = (m: MetricPoint) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step });

/**
 * The latest value per key (§4.1): the greatest timestamp, the greatest value on a timestamp tie (NaN
 * counts as the greatest, a sim choice). Keys in first-logged order.
 */
export function latestMetrics(points: readonly MetricPoint[]): MetricPoint[] {
  const latest = new Map<string, MetricPoint>();
  for (const p of points) {
    const cur = latest.get(p.key);
    if (cur === undefined || p.timestamp > cur.timestamp || (p.timestamp === cur.timestamp && greaterValue(p.value, cur.value))) {
      latest.set(p.key, p);
    }
  }
  return [...latest.values()];
}

function greaterValue(a: number, b: number): boolean {
  if (Number.isNaN(b)) return false;
  return Number.isNaN(a) || a > b;
}

export function runJson(r: RunRecord) {
  return {
    info: runInfoJson(r),
    data: compact({
      metrics: latestMetrics(r.metrics).map(metricJson),
      params: tagList(r.params),
      tags: tagList(r.tags),
    }),
    // No dataset inputs or model outputs are simulated: both are present and empty (§4).
    inputs: {},
    outputs: {},
  };
}

export function versionJson(modelName: string, v: ModelVersionRecord, aliases: Map<string, string>) {
  return compact({
    name: modelName,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    tags: tagList(v.tags),
    run_link: v.runLink,
    aliases: [...aliases].filter(([, version]) => version === v.version).map(([alias]) => alias),
  });
}

/**
 * `latest_versions`: for each stage, its highest version, in stage order (§6.1; MLflow's meaning of the
 * field, the reference names it only).
 */
export function latestVersions(m: RegisteredModelRecord): ModelVersionRecord[] {
  const best = new Map<string, ModelVersionRecord>();
  for (const v of m.versions.values()) {
    const cur = best.get(v.currentStage);
    if (cur === undefined || Number(v.version) > Number(cur.version)) best.set(v.currentStage, v);
  }
  return (['None', 'Staging', 'Production', 'Archived'] as const).flatMap((s) => best.get(s) ?? []);
}

export function modelJson(m: RegisteredModelRecord) {
  return compact({
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description,
    latest_versions: latestVersions(m).map((v) => versionJson(m.name, v, m.aliases)),
    tags: tagList(m.tags),
    aliases: [...m.aliases].map(([alias, version]) => ({ alias, version })),
  });
}
