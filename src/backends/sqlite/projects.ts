/** The projects port on SQLite: workspaces exist through the projects in them. */
import type * as Port from '../port';
import type { SqliteContext } from './context';

type Caller = Port.Caller;

export class SqliteProjects implements Port.ProjectsPort {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async listWorkspaces(_caller: Caller) {
    return this.#c.projects.listWorkspaces();
  }

  async getWorkspaces(_caller: Caller, names: readonly string[]) {
    return this.#c.projects.getWorkspaces(names);
  }

  async get(_caller: Caller, refs: readonly Port.ProjectRef[]) {
    return this.#c.projects.getProjects(refs);
  }

  async list(_caller: Caller, workspace: string, page: Port.PageRequest) {
    return this.#c.read(() => this.#c.projects.listProjects(workspace, page));
  }

  async create(caller: Caller, input: Port.CreateProjectInput, options?: Port.WriteOptions) {
    return this.#c.write(() => this.#c.projects.createProject(input, this.#c.now()), caller, options);
  }

  async update(caller: Caller, input: Port.UpdateProjectInput, options?: Port.WriteOptions) {
    const c = this.#c;
    return c.write(() => {
      const ref = c.lifecycle.updateProject(input, c.now());
      return c.projects.getProjects([ref])[0] as Port.Project;
    }, caller, options);
  }

  async delete(caller: Caller, input: Port.DeleteProjectInput, options?: Port.WriteOptions) {
    const c = this.#c;
    const result = c.write(() => ({ deletedExperiments: c.lifecycle.deleteProject(input) }), caller, options);
    c.blobGc.collectLater();
    return result;
  }
}
