/** The experiments port on Comet. */
import type * as Port from '../port';
import type { CometContext } from './context';
import { createRun } from './create-run';
import { childKeysOf, metasOf, toExperiments } from './experiment-reads';
import { listExperiments } from './list';
import * as writes from './writes';
import { restoreExperiment } from './lifecycle';
import { BadUserInputError } from '../../errors';

type Caller = Port.Caller;

// OR and NOT are evaluated in the gateway after the fetch (filter.ts).
export const COMET_EXPERIMENTS_CAPABILITIES: Port.ExperimentsCapabilities = Object.freeze({ orFilters: true, rename: false });

export class CometExperiments implements Port.ExperimentsPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async get(caller: Caller, keys: readonly string[]) {
    const api = this.#c.api(caller);
    const metas = await metasOf(api, keys);
    const found = await toExperiments(api, metas.filter((m) => m !== null));
    const byKey = new Map(found.map((e) => [e.key, e]));
    return keys.map((key) => {
      const e = byKey.get(key);
      return e ? { ...e } : null;
    });
  }

  async list(caller: Caller, request: Port.ListExperimentsRequest) {
    return listExperiments(this.#c.api(caller), request, this.#c.parts.queryCost);
  }

  async children(caller: Caller, parentKeys: readonly string[]) {
    const api = this.#c.api(caller);
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

  async create(caller: Caller, input: Port.CreateExperimentInput, options?: Port.WriteOptions) {
    const claim = options?.idempotency;
    return this.#c.parts.idempotency.reconcilable(caller.keyId, claim, createRun(this.#c, caller, input, claim));
  }

  async end(caller: Caller, input: Port.EndExperimentInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => writes.endExperiment(this.#c.api(caller), input, this.#c.now()));
  }

  async archive(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => writes.archiveExperiment(this.#c.api(caller), experimentKey));
  }

  async delete(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => writes.deleteExperiment(this.#c.api(caller), experimentKey));
  }

  /** Comet documents no rename endpoint (comet-rest-v2.md §5): refused, and capabilities.experiments.rename is false. */
  async update(_caller: Caller, _input: Port.UpdateExperimentInput, _options?: Port.WriteOptions): Promise<Port.Experiment> {
    throw new BadUserInputError('Renaming experiments is not supported on the Comet backend: Comet documents no endpoint for it (capabilities.experiments.rename is false)', { reason: 'UNSUPPORTED' });
  }

  async restore(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => restoreExperiment(this.#c.api(caller), experimentKey));
  }
}
