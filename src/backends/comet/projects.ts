/** The projects port on Comet: workspaces are the key's teams. */
import type * as Port from '../port';
import { deleteProject, updateProject } from './lifecycle';
import type { CometContext } from './context';
import { getProjects, getWorkspaces, listProjects, listWorkspaces } from './project-reads';
import * as writes from './writes';

type Caller = Port.Caller;

export class CometProjects implements Port.ProjectsPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async listWorkspaces(caller: Caller) {
    return listWorkspaces(this.#c.api(caller));
  }

  async getWorkspaces(caller: Caller, names: readonly string[]) {
    return getWorkspaces(this.#c.api(caller), names);
  }

  async get(caller: Caller, refs: readonly Port.ProjectRef[]) {
    return getProjects(this.#c.api(caller), refs);
  }

  async list(caller: Caller, workspace: string, page: Port.PageRequest) {
    return listProjects(this.#c.api(caller), workspace, page);
  }

  async create(caller: Caller, input: Port.CreateProjectInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => writes.createProject(this.#c.api(caller), input));
  }

  async update(caller: Caller, input: Port.UpdateProjectInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => updateProject(this.#c.api(caller), input));
  }

  async delete(caller: Caller, input: Port.DeleteProjectInput, options?: Port.WriteOptions) {
    return this.#c.once(caller, options, () => deleteProject(this.#c.api(caller), input));
  }
}
