/** The experiments port on MLflow: runs, by run id. */
import { experimentNotFound } from '../../errors';
import type * as Port from '../port';
import type { MlflowApi } from './api';
import type { MlflowContext } from './context';
import type { MlflowRun } from './decode';
import { createRun } from './create-run';
import { listExperiments } from './list';
import { Tag } from './protocol';
import { childRuns, liveRuns, toExperiments } from './run-reads';
import { runStatusOf } from './runs';

type Caller = Port.Caller;

// OR and NOT are evaluated in the gateway after the narrowing search (list.ts): runs/search is AND-only.
export const MLFLOW_EXPERIMENTS_CAPABILITIES: Port.ExperimentsCapabilities = Object.freeze({ orFilters: true, rename: true });

export class MlflowExperiments implements Port.ExperimentsPort {
  readonly #c: MlflowContext;

  constructor(context: MlflowContext) {
    this.#c = context;
  }

  async get(caller: Caller, keys: readonly string[]) {
    const api = this.#c.api(caller);
    const runs = await liveRuns(api, keys);
    const byKey = new Map((await toExperiments(api, [...runs.values()], this.#c.workspace)).map((e) => [e.key, e]));
    return keys.map((key) => {
      const e = byKey.get(key);
      return e ? { ...e } : null;
    });
  }

  async list(caller: Caller, request: Port.ListExperimentsRequest) {
    return listExperiments(this.#c.api(caller), request, this.#c.workspace);
  }

  async children(caller: Caller, parentKeys: readonly string[]) {
    const api = this.#c.api(caller);
    const parents = await liveRuns(api, parentKeys);
    const children = await childRuns(api, [...parents.values()]);
    const all = await toExperiments(api, [...children.values()].flat(), this.#c.workspace);
    const byKey = new Map(all.map((e) => [e.key, e]));
    const byStart = (a: Port.Experiment, b: Port.Experiment): number => (a.startedAt ?? 0) - (b.startedAt ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    return parentKeys.map((key) => (children.get(key) ?? []).flatMap((run) => {
      const e = byKey.get(run.runId);
      return e ? [{ ...e }] : [];
    }).sort(byStart));
  }

  async create(caller: Caller, input: Port.CreateExperimentInput, options?: Port.WriteOptions) {
    const claim = options?.idempotency;
    return this.#c.parts.idempotency.reconcilable(caller.keyId, claim, createRun(this.#c, caller, input, claim));
  }

  async end(caller: Caller, input: Port.EndExperimentInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      await this.#existing(api, input.experimentKey);
      await api.updateRun(input.experimentKey, { status: runStatusOf(input.status), end_time: input.endedAt ?? this.#c.now() });
      return this.#experimentOf(api, input.experimentKey);
    });
  }

  async archive(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      await this.#existing(api, experimentKey);
      await api.deleteRun(experimentKey);
      return this.#experimentOf(api, experimentKey);
    });
  }

  /**
   * MLflow's REST API only soft-deletes: the run is marked `trackql.deleted` (missing to every read from
   * then on) and soft-deleted; its children lose their parent tag. `mlflow gc` removes it for good.
   */
  async delete(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = await this.#existing(api, experimentKey);
      for (const child of (await childRuns(api, [run])).get(run.runId) ?? []) {
        if (child.lifecycleStage === 'deleted') await api.restoreRun(child.runId);
        await api.deleteTag(child.runId, Tag.parentRunId);
        if (child.lifecycleStage === 'deleted') await api.deleteRun(child.runId);
      }
      await api.markRunDeleted(run);
      await api.deleteRun(run.runId);
    });
  }

  /** A rename is `runs/update` with `run_name` (§4). */
  async update(caller: Caller, input: Port.UpdateExperimentInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      await this.#existing(api, input.experimentKey);
      if (input.name != null) await api.updateRun(input.experimentKey, { run_name: input.name });
      return this.#experimentOf(api, input.experimentKey);
    });
  }

  /** Un-archives: MLflow's soft delete undone (`runs/restore`). */
  async restore(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = await this.#existing(api, experimentKey);
      if (run.lifecycleStage === 'deleted') await api.restoreRun(experimentKey);
      return this.#experimentOf(api, experimentKey);
    });
  }

  async #existing(api: MlflowApi, key: string): Promise<MlflowRun> {
    const run = (await liveRuns(api, [key])).get(key);
    if (!run) throw experimentNotFound(key);
    return run;
  }

  async #experimentOf(api: MlflowApi, key: string): Promise<Port.Experiment> {
    const run = await this.#existing(api, key);
    const [experiment] = await toExperiments(api, [run], this.#c.workspace);
    if (!experiment) throw experimentNotFound(key);
    return experiment;
  }
}
