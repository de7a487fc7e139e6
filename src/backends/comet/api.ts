/**
 * Typed, cached reads of Comet for one API key: each method is one upstream call (or none, on a cache hit)
 * and answers in decoded records. "Not found" answers become null or empty here, so callers never see
 * Comet's 404-versus-400 split (§3 "experiment/metadata").
 */
import { createHash } from 'node:crypto';
import { NotFoundError } from '../../errors';
import type { CacheScope } from './cache';
import {
  decodeAssets, decodeChart, decodeColumns, decodeExperimentMeta, decodeExperimentMetas, decodeExperimentModelNames,
  decodeMetricPoints, decodeProject, decodeProjects, decodeQueryKeys, decodeTags, decodeValueSummaries, decodeWorkspaces,
  type ChartExperiment, type Column, type CometAsset, type CometProject, type ExperimentMeta, type ValueSummary, type WirePoint,
} from './decode';
import type { CallSpec, CometHttp, Query } from './http';
import { Route, type RouteName } from './protocol';
import type { CometSession } from './routing';

/** A `project/query` predicate entry (§4 "Query"): one per source, rules ANDed. */
export interface Predicate {
  source: string;
  query: { condition: 'AND'; valid: true; rules: Rule[] };
}
export interface Rule {
  id: string;
  field: string;
  type: string;
  operator: string;
  value: string | number | null | [string, string];
}

export async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export const projectScope = (ws: string, project: string): string => `${ws}/${project}`;

/**
 * Where a point without a step sorts: Comet accepts points without one (§4 "step … optional"), the gateway
 * logs steps >= 0, so such points come first. Only for ordering: the point itself keeps its null step.
 */
export const orderStep = (step: number | null): number => step ?? -1;

/** Comet's series order: step, then time; `stable` keeps the order sent for ties. */
export function sortPoints(points: WirePoint[]): WirePoint[] {
  return points.sort((a, b) => orderStep(a.step) - orderStep(b.step) || a.timestamp - b.timestamp);
}

export class CometApi {
  constructor(
    readonly http: CometHttp,
    readonly cache: CacheScope,
    readonly session: CometSession,
  ) {}

  get(route: RouteName, query: Query): Promise<unknown> {
    return this.http.json(this.session, { method: 'GET', route, query, idempotent: true });
  }

  call(spec: CallSpec): Promise<unknown> {
    return this.http.json(this.session, spec);
  }

  /**
   * Generation of a project's cached entries: a write moves it to a fresh value, which drops listings,
   * columns and query answers at once. It is stored without expiry, so a generation never comes back and
   * an answer cached under an old one can never be served again.
   */
  async projectGeneration(ws: string, project: string): Promise<string> {
    const key = `pgen:${projectScope(ws, project)}`;
    const current = await this.cache.get<string>(key, { counted: false });
    if (current !== undefined) return current;
    await this.cache.set(key, '0', 0);
    return '0';
  }

  async #projectKey(kind: string, ws: string, project: string, extra: string): Promise<string> {
    return `${kind}:${projectScope(ws, project)}:${await this.projectGeneration(ws, project)}:${extra}`;
  }

  workspaces(): Promise<string[]> {
    return this.cache.getOrLoad('workspaces', async () => decodeWorkspaces(await this.get(Route.workspaces, {})));
  }

  projects(ws: string): Promise<CometProject[]> {
    return this.cache.getOrLoad(`projects:${ws}`, async () => (await orNull(this.get(Route.projects, { workspaceName: ws }).then(decodeProjects))) ?? []);
  }

  project(ws: string, name: string): Promise<CometProject | null> {
    return this.cache.getOrLoad(`project:${projectScope(ws, name)}`, () =>
      orNull(this.get(Route.project, { workspaceName: ws, projectName: name }).then((json) => decodeProject(json))));
  }

  /**
   * A project's experiments, `archived` sent explicitly (R sends FALSE by default; without it the server
   * may answer both kinds, §3) and checked again on the answer (older Python filtered the flag itself).
   * Primes the metadata of each experiment. Null when the project does not exist.
   */
  async experimentList(ws: string, project: string, archived: boolean): Promise<ExperimentMeta[] | null> {
    const key = await this.#projectKey('list', ws, project, String(archived));
    return this.cache.getOrLoad(key, async () => {
      const json = await orNull(this.get(Route.experiments, { workspaceName: ws, projectName: project, archived }));
      if (json === null) return null;
      const metas = decodeExperimentMetas(json).filter((m) => m.archived === archived);
      await Promise.all(metas.map((m) => this.cache.set(`meta:${m.key}`, m)));
      return metas;
    });
  }

  /** The cached `experimentList` answer, without any call: undefined when it is not cached. */
  async cachedExperimentList(ws: string, project: string, archived: boolean): Promise<ExperimentMeta[] | null | undefined> {
    return this.cache.get<ExperimentMeta[] | null>(await this.#projectKey('list', ws, project, String(archived)));
  }

  meta(key: string): Promise<ExperimentMeta | null> {
    return this.cache.getOrLoad(`meta:${key}`, () =>
      orNull(this.get(Route.experimentMetadata, { experimentKey: key }).then((json) => decodeExperimentMeta(json))));
  }

  /** The project's query columns (§4 "Columns"); [] for a missing project. */
  async columns(ws: string, project: string, archived: boolean): Promise<Column[]> {
    const key = await this.#projectKey('cols', ws, project, String(archived));
    return this.cache.getOrLoad(key, async () =>
      (await orNull(this.get(Route.columnNames, { workspaceName: ws, projectName: project, archived }).then(decodeColumns))) ?? []);
  }

  /** Keys matching every predicate (§4 "Query"); cached by the predicates' hash under the project generation. */
  async query(ws: string, project: string, archived: boolean, predicates: readonly Predicate[]): Promise<string[]> {
    const digest = createHash('sha256').update(JSON.stringify(predicates)).digest('hex').slice(0, 24);
    const key = await this.#projectKey('q', ws, project, `${archived}:${digest}`);
    return this.cache.getOrLoad(key, async () => {
      const json = await orNull(this.call({
        method: 'POST', route: Route.projectQuery, idempotent: true,
        json: { workspaceName: ws, projectName: project, archived, predicates },
      }));
      return json === null ? [] : decodeQueryKeys(json);
    });
  }

  summaries(key: string): Promise<ValueSummary[]> {
    return this.cache.getOrLoad(`summary:${key}`, async () =>
      (await orNull(this.get(Route.metricsSummary, { experimentKey: key }).then((j) => decodeValueSummaries(j, Route.metricsSummary)))) ?? []);
  }

  /** One full series from `get-metric`, sorted by (step, timestamp) (Comet sends it unsorted, §3). Not cached here. */
  async series(key: string, name: string): Promise<WirePoint[]> {
    const points = await orNull(this.get(Route.getMetric, { experimentKey: key, metricName: name }).then(decodeMetricPoints));
    return sortPoints(points ?? []);
  }

  /** `multi-metric-chart` for several experiments (not cached here: callers cache what they take from it). */
  async chart(keys: readonly string[], metrics: readonly string[], params: readonly string[], fetchFull: boolean): Promise<Map<string, ChartExperiment>> {
    const json = await this.call({
      method: 'POST', route: Route.multiMetricChart, idempotent: true,
      json: { targetedExperiments: keys, metrics, params, independentMetrics: true, fetchFull },
    });
    return decodeChart(json);
  }

  parameterSummaries(key: string): Promise<ValueSummary[] | null> {
    return orNull(this.get(Route.parameters, { experimentKey: key }).then((j) => decodeValueSummaries(j, Route.parameters)));
  }

  otherSummaries(key: string): Promise<ValueSummary[] | null> {
    return orNull(this.get(Route.logOther, { experimentKey: key }).then((j) => decodeValueSummaries(j, Route.logOther)));
  }

  tags(key: string): Promise<string[]> {
    return this.cache.getOrLoad(`tags:${key}`, async () => (await orNull(this.get(Route.tags, { experimentKey: key }).then(decodeTags))) ?? []);
  }

  assets(key: string): Promise<CometAsset[]> {
    return this.cache.getOrLoad(`assets:${key}`, async () =>
      (await orNull(this.get(Route.assetList, { experimentKey: key, type: 'all' }).then(decodeAssets))) ?? []);
  }

  modelNames(key: string): Promise<string[]> {
    return this.cache.getOrLoad(`models:${key}`, async () =>
      (await orNull(this.get(Route.experimentModel, { experimentKey: key }).then(decodeExperimentModelNames))) ?? []);
  }

  /** Drops an experiment's cached entries after a write (`series` names: the metrics written). */
  async forgetExperiment(key: string, kinds: readonly ExperimentKind[], metricNames: readonly string[] = []): Promise<void> {
    const keys = kinds.map((kind) => `${kind}:${key}`);
    for (const name of metricNames) keys.push(`series:${key}:${name}`, `chart:${key}:${name}`);
    await this.cache.delete(keys);
  }

  /** Drops a project's listings, columns and query answers, and its project record. */
  async forgetProject(ws: string, project: string): Promise<void> {
    const fresh = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
    await this.cache.set(`pgen:${projectScope(ws, project)}`, fresh, 0);
    await this.cache.delete([`project:${projectScope(ws, project)}`, `projects:${ws}`]);
  }
}

export type ExperimentKind = 'meta' | 'params' | 'tags' | 'others' | 'summary' | 'assets' | 'models';
