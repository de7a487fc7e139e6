/**
 * The SQLite backend: wires the stores together and draws the transaction boundaries. Every write is one
 * transaction (all or nothing); multi-query reads run in one read transaction so they see one snapshot.
 *
 * better-sqlite3 is synchronous. The port is async, so each method returns a settled promise; a long
 * statement blocks the event loop for its duration, which is why the hot paths are measured (see bench/).
 *
 * Access control is not done here: src/auth/scoped-backend.ts wraps this backend and checks every call
 * against the caller's API key, so `caller` is accepted for the port's sake.
 */
import type { Readable } from 'node:stream';
import type * as Port from '../port';
import { validateAssetInput } from './asset-input';
import { AssetStore, checkRange } from './assets';
import { AttributeStore } from './attributes';
import { BlobStore } from './blob-store';
import type { DataPaths, Db } from './db';
import { ExperimentStore } from './experiments';
import { HistoryReader } from './history';
import { IdempotencyStore } from './idempotency';
import { ExperimentLister } from './list-experiments';
import { BlockStore } from './metric-blocks';
import { validatePoints } from './metric-input';
import { MetricStore } from './metrics';
import { schemaVersion } from './migrations';
import { ProjectStore } from './projects';
import { RegistryStore } from './registry';
import { KeyedMutex, scopeOf } from '../shared/idempotency';
import { optionalTime, requireName } from './validate';

type Caller = Port.Caller;

export const SQLITE_CAPABILITIES: Port.Capabilities = Object.freeze({
  metricPointCounts: true,
  removeTags: true,
  modelAliases: true,
  orFilters: true,
  backend: 'sqlite',
});

export class SqliteBackend implements Port.Backend {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #projects: ProjectStore;
  readonly #experiments: ExperimentStore;
  readonly #lister: ExperimentLister;
  readonly #attributes: AttributeStore;
  readonly #metrics: MetricStore;
  readonly #history: HistoryReader;
  readonly #assets: AssetStore;
  readonly #blobs: BlobStore;
  readonly #registry: RegistryStore;
  readonly #idempotency: IdempotencyStore;
  /** Serializes `once` calls per idempotency key (their work is async, outside one transaction). */
  readonly #onceMutex = new KeyedMutex();

  constructor(db: Db, paths: DataPaths, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    this.#projects = new ProjectStore(db);
    this.#experiments = new ExperimentStore(db);
    this.#lister = new ExperimentLister(db, this.#projects);
    this.#attributes = new AttributeStore(db);
    const blocks = new BlockStore(db);
    this.#metrics = new MetricStore(db, blocks);
    this.#history = new HistoryReader(db, blocks);
    this.#assets = new AssetStore(db);
    this.#blobs = new BlobStore(paths);
    this.#registry = new RegistryStore(db, {
      experiments: this.#experiments,
      assets: this.#assets,
      projects: this.#projects,
    });
    this.#idempotency = new IdempotencyStore(db);
  }

  /**
   * Runs `work` in one transaction (BEGIN IMMEDIATE for writes, so a busy writer waits up front). With an
   * idempotency claim, a retry is answered from its record first, before any check of the write itself (a
   * retried delete must replay, not find the experiment gone), and a first call's record commits with it.
   */
  #write<T>(work: () => T, caller?: Caller, options?: Port.WriteOptions): T {
    return this.#db.transaction(() => this.#idempotency.within(caller?.keyId ?? '', options?.idempotency, this.#now(), work)).immediate();
  }

  #read<T>(work: () => T): T {
    return this.#db.transaction(work).deferred();
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  async getExperiments(_caller: Caller, keys: readonly string[]) {
    return this.#experiments.getMany(keys);
  }

  async listExperiments(_caller: Caller, request: Port.ListExperimentsRequest) {
    return this.#read(() => this.#lister.list(request));
  }

  async getChildExperiments(_caller: Caller, parentKeys: readonly string[]) {
    return this.#experiments.getChildren(parentKeys);
  }

  async listWorkspaces(_caller: Caller) {
    return this.#projects.listWorkspaces();
  }

  async getWorkspaces(_caller: Caller, names: readonly string[]) {
    return this.#projects.getWorkspaces(names);
  }

  async getProjects(_caller: Caller, refs: readonly Port.ProjectRef[]) {
    return this.#projects.getProjects(refs);
  }

  async listProjects(_caller: Caller, workspace: string, page: Port.PageRequest) {
    return this.#read(() => this.#projects.listProjects(workspace, page));
  }

  async getMetricSummaries(_caller: Caller, keys: readonly string[], names?: readonly string[] | null) {
    return this.#metrics.getSummaries(keys, names);
  }

  async getMetricHistories(_caller: Caller, requests: readonly Port.MetricHistoryRequest[]) {
    return this.#history.read(requests);
  }

  async getParameters(_caller: Caller, keys: readonly string[]) {
    return this.#attributes.getParameters(keys);
  }

  async getTags(_caller: Caller, keys: readonly string[]) {
    return this.#attributes.getTags(keys);
  }

  async getOthers(_caller: Caller, keys: readonly string[]) {
    return this.#attributes.getOthers(keys);
  }

  async listAssets(_caller: Caller, keys: readonly string[], type?: string | null) {
    return this.#assets.list(keys, type);
  }

  async getExperimentModels(_caller: Caller, keys: readonly string[]) {
    return this.#assets.models(keys);
  }

  async openAsset(_caller: Caller, experimentKey: string, assetId: string, options?: Port.OpenAssetOptions) {
    const asset = this.#assets.get(experimentKey, assetId);
    if (asset === null) return null;
    const range = options?.range ? checkRange(options.range, asset.size) : undefined;
    return { asset, stream: this.#blobs.open(asset.sha256 as string, range) };
  }

  async getRegisteredModels(_caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return this.#registry.getModels(refs);
  }

  async listRegisteredModels(_caller: Caller, workspace: string, page: Port.PageRequest) {
    return this.#read(() => this.#registry.listModels(workspace, page));
  }

  async getModelVersions(_caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return this.#registry.getVersions(refs);
  }

  capabilities(): Port.Capabilities {
    return SQLITE_CAPABILITIES;
  }

  // ---- writes --------------------------------------------------------------------------------------------

  async createProject(caller: Caller, input: Port.CreateProjectInput, options?: Port.WriteOptions) {
    return this.#write(() => this.#projects.createProject(input, this.#now()), caller, options);
  }

  /** A missing project (and workspace) is created on the fly, as Comet does when an SDK logs to a new one. */
  async createExperiment(caller: Caller, input: Port.CreateExperimentInput, options?: Port.WriteOptions) {
    const workspace = requireName('workspace', input.workspace);
    const project = requireName('project', input.project);
    const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : null;
    const startedAt = optionalTime('startedAt', input.startedAt);
    return this.#write(() => {
      const now = this.#now();
      if (input.parentKey) this.#experiments.requireProjectId(input.parentKey);
      const projectId = this.#projects.ensureProject(workspace, project, now);
      const key = this.#experiments.create({ projectId, name, parentKey: input.parentKey ?? null, startedAt: startedAt ?? now });
      this.#attributes.addTags(key, input.tags ?? []);
      this.#attributes.setParameters(key, input.parameters ?? []);
      this.#projects.touch(projectId, now);
      return this.#experiments.require(key);
    }, caller, options);
  }

  async endExperiment(caller: Caller, input: Port.EndExperimentInput, options?: Port.WriteOptions) {
    return this.#touching(caller, options, input.experimentKey, (now) => {
      this.#experiments.end(input, now);
      return this.#experiments.require(input.experimentKey);
    });
  }

  async logMetrics(caller: Caller, experimentKey: string, points: readonly Port.MetricPointInput[], options?: Port.WriteOptions) {
    const valid = validatePoints(points, this.#now());
    return this.#touching(caller, options, experimentKey, (): Port.WriteStatus => {
      this.#metrics.append(experimentKey, valid);
      return 'ACCEPTED';
    });
  }

  async logParameters(caller: Caller, experimentKey: string, params: readonly Port.Parameter[], options?: Port.WriteOptions) {
    return this.#touching(caller, options, experimentKey, (): Port.WriteStatus => {
      this.#attributes.setParameters(experimentKey, params);
      return 'ACCEPTED';
    });
  }

  async logOthers(caller: Caller, experimentKey: string, others: readonly Port.Other[], options?: Port.WriteOptions) {
    return this.#touching(caller, options, experimentKey, (): Port.WriteStatus => {
      this.#attributes.setOthers(experimentKey, others);
      return 'ACCEPTED';
    });
  }

  async addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    return this.#touching(caller, options, experimentKey, () => {
      this.#attributes.addTags(experimentKey, tags);
      return this.#attributes.getTags([experimentKey])[0];
    });
  }

  async removeTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    return this.#touching(caller, options, experimentKey, () => {
      this.#attributes.removeTags(experimentKey, tags);
      return this.#attributes.getTags([experimentKey])[0];
    });
  }

  async putAsset(caller: Caller, input: Port.PutAssetInput, body: Readable) {
    const { maxBytes, ...fields } = validateAssetInput(input);
    // Fail before reading a byte when the experiment does not exist.
    this.#experiments.requireProjectId(input.experimentKey);
    const staged = await this.#blobs.stage(body, maxBytes);
    try {
      // Row first, then the rename: if the rename fails the row rolls back. Both run in this one tick, so a
      // concurrent delete cannot collect the blob between them. The experiment is checked again: it may have
      // been deleted while the bytes streamed.
      return this.#touching(caller, undefined, input.experimentKey, (now) => {
        const asset = this.#assets.insert({ ...fields, sha256: staged.sha256, size: staged.size, createdAt: now });
        this.#blobs.commitSync(staged);
        return asset;
      });
    } catch (error) {
      this.#blobs.discardSync(staged);
      throw error;
    }
  }

  async registerModel(caller: Caller, input: Port.RegisterModelInput, options?: Port.WriteOptions) {
    return this.#write(() => this.#registry.register(input, this.#now()), caller, options);
  }

  async updateModelVersion(caller: Caller, input: Port.UpdateModelVersionInput, options?: Port.WriteOptions) {
    return this.#write(() => this.#registry.update(input, this.#now()), caller, options);
  }

  async archiveExperiment(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#touching(caller, options, experimentKey, () => {
      this.#experiments.archive(experimentKey);
      return this.#experiments.require(experimentKey);
    });
  }

  /** Removes the experiment with all its data; children are kept as top-level runs (parent set to null). */
  async deleteExperiment(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    // A replayed delete finds nothing to collect: the record stores no hashes.
    let hashes: string[] = [];
    this.#touching(caller, options, experimentKey, () => {
      hashes = this.#assets.hashesOf(experimentKey);
      this.#experiments.delete(experimentKey);
    });
    // Same tick as the commit: no upload can start referencing one of these blobs in between.
    for (const sha256 of hashes) if (!this.#assets.isReferenced(sha256)) this.#blobs.deleteSync(sha256);
  }

  async once<T>(caller: Caller, claim: Port.IdempotencyClaim, produce: () => Promise<T>): Promise<T> {
    return this.#onceMutex.run(scopeOf(caller.keyId, claim), async () => {
      const recorded = this.#read(() => this.#idempotency.recall<T>(caller.keyId, claim, this.#now()));
      if (recorded !== null) return recorded.value;
      const value = await produce();
      // Another process on this data dir may have recorded one meanwhile: then its result is the answer.
      return this.#write(() => value, caller, { idempotency: claim });
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------

  async readiness() {
    try {
      this.#db.prepare('SELECT 1').get();
      return { ready: true, detail: { backend: 'sqlite', schemaVersion: schemaVersion(this.#db) } };
    } catch (error) {
      return { ready: false, detail: { backend: 'sqlite', error: (error as Error).message } };
    }
  }

  async close() {
    if (this.#db.open) this.#db.close();
  }

  /** A write on an existing experiment: NotFoundError when missing, and the project's lastUpdatedAt moves. */
  #touching<T>(caller: Caller, options: Port.WriteOptions | undefined, experimentKey: string, work: (now: number) => T): T {
    return this.#write(() => {
      const now = this.#now();
      const projectId = this.#experiments.requireProjectId(experimentKey);
      const result = work(now);
      this.#projects.touch(projectId, now);
      return result;
    }, caller, options);
  }
}
