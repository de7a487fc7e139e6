/** The attributes port on Comet: parameters, tags and `log_other` values. */
import { BadUserInputError } from '../../errors';
import type * as Port from '../port';
import { getOthers, getParameters, getTags } from './attribute-reads';
import type { CometContext } from './context';
import { otherValues, parameterValues } from './logging';
import * as writes from './writes';

type Caller = Port.Caller;

// The tag-delete endpoint exists on newer backends but its path was never seen (§10.5).
export const COMET_ATTRIBUTES_CAPABILITIES: Port.AttributesCapabilities = Object.freeze({ removeTags: false, overwriteParameters: true });

export class CometAttributes implements Port.AttributesPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async parameters(caller: Caller, keys: readonly string[]) {
    return getParameters(this.#c.api(caller), keys);
  }

  async tags(caller: Caller, keys: readonly string[]) {
    return getTags(this.#c.api(caller), keys);
  }

  async others(caller: Caller, keys: readonly string[]) {
    return getOthers(this.#c.api(caller), keys);
  }

  async logParameters(caller: Caller, experimentKey: string, params: readonly Port.Parameter[], options?: Port.WriteOptions) {
    return this.#c.submit(caller, experimentKey, 'parameter', parameterValues(params, this.#c.now()), options);
  }

  async logOthers(caller: Caller, experimentKey: string, others: readonly Port.Other[], options?: Port.WriteOptions) {
    return this.#c.submit(caller, experimentKey, 'other', otherValues(others), options);
  }

  async addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => writes.addTags(this.#c.api(caller), experimentKey, tags));
  }

  async removeTags(_caller: Caller, _experimentKey: string, _tags: readonly string[], _options?: Port.WriteOptions): Promise<string[]> {
    throw new BadUserInputError(
      'Removing tags is not supported on the Comet backend: Comet has no documented endpoint for it (capabilities.attributes.removeTags is false)',
      { reason: 'UNSUPPORTED' },
    );
  }
}
