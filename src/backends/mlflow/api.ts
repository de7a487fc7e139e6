/**
 * MLflow's calls for one caller: typed, decoded, through the run memory (cache.ts). One method per call
 * shape; paging of MLflow's own lists is followed here, so callers get whole lists.
 */
import { NotFoundError, isTrackqlError } from '../../errors';
import type { MlflowCache } from './cache';
import type { Credentials } from './credentials';
import {
  decodeExperiment, decodeExperimentPage, decodeMetricPage, decodeRun, decodeRunPage, stringField,
  type MlflowExperiment, type MlflowMetric, type MlflowRun,
} from './decode';
import type { CallSpec, MlflowHttp } from './http';
import { GatewayTag, Limits, Route } from './protocol';

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface KeyValue {
  key: string;
  value: string;
}

export interface BatchMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** A metric as log-batch takes it (and the outbox keeps it): non-finite values as strings (§2). */
export interface WireMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

/** A string literal of MLflow's filter language, or null when the text holds both quote characters (no escape exists, §4.2). */
export function quoteValue(text: string): string | null {
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return null;
}

/** An identifier `prefix.key`, the key in backticks (§4.2); null when the key holds a backtick. */
export function identifier(prefix: string, key: string): string | null {
  return key.includes('`') ? null : `${prefix}.\`${key}\``;
}

export class MlflowApi {
  readonly #http: MlflowHttp;
  readonly #credentials: Credentials;
  readonly #cache: MlflowCache;
  readonly #fresh: boolean;

  constructor(http: MlflowHttp, credentials: Credentials, cache: MlflowCache, fresh = false) {
    this.#http = http;
    this.#credentials = credentials;
    this.#cache = cache;
    this.#fresh = fresh;
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  get credentials(): Credentials {
    return this.#credentials;
  }

  /**
   * A whole series remembered by an earlier read (series.ts). A fresh read (the live poller's) takes it only
   * while it still ends in `latest`, the run's latest value just read from MLflow: a series that moved is
   * read again, one that did not costs nothing.
   */
  cachedSeries(runId: string, key: string, latest?: MlflowMetric): MlflowMetric[] | undefined {
    const cached = this.#cache.series(this.#credentials.ns, runId, key);
    if (!this.#fresh || cached === undefined) return cached;
    return latest !== undefined && sameLatest(cached, latest) ? cached : undefined;
  }

  rememberSeries(runId: string, key: string, points: MlflowMetric[]): void {
    this.#cache.putSeries(this.#credentials.ns, runId, key, points);
  }

  call(spec: CallSpec): Promise<unknown> {
    return this.#http.json(this.#credentials, spec);
  }

  /** `get-by-name`; null when there is none (§3). */
  async experimentByName(name: string): Promise<MlflowExperiment | null> {
    const cached = this.#fresh ? undefined : this.#cache.experimentByName(this.#credentials.ns, name);
    if (cached) return cached;
    const answer = await orNull(this.call({ method: 'GET', route: Route.experimentGetByName, query: { experiment_name: name }, idempotent: true }));
    if (answer === null) return null;
    const experiment = decodeExperiment((answer as { experiment?: unknown }).experiment);
    this.#cache.putExperiment(this.#credentials.ns, experiment);
    return experiment;
  }

  /** Every experiment of `view`, ordered by name, all pages. */
  async experiments(view: ViewType = 'ACTIVE_ONLY'): Promise<MlflowExperiment[]> {
    const out: MlflowExperiment[] = [];
    let token: string | null = null;
    do {
      const answer = await this.call({
        method: 'POST', route: Route.experimentSearch, idempotent: true,
        json: { max_results: Limits.EXPERIMENTS_MAX_RESULTS, view_type: view, order_by: ['name ASC'], ...(token && { page_token: token }) },
      });
      const page = decodeExperimentPage(answer);
      out.push(...page.items);
      token = page.next;
    } while (token !== null);
    for (const e of out) this.#cache.putExperiment(this.#credentials.ns, e);
    return out;
  }

  /** Experiments by id, from memory or one search of them all. */
  async experimentsById(ids: readonly string[]): Promise<Map<string, MlflowExperiment>> {
    const found = new Map<string, MlflowExperiment>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.#fresh ? undefined : this.#cache.experiment(this.#credentials.ns, id);
      if (cached) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const e of await this.experiments('ALL')) if (missing.includes(e.experimentId)) found.set(e.experimentId, e);
    }
    return found;
  }

  async createExperiment(name: string, tags: readonly KeyValue[]): Promise<string> {
    const answer = await this.call({ method: 'POST', route: Route.experimentCreate, json: { name, tags }, idempotent: false });
    return stringField(answer, 'experiment_id');
  }

  async createRun(body: { experiment_id: string; run_name?: string; start_time: number; tags: KeyValue[] }): Promise<MlflowRun> {
    const answer = await this.call({ method: 'POST', route: Route.runCreate, json: body, idempotent: false }).finally(() => this.#cache.forgetSearches());
    return decodeRun((answer as { run?: unknown }).run);
  }

  /** One run read past the memory (`runs/get`), null when missing. */
  async freshRun(runId: string): Promise<MlflowRun | null> {
    if (!/^[0-9a-zA-Z_-]{1,64}$/.test(runId)) return null;
    const answer = await orNull(this.call({ method: 'GET', route: Route.runGet, query: { run_id: runId }, idempotent: true }));
    return answer === null ? null : this.#remember(decodeRun((answer as { run?: unknown }).run));
  }

  /**
   * Runs by id, from memory or by search: `runs/get` takes one id, so ids not in memory are found with
   * `attributes.run_id IN (...)` over every experiment (two calls for up to RUN_IDS_PER_SEARCH ids).
   */
  async runs(runIds: readonly string[]): Promise<Map<string, MlflowRun>> {
    const found = new Map<string, MlflowRun>();
    const missing: string[] = [];
    for (const id of new Set(runIds)) {
      const cached = this.#fresh ? undefined : this.#cache.run(this.#credentials.ns, id);
      if (cached) found.set(id, cached);
      else if (/^[0-9a-zA-Z_-]{1,64}$/.test(id)) missing.push(id);
    }
    if (missing.length === 1) {
      const run = await this.freshRun(missing[0]);
      if (run) found.set(run.runId, run);
      return found;
    }
    if (missing.length === 0) return found;
    const experimentIds = (await this.experiments('ALL')).map((e) => e.experimentId);
    for (let i = 0; i < missing.length; i += Limits.RUN_IDS_PER_SEARCH) {
      const chunk = missing.slice(i, i + Limits.RUN_IDS_PER_SEARCH);
      const filter = `attributes.run_id IN (${chunk.map((id) => `'${id}'`).join(', ')})`;
      for (const run of await this.searchRuns(experimentIds, filter, 'ALL')) found.set(run.runId, run);
    }
    return found;
  }

  /** Every run matching `filter` in the experiments, all pages, remembered. */
  async searchRuns(experimentIds: readonly string[], filter: string, view: ViewType): Promise<MlflowRun[]> {
    if (experimentIds.length === 0) return [];
    const query = JSON.stringify([experimentIds, filter, view]);
    const cached = this.#fresh ? undefined : this.#cache.search(this.#credentials.ns, query);
    if (cached) return cached;
    const out: MlflowRun[] = [];
    let token: string | null = null;
    do {
      const answer = await this.call({
        method: 'POST', route: Route.runSearch, idempotent: true,
        json: {
          experiment_ids: experimentIds, run_view_type: view, max_results: Limits.RUNS_MAX_RESULTS,
          ...(filter !== '' && { filter }), ...(token && { page_token: token }),
        },
      });
      const page = decodeRunPage(answer);
      out.push(...page.items.map((run) => this.#remember(run)));
      token = page.next;
    } while (token !== null);
    this.#cache.putSearch(this.#credentials.ns, query, out);
    return out;
  }

  async updateRun(runId: string, body: { status?: string; end_time?: number; run_name?: string }): Promise<void> {
    this.#cache.forgetRun(runId);
    await this.call({ method: 'POST', route: Route.runUpdate, json: { run_id: runId, ...body }, idempotent: true });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.call({ method: 'POST', route: Route.experimentUpdate, json: { experiment_id: experimentId, new_name: newName }, idempotent: true })
      .finally(() => this.#cache.forgetExperiments());
  }

  /** MLflow's soft delete of an experiment and its runs (§3). */
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.call({ method: 'POST', route: Route.experimentDelete, json: { experiment_id: experimentId }, idempotent: true })
      .finally(() => this.#cache.forgetExperiments());
  }

  /**
   * Marks a run deleted through the gateway (`trackql.deleted`: missing to every read from then on), and leaves
   * it active for its caller to soft-delete. Writes to a soft-deleted run are refused (§4): one is brought back
   * first.
   */
  async markRunDeleted(run: MlflowRun): Promise<void> {
    if (run.lifecycleStage === 'deleted') await this.restoreRun(run.runId);
    await this.setTag(run.runId, GatewayTag.deleted, 'true');
  }

  async restoreRun(runId: string): Promise<void> {
    this.#cache.forgetRun(runId);
    await this.call({ method: 'POST', route: Route.runRestore, json: { run_id: runId }, idempotent: true });
  }

  async deleteRun(runId: string): Promise<void> {
    this.#cache.forgetRun(runId);
    await this.call({ method: 'POST', route: Route.runDelete, json: { run_id: runId }, idempotent: true });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    this.#cache.forgetRun(runId);
    await this.call({ method: 'POST', route: Route.runSetTag, json: { run_id: runId, key, value }, idempotent: true });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    this.#cache.forgetRun(runId);
    await this.call({ method: 'POST', route: Route.runDeleteTag, json: { run_id: runId, key }, idempotent: true });
  }

  /**
   * One log-batch (§4.3), within its limits (the caller chunks). Params and tags alone are safe to resend
   * (write-once params accept the same value, tags overwrite); metrics append, so a batch with metrics is not.
   */
  async logBatch(runId: string, batch: { metrics?: readonly WireMetric[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<void> {
    this.#cache.forgetRun(runId);
    const metrics = batch.metrics ?? [];
    await this.call({
      method: 'POST', route: Route.runLogBatch, idempotent: metrics.length === 0,
      json: { run_id: runId, metrics, params: batch.params ?? [], tags: batch.tags ?? [] },
    });
  }

  /** The whole history of one metric of one run, in MLflow's order, all pages (§5.1); [] for an unknown run. */
  async history(runId: string, key: string): Promise<MlflowMetric[]> {
    const out: MlflowMetric[] = [];
    let token: string | null = null;
    do {
      const answer = await orNull(this.call({
        method: 'GET', route: Route.metricHistory, idempotent: true,
        query: { run_id: runId, metric_key: key, max_results: Limits.HISTORY_MAX_RESULTS, page_token: token },
      }));
      if (answer === null) return [];
      const page = decodeMetricPage(answer);
      out.push(...page.items);
      token = page.next;
    } while (token !== null);
    return out;
  }

  /** Sampled histories of up to BULK_MAX_RUNS runs (§5.2): every step when a run's steps fit in `maxResults`. */
  async bulkInterval(runIds: readonly string[], key: string, range: { start: number; end: number } | null, maxResults: number): Promise<MlflowMetric[]> {
    const answer = await this.call({
      method: 'GET', route: Route.metricBulkInterval, idempotent: true,
      query: { run_ids: runIds, metric_key: key, max_results: maxResults, ...(range && { start_step: range.start, end_step: range.end }) },
    });
    return decodeMetricPage(answer).items;
  }

  #remember(run: MlflowRun): MlflowRun {
    this.#cache.putRun(this.#credentials.ns, run);
    return run;
  }
}

/** Whether `points` hold `latest` as their latest value (the greatest timestamp, the greater value on a tie, §4.1). */
function sameLatest(points: readonly MlflowMetric[], latest: MlflowMetric): boolean {
  let best: MlflowMetric | null = null;
  for (const p of points) {
    if (best === null || p.timestamp > best.timestamp || (p.timestamp === best.timestamp && (Number.isNaN(p.value) || p.value > best.value))) best = p;
  }
  const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));
  return best !== null && best.timestamp === latest.timestamp && best.step === latest.step && same(best.value, latest.value);
}

/** The answer, or null when MLflow says the thing does not exist. */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isTrackqlError(error) && error instanceof NotFoundError) return null;
    throw error;
  }
}
