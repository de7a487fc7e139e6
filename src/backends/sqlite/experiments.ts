/** The experiments port on SQLite. */
import type * as Port from '../port';
import type { SqliteContext } from './context';
import { ExperimentLister } from './list-experiments';
import { optionalTime, requireName } from './validate';

type Caller = Port.Caller;

export const SQLITE_EXPERIMENTS_CAPABILITIES: Port.ExperimentsCapabilities = Object.freeze({ orFilters: true, rename: true });

export class SqliteExperiments implements Port.ExperimentsPort {
  readonly #c: SqliteContext;
  readonly #lister: ExperimentLister;

  constructor(context: SqliteContext) {
    this.#c = context;
    this.#lister = new ExperimentLister(context.db, context.projects);
  }

  async get(_caller: Caller, keys: readonly string[]) {
    return this.#c.experiments.getMany(keys);
  }

  async list(_caller: Caller, request: Port.ListExperimentsRequest) {
    return this.#c.read(() => this.#lister.list(request));
  }

  async children(_caller: Caller, parentKeys: readonly string[]) {
    return this.#c.experiments.getChildren(parentKeys);
  }

  /** A missing project (and workspace) is created on the fly, as Comet does when an SDK logs to a new one. */
  async create(caller: Caller, input: Port.CreateExperimentInput, options?: Port.WriteOptions) {
    const workspace = requireName('workspace', input.workspace);
    const project = requireName('project', input.project);
    const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : null;
    const startedAt = optionalTime('startedAt', input.startedAt);
    const c = this.#c;
    return c.write(() => {
      const now = c.now();
      if (input.parentKey) c.experiments.requireProjectId(input.parentKey);
      const projectId = c.projects.ensureProject(workspace, project, now);
      const key = c.experiments.create({ projectId, name, parentKey: input.parentKey ?? null, startedAt: startedAt ?? now });
      c.attributes.addTags(key, input.tags ?? []);
      c.attributes.setParameters(key, input.parameters ?? []);
      c.projects.touch(projectId, now);
      return c.experiments.require(key);
    }, caller, options);
  }

  async end(caller: Caller, input: Port.EndExperimentInput, options?: Port.WriteOptions) {
    return this.#c.touching(caller, options, input.experimentKey, (now) => {
      this.#c.experiments.end(input, now);
      return this.#c.experiments.require(input.experimentKey);
    });
  }

  async archive(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.touching(caller, options, experimentKey, () => {
      this.#c.experiments.archive(experimentKey);
      return this.#c.experiments.require(experimentKey);
    });
  }

  /** Removes the experiment with all its data; children are kept as top-level runs (parent set to null). */
  async delete(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    const c = this.#c;
    // The blobs are queued with the delete and collected after it commits, deciding under the write lock
    // (blob-gc.ts): another process may be storing the same bytes right now.
    c.touching(caller, options, experimentKey, () => {
      c.blobGc.enqueueOf(experimentKey);
      c.experiments.delete(experimentKey);
    });
    c.blobGc.collectLater();
  }

  async update(caller: Caller, input: Port.UpdateExperimentInput, options?: Port.WriteOptions) {
    const name = typeof input.name === 'string' && input.name.trim() !== '' ? requireName('name', input.name) : null;
    return this.#c.touching(caller, options, input.experimentKey, () => {
      if (input.name !== undefined) this.#c.lifecycle.rename(input.experimentKey, name);
      return this.#c.experiments.require(input.experimentKey);
    });
  }

  async restore(caller: Caller, experimentKey: string, options?: Port.WriteOptions) {
    return this.#c.touching(caller, options, experimentKey, () => {
      this.#c.lifecycle.restore(experimentKey);
      return this.#c.experiments.require(experimentKey);
    });
  }
}
