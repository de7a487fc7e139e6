/** The registry port on SQLite. */
import type * as Port from '../port';
import type { SqliteContext } from './context';
import { RegistryStore } from './registry-store';

type Caller = Port.Caller;

export const SQLITE_REGISTRY_CAPABILITIES: Port.RegistryCapabilities = Object.freeze({ aliases: true });

export class SqliteRegistry implements Port.RegistryPort {
  readonly #c: SqliteContext;
  readonly #store: RegistryStore;

  constructor(context: SqliteContext) {
    this.#c = context;
    this.#store = new RegistryStore(context.db, { experiments: context.experiments, assets: context.assets, projects: context.projects });
  }

  async models(_caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return this.#store.getModels(refs);
  }

  async list(_caller: Caller, workspace: string, page: Port.PageRequest) {
    return this.#c.read(() => this.#store.listModels(workspace, page));
  }

  async versions(_caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    return this.#store.getVersions(refs);
  }

  async register(caller: Caller, input: Port.RegisterModelInput, options?: Port.WriteOptions) {
    return this.#c.write(() => this.#store.register(input, this.#c.now()), caller, options);
  }

  async updateVersion(caller: Caller, input: Port.UpdateModelVersionInput, options?: Port.WriteOptions) {
    return this.#c.write(() => this.#store.update(input, this.#c.now()), caller, options);
  }

  async deleteVersion(caller: Caller, ref: Port.ModelVersionRef, options?: Port.WriteOptions) {
    this.#c.write(() => this.#c.lifecycle.deleteVersion(ref), caller, options);
  }
}
