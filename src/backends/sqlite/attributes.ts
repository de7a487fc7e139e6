/** The attributes port on SQLite: parameters, tags and others. */
import type * as Port from '../port';
import type { SqliteContext } from './context';

type Caller = Port.Caller;

export const SQLITE_ATTRIBUTES_CAPABILITIES: Port.AttributesCapabilities = Object.freeze({ removeTags: true, overwriteParameters: true });

export class SqliteAttributes implements Port.AttributesPort {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async parameters(_caller: Caller, keys: readonly string[]) {
    return this.#c.attributes.getParameters(keys);
  }

  async tags(_caller: Caller, keys: readonly string[]) {
    return this.#c.attributes.getTags(keys);
  }

  async others(_caller: Caller, keys: readonly string[]) {
    return this.#c.attributes.getOthers(keys);
  }

  async logParameters(caller: Caller, experimentKey: string, params: readonly Port.Parameter[], options?: Port.WriteOptions) {
    return this.#c.touching(caller, options, experimentKey, (): Port.WriteStatus => {
      this.#c.attributes.setParameters(experimentKey, params);
      return 'ACCEPTED';
    });
  }

  async logOthers(caller: Caller, experimentKey: string, others: readonly Port.Other[], options?: Port.WriteOptions) {
    return this.#c.touching(caller, options, experimentKey, (): Port.WriteStatus => {
      this.#c.attributes.setOthers(experimentKey, others);
      return 'ACCEPTED';
    });
  }

  async addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    return this.#c.touching(caller, options, experimentKey, () => {
      this.#c.attributes.addTags(experimentKey, tags);
      return this.#c.attributes.getTags([experimentKey])[0];
    });
  }

  async removeTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: Port.WriteOptions) {
    return this.#c.touching(caller, options, experimentKey, () => {
      this.#c.attributes.removeTags(experimentKey, tags);
      return this.#c.attributes.getTags([experimentKey])[0];
    });
  }
}
