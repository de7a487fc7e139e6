/**
 * Access control of the embedded store, in one place: a Backend that wraps the real one and checks every
 * call against the caller's key. GraphQL queries and mutations, graphql-ws subscriptions (their access check
 * reads through the port) and the asset routes (the signed URL carries the key it was issued to) all reach
 * the store through here, so none of them can skip it.
 *
 * Two rules, in this order:
 * 1. Visibility. An experiment in a workspace the key cannot read is treated as missing: `null` in lookups,
 *    left out of lists, empty nested data, NOT_FOUND for writes addressed to it. Experiment keys are the only
 *    way in that does not name a workspace, and a key must not learn what other workspaces hold.
 * 2. Permission. Naming a workspace the key has no grant on (a workspace, project or registered model, a
 *    listing, a create) is FORBIDDEN, whether that workspace exists or not; so is any write the key's role
 *    on the (visible) target does not allow.
 */
import type { Readable } from 'node:stream';
import type * as Port from '../backends/port';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Authenticator } from './authenticator';
import { ExperimentWorkspaces } from './experiment-workspaces';
import { may, readsEverything, roleIn, roleIncludes, type Principal, type Role } from './roles';

type Caller = Port.Caller;

export class ScopedBackend implements Port.Backend {
  readonly #inner: Port.Backend;
  readonly #auth: Authenticator;
  readonly #onClose: () => void;
  readonly #workspaceOf: ExperimentWorkspaces;
  readonly pendingWrites?: () => number;

  constructor(inner: Port.Backend, auth: Authenticator, onClose: () => void = () => undefined) {
    this.#inner = inner;
    this.#auth = auth;
    this.#onClose = onClose;
    this.#workspaceOf = new ExperimentWorkspaces(inner);
    const pending = inner.pendingWrites?.bind(inner);
    if (pending) this.pendingWrites = pending;
  }

  // ---- reads by experiment key: invisible is missing ---------------------------------------------------

  async getExperiments(caller: Caller, keys: readonly string[]) {
    const who = this.#auth.principal(caller);
    const rows = await this.#inner.getExperiments(caller, keys);
    for (const row of rows) if (row && !(row instanceof Error)) this.#workspaceOf.remember(row.key, row.workspace);
    if (readsEverything(who)) return rows;
    return rows.map((row) => (row && !(row instanceof Error) && !may(who, row.workspace, 'read') ? null : row));
  }

  async getChildExperiments(caller: Caller, parentKeys: readonly string[]) {
    const who = this.#auth.principal(caller);
    const rows = await this.#inner.getChildExperiments(caller, parentKeys);
    for (const row of rows) if (!(row instanceof Error)) for (const child of row) this.#workspaceOf.remember(child.key, child.workspace);
    if (readsEverything(who)) return rows;
    return rows.map((row) => (row instanceof Error ? row : row.filter((child) => may(who, child.workspace, 'read'))));
  }

  getMetricSummaries(caller: Caller, keys: readonly string[], names?: readonly string[] | null, options?: Port.ReadOptions) {
    return this.#perExperiment(caller, keys, () => this.#inner.getMetricSummaries(caller, keys, names, options), () => []);
  }

  async getMetricHistories(caller: Caller, requests: readonly Port.MetricHistoryRequest[], options?: Port.ReadOptions) {
    const keys = requests.map((r) => r.experimentKey);
    const empty = (i: number): Port.MetricHistory => ({ points: [], cursors: [], hasNextPage: false, totalCount: 0, sampled: requests[i].samples != null });
    return this.#perExperiment(caller, keys, () => this.#inner.getMetricHistories(caller, requests, options), empty);
  }

  getParameters(caller: Caller, keys: readonly string[]) {
    return this.#perExperiment(caller, keys, () => this.#inner.getParameters(caller, keys), () => []);
  }

  getTags(caller: Caller, keys: readonly string[]) {
    return this.#perExperiment(caller, keys, () => this.#inner.getTags(caller, keys), () => []);
  }

  getOthers(caller: Caller, keys: readonly string[]) {
    return this.#perExperiment(caller, keys, () => this.#inner.getOthers(caller, keys), () => []);
  }

  listAssets(caller: Caller, keys: readonly string[], type?: string | null) {
    return this.#perExperiment(caller, keys, () => this.#inner.listAssets(caller, keys, type), () => []);
  }

  getExperimentModels(caller: Caller, keys: readonly string[]) {
    return this.#perExperiment(caller, keys, () => this.#inner.getExperimentModels(caller, keys), () => []);
  }

  async openAsset(caller: Caller, experimentKey: string, assetId: string, options?: Port.OpenAssetOptions) {
    const who = this.#auth.principal(caller);
    if (!readsEverything(who) && !(await this.#visibleKeys(caller, who, [experimentKey])).has(experimentKey)) return null;
    return this.#inner.openAsset(caller, experimentKey, assetId, options);
  }

  // ---- reads that name a workspace: no grant is FORBIDDEN ---------------------------------------------

  async listWorkspaces(caller: Caller) {
    const who = this.#auth.principal(caller);
    const all = await this.#inner.listWorkspaces(caller);
    return readsEverything(who) ? all : all.filter((w) => may(who, w.name, 'read'));
  }

  async getWorkspaces(caller: Caller, names: readonly string[]) {
    const who = this.#auth.principal(caller);
    return this.#masked(who, names, await this.#inner.getWorkspaces(caller, names));
  }

  async getProjects(caller: Caller, refs: readonly Port.ProjectRef[]) {
    const who = this.#auth.principal(caller);
    return this.#masked(who, refs.map((r) => r.workspace), await this.#inner.getProjects(caller, refs));
  }

  async getRegisteredModels(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    const who = this.#auth.principal(caller);
    return this.#masked(who, refs.map((r) => r.workspace), await this.#inner.getRegisteredModels(caller, refs));
  }

  async getModelVersions(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    const who = this.#auth.principal(caller);
    return this.#masked(who, refs.map((r) => r.workspace), await this.#inner.getModelVersions(caller, refs));
  }

  async listExperiments(caller: Caller, request: Port.ListExperimentsRequest) {
    this.#requireIn(this.#auth.principal(caller), request.project.workspace, 'read', 'listing its experiments');
    const page = await this.#inner.listExperiments(caller, request);
    // A dashboard's nested reads (tags, metrics) come next for exactly these keys: no lookup needed then.
    for (const e of page.items) this.#workspaceOf.remember(e.key, e.workspace);
    return page;
  }

  async listProjects(caller: Caller, workspace: string, page: Port.PageRequest) {
    this.#requireIn(this.#auth.principal(caller), workspace, 'read', 'listing its projects');
    return this.#inner.listProjects(caller, workspace, page);
  }

  async listRegisteredModels(caller: Caller, workspace: string, page: Port.PageRequest) {
    this.#requireIn(this.#auth.principal(caller), workspace, 'read', 'listing its registered models');
    return this.#inner.listRegisteredModels(caller, workspace, page);
  }

  capabilities(): Port.Capabilities {
    return this.#inner.capabilities();
  }

  // ---- writes ------------------------------------------------------------------------------------------

  async createProject(caller: Caller, input: Port.CreateProjectInput, options?: Port.WriteOptions) {
    this.#requireIn(this.#auth.principal(caller), input.workspace, 'admin', 'createProject');
    return this.#inner.createProject(caller, input, options);
  }

  async createExperiment(caller: Caller, input: Port.CreateExperimentInput, options?: Port.WriteOptions) {
    const who = this.#auth.principal(caller);
    this.#requireIn(who, input.workspace, 'write', 'createExperiment');
    if (input.parentKey) await this.#requireOn(caller, who, input.parentKey, 'read', 'naming it as parent');
    return this.#inner.createExperiment(caller, input, options);
  }

  async endExperiment(caller: Caller, input: Port.EndExperimentInput, options?: Port.WriteOptions) {
    await this.#requireOn(caller, this.#auth.principal(caller), input.experimentKey, 'write', 'endExperiment');
    return this.#inner.endExperiment(caller, input, options);
  }

  async logMetrics(caller: Caller, experimentKey: string, points: readonly Port.MetricPointInput[], options?: Port.WriteOptions) {
    await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'write', 'logMetrics');
    return this.#inner.logMetrics(caller, experimentKey, points, options);
  }

  async logParameters(caller: Caller, experimentKey: string, params: readonly Port.Parameter[], options?: Port.WriteOptions) {
    await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'write', 'logParameters');
    return this.#inner.logParameters(caller, experimentKey, params, options);
  }

  async logOthers(caller: Caller, experimentKey: string, others: readonly Port.Other[], options?: Port.WriteOptions) {
    await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'write', 'logOthers');
    return this.#inner.logOthers(caller, experimentKey, others, options);
  }

  async addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'write', 'addTags');
    return this.#inner.addTags(caller, experimentKey, tags, options);
  }

  async removeTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'write', 'removeTags');
    return this.#inner.removeTags(caller, experimentKey, tags, options);
  }

  /** Idempotent non-store writes (a signed upload URL): what `produce` does is checked by the calls it makes. */
  async once<T>(caller: Caller, claim: Port.IdempotencyClaim, produce: () => Promise<T>): Promise<T> {
    this.#auth.principal(caller);
    return this.#inner.once(caller, claim, produce);
  }

  async authorizeWrite(caller: Caller, experimentKey: string): Promise<void> {
    await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'write', 'uploading an asset');
  }

  async putAsset(caller: Caller, input: Port.PutAssetInput, body: Readable) {
    await this.#requireOn(caller, this.#auth.principal(caller), input.experimentKey, 'write', 'uploading an asset');
    return this.#inner.putAsset(caller, input, body);
  }

  async registerModel(caller: Caller, input: Port.RegisterModelInput, options?: Port.WriteOptions) {
    const who = this.#auth.principal(caller);
    if (!(who.everywhere && roleIncludes(who.everywhere, 'write'))) {
      const source = await this.#experimentWorkspace(caller, who, input.experimentKey);
      const target = input.workspace?.trim() || source;
      this.#requireIn(who, target, 'write', 'registerModel');
      if (input.includeChildren) await this.#requireDescendantsReadable(caller, who, input.experimentKey);
    }
    return this.#inner.registerModel(caller, input, options);
  }

  async updateModelVersion(caller: Caller, input: Port.UpdateModelVersionInput, options?: Port.WriteOptions) {
    this.#requireIn(this.#auth.principal(caller), input.workspace, 'write', 'updateModelVersion');
    return this.#inner.updateModelVersion(caller, input, options);
  }

  async archiveExperiment(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'write', 'archiveExperiment');
    return this.#inner.archiveExperiment(caller, experimentKey, options);
  }

  async deleteExperiment(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    try {
      await this.#requireOn(caller, this.#auth.principal(caller), experimentKey, 'admin', 'deleteExperiment');
    } catch (error) {
      // A retried delete finds its experiment gone: it answers from this key's own idempotency record, if
      // there is one (`once` only replays here: its work rethrows NOT_FOUND), and writes nothing either way.
      const claim = options?.idempotency;
      if (!claim || !(error instanceof NotFoundError)) throw error;
      await this.#inner.once(caller, claim, () => Promise.reject(error));
      return;
    }
    return this.#inner.deleteExperiment(caller, experimentKey, options);
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------

  readiness() {
    return this.#inner.readiness();
  }

  async close() {
    try {
      await this.#inner.close();
    } finally {
      this.#onClose();
    }
  }

  // ---- checks ------------------------------------------------------------------------------------------

  /** A per-experiment batch read with the slots of experiments the caller cannot see replaced by `hidden`. */
  async #perExperiment<T>(caller: Caller, keys: readonly string[], read: () => Promise<(T | Error)[]>, hidden: (index: number) => T): Promise<(T | Error)[]> {
    const who = this.#auth.principal(caller);
    if (readsEverything(who)) return read();
    const visible = await this.#visibleKeys(caller, who, keys);
    const rows = await read();
    return rows.map((row, i) => (visible.has(keys[i]) ? row : hidden(i)));
  }

  /** FORBIDDEN in the slot of each workspace the caller has no grant on. */
  #masked<R>(who: Principal, workspaces: readonly string[], rows: R[]): (R | ForbiddenError)[] {
    if (readsEverything(who)) return rows;
    return rows.map((row, i) => (may(who, workspaces[i].trim(), 'read') ? row : forbidden(who, workspaces[i].trim(), 'read', 'reading it')));
  }

  #requireIn(who: Principal, workspace: string, needed: Role, action: string): void {
    const name = workspace.trim();
    if (!may(who, name, needed)) throw forbidden(who, name, needed, action);
  }

  /** Checks the caller's role on an experiment's workspace (no lookup when a `*` grant covers it). */
  async #requireOn(caller: Caller, who: Principal, experimentKey: string, needed: Role, action: string): Promise<void> {
    if (who.everywhere && roleIncludes(who.everywhere, needed)) return; // the store itself says NOT_FOUND
    const workspace = await this.#experimentWorkspace(caller, who, experimentKey);
    if (!may(who, workspace, needed)) throw forbidden(who, workspace, needed, action);
  }

  /** The workspace of an experiment the caller can read; NOT_FOUND otherwise, worded as the store's own. */
  async #experimentWorkspace(caller: Caller, who: Principal, experimentKey: string): Promise<string> {
    const workspace = (await this.#workspaceOf.of(caller, [experimentKey])).get(experimentKey) ?? null;
    if (workspace === null || !may(who, workspace, 'read')) {
      throw new NotFoundError(`Experiment '${experimentKey}' does not exist`, { experimentKey });
    }
    return workspace;
  }

  /** includeChildren registers descendants' models too: each of them must be readable by the key. */
  async #requireDescendantsReadable(caller: Caller, who: Principal, rootKey: string): Promise<void> {
    const seen = new Set([rootKey]);
    for (let frontier = [rootKey]; frontier.length > 0;) {
      const next: string[] = [];
      for (const children of await this.#inner.getChildExperiments(caller, frontier)) {
        if (children instanceof Error) throw children;
        for (const child of children) {
          if (!may(who, child.workspace, 'read')) {
            throw new ForbiddenError(`API key ${who.keyId} cannot read every child run of '${rootKey}': register without includeChildren`);
          }
          if (!seen.has(child.key)) next.push(child.key);
          seen.add(child.key);
        }
      }
      frontier = next;
    }
  }

  async #visibleKeys(caller: Caller, who: Principal, keys: readonly string[]): Promise<Set<string>> {
    const workspaces = await this.#workspaceOf.of(caller, keys);
    const visible = new Set<string>();
    for (const [key, workspace] of workspaces) if (workspace !== null && may(who, workspace, 'read')) visible.add(key);
    return visible;
  }

}

function forbidden(who: Principal, workspace: string, needed: Role, action: string): ForbiddenError {
  const held = roleIn(who, workspace);
  return new ForbiddenError(
    held === null
      ? `API key ${who.keyId} has no access to workspace '${workspace}'`
      : `API key ${who.keyId} has the ${held} role on workspace '${workspace}'; ${action} needs ${needed}`,
  );
}
