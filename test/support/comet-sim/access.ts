/**
 * Access checks in Comet's terms. A key sees only the workspaces bound to it.
 *
 * - Unknown workspace: 400 with 90219 "non-existing team / workspace" (§1).
 * - Another key's workspace, project or experiment: **403** with 90210 "no write access". The reference has
 *   403 as a JSON error Java parses, "probably no access to the workspace" [R/I], and 90210 is the only
 *   access-related sdk_error_code it lists (§1, §8). Chosen over 400 so a client can tell "not yours" from
 *   "malformed"; an adapter should treat both 400 and 403 with an sdk_error_code as a refusal.
 * - Unknown experiment: 404 with 90211 on reads (newer backends answer 404, §3 "experiment/metadata"),
 *   400 with 90211 on writes (the reference lists 400 "unknown experiment on older backends", §8; a write
 *   naming a run that does not exist is a validation error). An adapter must handle both.
 */
import { SdkErrorCode } from './constants';
import { CometSimError, badRequest, forbidden, notFound } from './errors';
import type { SimRequest } from './route';
import type { ExperimentRecord, ProjectRecord } from './types';

export type AccessMode = 'read' | 'write';

export function requireWorkspace(req: SimRequest, workspaceName: string): string {
  if (!req.state.workspaces.has(workspaceName)) {
    throw badRequest(`non-existing team / workspace '${workspaceName}'`, SdkErrorCode.NO_SUCH_WORKSPACE);
  }
  if (!req.key.workspaces.includes(workspaceName)) throw forbidden(`no access to workspace '${workspaceName}'`);
  return workspaceName;
}

export function requireExperiment(req: SimRequest, experimentKey: string, mode: AccessMode): ExperimentRecord {
  const experiment = req.state.experiments.get(experimentKey);
  if (experiment === undefined) {
    const msg = `non-existing run: no experiment with key '${experimentKey}'`;
    throw mode === 'read' ? notFound(msg, SdkErrorCode.NO_SUCH_RUN) : badRequest(msg, SdkErrorCode.NO_SUCH_RUN);
  }
  if (!req.key.workspaces.includes(req.state.workspaceOf(experiment))) {
    throw forbidden(`no access to experiment '${experimentKey}'`);
  }
  return experiment;
}

export interface ProjectRef {
  projectId?: string;
  workspaceName?: string;
  projectName?: string;
}

/**
 * Resolves `projectId` **or** `workspaceName` + `projectName` (§3): both forms at once, or neither, is a 400.
 * A missing project is 404 (§3 "project").
 */
export function requireProject(req: SimRequest, ref: ProjectRef, where: string): ProjectRecord {
  const byName = ref.workspaceName !== undefined || ref.projectName !== undefined;
  if (ref.projectId !== undefined) {
    if (byName) throw badRequest(`${where}: give projectId or workspaceName+projectName, not both`);
    const project = req.state.projects.get(ref.projectId);
    if (project === undefined) throw notFound(`${where}: no project with id '${ref.projectId}'`);
    if (!req.key.workspaces.includes(project.workspaceName)) throw forbidden(`no access to project '${ref.projectId}'`);
    return project;
  }
  if (ref.workspaceName === undefined) {
    throw badRequest(`${where}: give projectId or workspaceName+projectName`);
  }
  if (ref.projectName === undefined) {
    throw new CometSimError(400, `${where}: no project name specified`, SdkErrorCode.NO_PROJECT_NAME);
  }
  requireWorkspace(req, ref.workspaceName);
  const project = req.state.findProject(ref.workspaceName, ref.projectName);
  if (project === undefined) {
    throw notFound(`${where}: no project '${ref.projectName}' in workspace '${ref.workspaceName}'`);
  }
  return project;
}
