/** The projects port on MLflow: one workspace per server; a project is an MLflow experiment, by name. */
import { BadUserInputError, NotFoundError, isTrackqlError } from '../../errors';
import { slicePage } from '../comet/cursor';
import type * as Port from '../port';
import type { KeyValue, MlflowApi } from './api';
import type { MlflowContext } from './context';
import type { MlflowExperiment } from './decode';
import { fitsTag, setExperimentTags } from './experiment-tags';
import { GatewayTag, Limits, Tag } from './protocol';
import { isGone } from './runs';

type Caller = Port.Caller;

const CURSOR_KIND = 'mp';

/** The MLflow experiment named `name`, made when missing (SDKs log to new projects); a lost race reads the winner's. */
export async function projectFor(api: MlflowApi, name: string): Promise<MlflowExperiment> {
  const checked = checkProjectName(name);
  const found = await api.experimentByName(checked);
  if (found && found.lifecycleStage === 'active') return found;
  try {
    await api.createExperiment(checked, []);
  } catch (error) {
    if (!(isTrackqlError(error) && error.extensions.reason === 'ALREADY_EXISTS')) throw error;
  }
  const made = await api.experimentByName(checked);
  if (!made) throw new BadUserInputError(`MLflow did not keep the experiment '${checked}'`);
  return made;
}

function checkProjectName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > Limits.EXPERIMENT_NAME_MAX_CHARS) {
    throw new BadUserInputError(`project must be a non-empty string of at most ${Limits.EXPERIMENT_NAME_MAX_CHARS} characters`, { field: 'project' });
  }
  return name;
}

export class MlflowProjects implements Port.ProjectsPort {
  readonly #c: MlflowContext;

  constructor(context: MlflowContext) {
    this.#c = context;
  }

  async listWorkspaces(_caller: Caller) {
    return [{ name: this.#c.workspace, createdAt: null }];
  }

  async getWorkspaces(_caller: Caller, names: readonly string[]) {
    return names.map((name) => (name === this.#c.workspace ? { name, createdAt: null } : null));
  }

  async get(caller: Caller, refs: readonly Port.ProjectRef[]) {
    const api = this.#c.api(caller);
    const names = [...new Set(refs.filter((r) => r.workspace === this.#c.workspace).map((r) => r.name))];
    const found = new Map<string, Port.Project | null>();
    await Promise.all(names.map(async (name) => {
      const e = name.trim() === '' ? null : await api.experimentByName(name);
      found.set(name, e && e.lifecycleStage === 'active' ? await this.#project(api, e) : null);
    }));
    return refs.map((r) => {
      const p = r.workspace === this.#c.workspace ? found.get(r.name) : null;
      return p ? { ...p } : null;
    });
  }

  async list(caller: Caller, workspace: string, page: Port.PageRequest) {
    const api = this.#c.api(caller);
    const all = workspace === this.#c.workspace ? await api.experiments('ACTIVE_ONLY') : [];
    const sliced = slicePage(CURSOR_KIND, all, page, (e) => e.experimentId);
    return { ...sliced, items: await Promise.all(sliced.items.map((e) => this.#project(api, e))) };
  }

  async create(caller: Caller, input: Port.CreateProjectInput, options?: Port.WriteOptions) {
    this.#c.checkWorkspace(input.workspace);
    const name = checkProjectName(input.name);
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const tags: KeyValue[] = [{ key: GatewayTag.isPublic, value: String(input.isPublic === true) }];
      if (input.description) tags.push({ key: Tag.note, value: input.description });
      await api.createExperiment(name, tags);
      const made = await api.experimentByName(name);
      if (!made) throw new BadUserInputError(`MLflow did not keep the experiment '${name}'`);
      return this.#project(api, made);
    });
  }

  /**
   * A rename is `experiments/update`; the description (`mlflow.note.content`, also the project's notes) and
   * `isPublic` are experiment tags, set after it with `set-experiment-tag` (§3). All is checked first, and the
   * rename goes first, so a taken name changes nothing.
   */
  async update(caller: Caller, input: Port.UpdateProjectInput, options?: Port.WriteOptions) {
    this.#c.checkWorkspace(input.workspace);
    const newName = input.newName == null ? null : checkProjectName(input.newName);
    const tags: KeyValue[] = [];
    if (input.description != null) tags.push({ key: Tag.note, value: fitsTag(input.description, 'description') });
    if (input.isPublic != null) tags.push({ key: GatewayTag.isPublic, value: String(input.isPublic === true) });
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const current = await this.#existing(api, input.name);
      if (newName !== null && newName !== current.name) await api.renameExperiment(current.experimentId, newName);
      if (tags.length > 0) await setExperimentTags(api, this.#c.parts.cache, current.experimentId, tags);
      return this.#project(api, await this.#existing(api, newName ?? current.name));
    });
  }

  /** MLflow soft-deletes the experiment with its runs; a non-empty one needs `force`, as on every backend. */
  async delete(caller: Caller, input: Port.DeleteProjectInput, options?: Port.WriteOptions) {
    this.#c.checkWorkspace(input.workspace);
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const e = await this.#existing(api, input.name);
      const all = (await api.searchRuns([e.experimentId], '', 'ALL')).filter((run) => !isGone(run));
      const runs = all.length;
      if (runs > 0 && !input.force) {
        throw new BadUserInputError(`Project '${input.workspace}/${input.name}' holds ${runs} experiments: delete them first, or pass force: true`, { reason: 'NOT_EMPTY', experiments: runs });
      }
      // Each run is marked deleted as `deleteExperiment` marks it, then MLflow soft-deletes the experiment with its runs.
      for (const run of all) await api.markRunDeleted(run);
      await api.deleteExperiment(e.experimentId);
      return { deletedExperiments: runs };
    });
  }

  async #existing(api: MlflowApi, name: string): Promise<MlflowExperiment> {
    const found = await api.experimentByName(checkProjectName(name));
    if (!found || found.lifecycleStage !== 'active') throw new NotFoundError(`Project '${this.#c.workspace}/${name}' does not exist`);
    return found;
  }

  /** One search of the experiment's active runs counts them (those deleted through the gateway left out). */
  async #project(api: MlflowApi, e: MlflowExperiment): Promise<Port.Project> {
    const runs = await api.searchRuns([e.experimentId], '', 'ACTIVE_ONLY');
    return {
      id: e.experimentId,
      workspace: this.#c.workspace,
      name: e.name,
      description: e.tags.get(Tag.note) ?? null,
      isPublic: e.tags.get(GatewayTag.isPublic) === 'true',
      createdAt: e.creationTime,
      lastUpdatedAt: e.lastUpdateTime,
      experimentCount: runs.filter((run) => !isGone(run)).length,
    };
  }
}
