/** The registry port on Comet. */
import type * as Port from '../port';
import type { CometContext } from './context';
import { getModelVersions, getRegisteredModels, listRegisteredModels, registerModel, updateModelVersion, deleteModelVersion } from './registry-calls';

type Caller = Port.Caller;

// The registry has stages, tags and a status, no aliases (§6).
export const COMET_REGISTRY_CAPABILITIES: Port.RegistryCapabilities = Object.freeze({ aliases: false });

export class CometRegistry implements Port.RegistryPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async models(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return getRegisteredModels(this.#c.api(caller), refs);
  }

  async list(caller: Caller, workspace: string, page: Port.PageRequest) {
    return listRegisteredModels(this.#c.api(caller), workspace, page);
  }

  async versions(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return getModelVersions(this.#c.api(caller), refs);
  }

  async register(caller: Caller, input: Port.RegisterModelInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => registerModel(this.#c.api(caller), input));
  }

  async updateVersion(caller: Caller, input: Port.UpdateModelVersionInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => updateModelVersion(this.#c.api(caller), input));
  }

  async deleteVersion(caller: Caller, ref: Port.ModelVersionRef, options?: Port.WriteOptions) {
    await this.#c.once(caller, options, () => deleteModelVersion(this.#c.api(caller), ref));
  }
}
