/**
 * The Comet backend: the port over Comet's REST API v2. This file only wires: each method resolves the
 * caller to a session (key, upstream, cache namespace) and hands over to the module that knows the calls.
 */
import type { Readable } from 'node:stream';
import { BadUserInputError } from '../../errors';
import type * as Port from '../port';
import { CometApi } from './api';
import { getOthers, getParameters, getTags } from './attributes';
import { getExperimentModels, listAssets, openAsset } from './assets';
import type { UpstreamCache } from './cache';
import { childKeysOf, metasOf, toExperiments } from './experiments';
import { getMetricHistories } from './history';
import type { CometIdempotency } from './idempotency';
import type { CometHttp } from './http';
import { listExperiments } from './list';
import { metricValues, otherValues, parameterValues } from './logging';
import { getMetricSummaries } from './metrics';
import type { Outbox } from './outbox';
import { getProjects, listProjects, getWorkspaces, listWorkspaces } from './projects';
import { getModelVersions, getRegisteredModels, listRegisteredModels, registerModel, updateModelVersion } from './registry';
import type { SessionResolver } from './routing';
import { putAsset } from './upload';
import type { WritePipeline } from './writer';
import * as writes from './writes';

type Caller = Port.Caller;

export const COMET_CAPABILITIES: Port.Capabilities = Object.freeze({
  // The summary endpoint keeps no point count (§3 "metrics/summary").
  metricPointCounts: false,
  // The tag-delete endpoint exists on newer backends but its path was never seen (§10.5).
  removeTags: false,
  // The registry has stages, tags and a status, no aliases (§6).
  modelAliases: false,
  // OR and NOT are evaluated in the gateway after the fetch (filter.ts).
  orFilters: true,
  backend: 'comet',
  // SDK clients log to Comet directly: the live feed polls for their points.
  externalWriters: true,
});

export interface CometParts {
  http: CometHttp;
  cache: UpstreamCache;
  sessions: SessionResolver;
  outbox: Outbox;
  writer: WritePipeline;
  idempotency: CometIdempotency;
  drainOnCloseMs: number;
  now: () => number;
}

export class CometBackend implements Port.Backend {
  readonly #p: CometParts;
  #closed: Promise<void> | null = null;

  constructor(parts: CometParts) {
    this.#p = parts;
  }

  #api(caller: Caller, options: Port.ReadOptions = {}): CometApi {
    const session = this.#p.sessions.resolve(caller);
    const scope = this.#p.cache.scope(session.ns);
    return new CometApi(this.#p.http, options.fresh ? scope.bypassing() : scope, session);
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  async getExperiments(caller: Caller, keys: readonly string[]) {
    const api = this.#api(caller);
    const metas = await metasOf(api, keys);
    const found = await toExperiments(api, metas.filter((m) => m !== null));
    const byKey = new Map(found.map((e) => [e.key, e]));
    return keys.map((key) => {
      const e = byKey.get(key);
      return e ? { ...e } : null;
    });
  }

  async listExperiments(caller: Caller, request: Port.ListExperimentsRequest) {
    return listExperiments(this.#api(caller), request);
  }

  async getChildExperiments(caller: Caller, parentKeys: readonly string[]) {
    const api = this.#api(caller);
    const distinct = [...new Set(parentKeys)];
    const parents = (await metasOf(api, distinct)).filter((m) => m !== null);
    const childKeys = await childKeysOf(api, parents);
    const metas = (await metasOf(api, [...new Set([...childKeys.values()].flat())])).filter((m) => m !== null);
    const children = new Map((await toExperiments(api, metas)).map((e) => [e.key, e]));
    const byStart = (a: Port.Experiment, b: Port.Experiment): number => (a.startedAt ?? 0) - (b.startedAt ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    return parentKeys.map((key) =>
      (childKeys.get(key) ?? []).flatMap((child) => {
        const e = children.get(child);
        return e ? [{ ...e }] : [];
      }).sort(byStart));
  }

  async listWorkspaces(caller: Caller) {
    return listWorkspaces(this.#api(caller));
  }

  async getWorkspaces(caller: Caller, names: readonly string[]) {
    return getWorkspaces(this.#api(caller), names);
  }

  async getProjects(caller: Caller, refs: readonly Port.ProjectRef[]) {
    return getProjects(this.#api(caller), refs);
  }

  async listProjects(caller: Caller, workspace: string, page: Port.PageRequest) {
    return listProjects(this.#api(caller), workspace, page);
  }

  async getMetricSummaries(caller: Caller, keys: readonly string[], names?: readonly string[] | null, options?: Port.ReadOptions) {
    return getMetricSummaries(this.#api(caller, options), keys, names);
  }

  async getMetricHistories(caller: Caller, requests: readonly Port.MetricHistoryRequest[], options?: Port.ReadOptions) {
    return getMetricHistories(this.#api(caller, options), requests);
  }

  async getParameters(caller: Caller, keys: readonly string[]) {
    return getParameters(this.#api(caller), keys);
  }

  async getTags(caller: Caller, keys: readonly string[]) {
    return getTags(this.#api(caller), keys);
  }

  async getOthers(caller: Caller, keys: readonly string[]) {
    return getOthers(this.#api(caller), keys);
  }

  async listAssets(caller: Caller, keys: readonly string[], type?: string | null) {
    return listAssets(this.#api(caller), keys, type);
  }

  async getExperimentModels(caller: Caller, keys: readonly string[]) {
    return getExperimentModels(this.#api(caller), keys);
  }

  async openAsset(caller: Caller, experimentKey: string, assetId: string, options?: Port.OpenAssetOptions) {
    return openAsset(this.#api(caller), experimentKey, assetId, options);
  }

  async getRegisteredModels(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return getRegisteredModels(this.#api(caller), refs);
  }

  async listRegisteredModels(caller: Caller, workspace: string, page: Port.PageRequest) {
    return listRegisteredModels(this.#api(caller), workspace, page);
  }

  async getModelVersions(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return getModelVersions(this.#api(caller), refs);
  }

  capabilities(): Port.Capabilities {
    return COMET_CAPABILITIES;
  }

  // ---- writes --------------------------------------------------------------------------------------------

  // With an idempotency claim, each write runs at most once per key (idempotency.ts).

  async createProject(caller: Caller, input: Port.CreateProjectInput, options?: Port.WriteOptions) {
    return this.#once(caller, options, () => writes.createProject(this.#api(caller), input));
  }

  async createExperiment(caller: Caller, input: Port.CreateExperimentInput, options?: Port.WriteOptions) {
    return this.#once(caller, options, () => writes.createExperiment(this.#api(caller), input, this.#p.now()));
  }

  async endExperiment(caller: Caller, input: Port.EndExperimentInput, options?: Port.WriteOptions) {
    return this.#once(caller, options, () => writes.endExperiment(this.#api(caller), input, this.#p.now()));
  }

  async logMetrics(caller: Caller, experimentKey: string, points: readonly Port.MetricPointInput[], options?: Port.WriteOptions) {
    const values = metricValues(points, this.#p.now());
    return this.#submit(caller, experimentKey, 'metric', values, options);
  }

  async logParameters(caller: Caller, experimentKey: string, params: readonly Port.Parameter[], options?: Port.WriteOptions) {
    return this.#submit(caller, experimentKey, 'parameter', parameterValues(params, this.#p.now()), options);
  }

  async logOthers(caller: Caller, experimentKey: string, others: readonly Port.Other[], options?: Port.WriteOptions) {
    return this.#submit(caller, experimentKey, 'other', otherValues(others), options);
  }

  async addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    return this.#once(caller, options, () => writes.addTags(this.#api(caller), experimentKey, tags));
  }

  async removeTags(_caller: Caller, _experimentKey: string, _tags: readonly string[], _options?: Port.WriteOptions): Promise<string[]> {
    throw new BadUserInputError(
      'Removing tags is not supported on the Comet backend: Comet has no documented endpoint for it (capabilities.removeTags is false)',
      { reason: 'UNSUPPORTED' },
    );
  }

  async putAsset(caller: Caller, input: Port.PutAssetInput, body: Readable) {
    return putAsset(this.#api(caller), input, body, this.#p.now());
  }

  async registerModel(caller: Caller, input: Port.RegisterModelInput, options?: Port.WriteOptions) {
    return this.#once(caller, options, () => registerModel(this.#api(caller), input));
  }

  async updateModelVersion(caller: Caller, input: Port.UpdateModelVersionInput, options?: Port.WriteOptions) {
    return this.#once(caller, options, () => updateModelVersion(this.#api(caller), input));
  }

  async archiveExperiment(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#once(caller, options, () => writes.archiveExperiment(this.#api(caller), experimentKey));
  }

  async deleteExperiment(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#once(caller, options, () => writes.deleteExperiment(this.#api(caller), experimentKey));
  }

  async once<T>(caller: Caller, claim: Port.IdempotencyClaim, produce: () => Promise<T>): Promise<T> {
    return this.#p.idempotency.call(caller.keyId, claim, produce);
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------

  pendingWrites(): number {
    return this.#p.writer.pending();
  }

  async readiness() {
    try {
      return {
        ready: true,
        detail: { backend: 'comet', pendingWrites: this.#p.outbox.count(), deadWrites: this.#p.outbox.deadCount(), cacheTtlMs: this.#p.cache.ttlMs },
      };
    } catch (error) {
      return { ready: false, detail: { backend: 'comet', error: (error as Error).message } };
    }
  }

  /** Finishes live sends, drains the outbox briefly, leaves the rest persisted for the next start. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#p.writer.close(this.#p.drainOnCloseMs);
      await this.#p.http.close();
      this.#p.outbox.close();
      await this.#p.cache.close();
    })();
    return this.#closed;
  }

  #submit(
    caller: Caller, experimentKey: string, kind: 'metric' | 'parameter' | 'other', values: readonly unknown[], options?: Port.WriteOptions,
  ): Promise<Port.WriteStatus> {
    if (values.length === 0) return Promise.resolve('ACCEPTED');
    const session = this.#p.sessions.resolve(caller);
    const claim = options?.idempotency;
    if (!claim) return this.#p.writer.submit(session, experimentKey.trim(), kind, values);
    return this.#p.idempotency.logged(caller.keyId, claim, (record) => this.#p.writer.submitDurable(session, experimentKey.trim(), kind, values, record));
  }

  #once<T>(caller: Caller, options: Port.WriteOptions | undefined, write: () => Promise<T>): Promise<T> {
    return this.#p.idempotency.call(caller.keyId, options?.idempotency, write);
  }
}
