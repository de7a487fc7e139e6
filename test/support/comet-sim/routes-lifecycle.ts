/** Project update and delete, and asset delete (§5 "Projects and workspaces", "Deleting data"). */
import { requireExperiment, requireProject } from './access';
import { Limits, Path } from './constants';
import { badRequest, notFound } from './errors';
import { saved, type Route } from './route';
import { decodeObject, decodeQuery, optional, qRequired } from './validate';

/** `{projectId}` or `{workspaceName, projectName}` (§5). */
const PROJECT_REF = { projectId: optional('string'), workspaceName: optional('string'), projectName: optional('string') } as const;

export const lifecycleRoutes: readonly Route[] = [
  {
    method: 'POST', name: Path.writeProjectUpdate, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...PROJECT_REF, newProjectName: optional('string'), newProjectDescription: optional('string'), isPublic: optional('boolean') }, Path.writeProjectUpdate);
      const project = requireProject(req, b, Path.writeProjectUpdate);
      if (b.newProjectName !== undefined && b.newProjectName !== project.projectName) {
        if (b.newProjectName === '' || b.newProjectName.length > Limits.PROJECT_NAME_MAX_CHARS) throw badRequest(`${Path.writeProjectUpdate}: bad project name`);
        if (req.state.findProject(project.workspaceName, b.newProjectName)) throw badRequest(`${Path.writeProjectUpdate}: project '${b.newProjectName}' already exists`);
        project.projectName = b.newProjectName;
      }
      if (b.newProjectDescription !== undefined) project.projectDescription = b.newProjectDescription;
      if (b.isPublic !== undefined) project.isPublic = b.isPublic;
      project.lastUpdated = Date.now();
      return saved();
    },
  },
  {
    method: 'POST', name: Path.writeProjectDelete, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...PROJECT_REF, deleteAllExperiments: optional('boolean') }, Path.writeProjectDelete);
      const project = requireProject(req, b, Path.writeProjectDelete);
      const runs = req.state.experimentsOf(project.projectId);
      // What Comet does with the runs of a project deleted without `deleteAllExperiments` is not documented:
      // the sim refuses rather than leave runs without a project.
      if (runs.length > 0 && b.deleteAllExperiments !== true) throw badRequest(`${Path.writeProjectDelete}: project holds experiments; set deleteAllExperiments`);
      for (const e of runs) req.state.deleteExperiment(e);
      req.state.projects.delete(project.projectId);
      return saved();
    },
  },
  {
    method: 'GET', name: Path.writeAssetDelete, body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { experimentKey: qRequired('string'), assetId: qRequired('string') }, Path.writeAssetDelete);
      const e = requireExperiment(req, q.experimentKey, 'write');
      const before = e.assets.length;
      e.assets = e.assets.filter((a) => a.assetId !== q.assetId);
      if (e.assets.length === before) throw notFound(`${Path.writeAssetDelete}: no asset '${q.assetId}'`);
      for (const m of e.models) m.assetIds = m.assetIds.filter((id) => id !== q.assetId);
      req.state.touch(e);
      return saved();
    },
  },
];
