/**
 * Who may subscribe to what, decided once, when the subscription starts: the same reads the HTTP API would
 * make for the caller, so whatever a backend hides from a key (Comet scopes reads to the key's workspaces;
 * SQLite's API keys do, in src/auth/scoped-backend.ts) it hides from that key's subscriptions too. A backend's own error (UNAUTHENTICATED,
 * FORBIDDEN, UPSTREAM_UNAVAILABLE) reaches the subscriber as it is.
 */
import type { Caller, Domains, Experiment, Project, Workspace } from '../backends/port';
import { NotFoundError } from '../errors';

export class LiveAccess {
  constructor(private readonly port: { experiments: Pick<Domains['experiments'], 'get'>; projects: Pick<Domains['projects'], 'get' | 'getWorkspaces'> }) {}

  async experiment(caller: Caller, experimentKey: string): Promise<Experiment> {
    const [experiment] = await this.port.experiments.get(caller, [experimentKey]);
    if (experiment instanceof Error) throw experiment;
    if (!experiment) throw new NotFoundError(`No experiment with key '${experimentKey}'`, { field: 'experimentKey' });
    return experiment;
  }

  async workspace(caller: Caller, name: string): Promise<Workspace> {
    const [workspace] = await this.port.projects.getWorkspaces(caller, [name]);
    if (workspace instanceof Error) throw workspace;
    if (!workspace) throw new NotFoundError(`No workspace '${name}'`, { field: 'workspace' });
    return workspace;
  }

  async project(caller: Caller, workspace: string, name: string): Promise<Project> {
    const [project] = await this.port.projects.get(caller, [{ workspace, name }]);
    if (project instanceof Error) throw project;
    if (!project) throw new NotFoundError(`No project '${name}' in workspace '${workspace}'`, { field: 'project' });
    return project;
  }
}
