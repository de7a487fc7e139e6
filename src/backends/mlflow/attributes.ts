/** The attributes port on MLflow: params (write-once), tags with an empty value, and other tags as others. */
import { BadUserInputError, experimentNotFound } from '../../errors';
import type * as Port from '../port';
import type { MlflowApi } from './api';
import { isTransient } from '../comet/writer';
import { logTags } from './batch';
import type { MlflowContext } from './context';
import type { MlflowRun } from './decode';
import { liveRuns } from './run-reads';
import { isGone, othersOf, parametersOf, tagsOf } from './runs';
import { checkKey, checkOthers, checkParameters, checkTags } from './validate';

type Caller = Port.Caller;

// Tags are removed with delete-tag; params are write-once in MLflow (§4.3), so logging a changed value is refused.
export const MLFLOW_ATTRIBUTES_CAPABILITIES: Port.AttributesCapabilities = Object.freeze({ removeTags: true, overwriteParameters: false });

export class MlflowAttributes implements Port.AttributesPort {
  readonly #c: MlflowContext;

  constructor(context: MlflowContext) {
    this.#c = context;
  }

  parameters(caller: Caller, keys: readonly string[]) {
    return this.#read(caller, keys, parametersOf);
  }

  tags(caller: Caller, keys: readonly string[]) {
    return this.#read(caller, keys, tagsOf);
  }

  others(caller: Caller, keys: readonly string[]) {
    return this.#read(caller, keys, othersOf);
  }

  async logParameters(caller: Caller, experimentKey: string, params: readonly Port.Parameter[], options?: Port.WriteOptions): Promise<Port.WriteStatus> {
    const checked = checkParameters(params);
    // Refused here, whole, before anything is sent: MLflow would refuse the chunk holding it after the chunks
    // before it were stored. With MLflow away, the values queue and a changed one becomes a dead letter.
    const run = await reachable(this.#c.api(caller), experimentKey, true);
    for (const { key, value } of checked) {
      const stored = run?.params.get(key);
      if (stored !== undefined && stored !== value) {
        throw new BadUserInputError(
          `Parameter '${key}' is already '${stored}': MLflow parameters are written once (capabilities.attributes.overwriteParameters is false)`,
          { field: 'parameters', reason: 'PARAMETER_WRITE_ONCE' },
        );
      }
    }
    return this.#c.submit(caller, experimentKey, 'parameter', checked, options);
  }

  async logOthers(caller: Caller, experimentKey: string, others: readonly Port.Other[], options?: Port.WriteOptions): Promise<Port.WriteStatus> {
    const checked = checkOthers(others);
    await reachable(this.#c.api(caller), experimentKey);
    return this.#c.submit(caller, experimentKey, 'other', checked, options);
  }

  async addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    const checked = checkTags(tags);
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      await existing(api, experimentKey);
      await logTags(api, experimentKey, checked);
      return tagsOf(await existing(api, experimentKey, true));
    });
  }

  async removeTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    const names = [...new Set(tags.map((t, i) => checkKey(t, `tags[${i}]`)))];
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = await existing(api, experimentKey, true);
      // Only TrackQL tags (empty value): an `other` of the same key is not a tag and stays.
      for (const name of names) if (run.tags.get(name) === '') await api.deleteTag(experimentKey, name);
      return tagsOf(await existing(api, experimentKey, true));
    });
  }

  async #read<T>(caller: Caller, keys: readonly string[], pick: (run: MlflowRun) => T[]): Promise<T[][]> {
    const runs = await liveRuns(this.#c.api(caller), keys);
    return keys.map((key) => {
      const run = runs.get(key);
      return run ? pick(run) : [];
    });
  }
}

/**
 * The run of `key` before a logging write: NOT_FOUND when missing, null when MLflow cannot be asked now (the
 * write then queues, and MLflow's own answer decides later).
 */
export async function reachable(api: MlflowApi, key: string, fresh = false): Promise<MlflowRun | null> {
  try {
    return await existing(api, key, fresh);
  } catch (error) {
    if (isTransient(error)) return null;
    throw error;
  }
}

/** The run of `key` (read past the memory when `fresh`), NOT_FOUND when missing. */
export async function existing(api: MlflowApi, key: string, fresh = false): Promise<MlflowRun> {
  const run = fresh ? await api.freshRun(key) : (await liveRuns(api, [key])).get(key);
  if (!run || isGone(run)) throw experimentNotFound(key);
  return run;
}
