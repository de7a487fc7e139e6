/** Reads of workspaces, projects and experiment data other than metrics (§3). All unpaginated (§8). */
import { requireExperiment, requireProject, requireWorkspace } from './access';
import { Path } from './constants';
import { json, type Route } from './route';
import { experimentMeta, projectJson } from './shapes';
import { summariseEntries } from './summaries';
import { decodeQuery, qOptional, qRequired } from './validate';

const EXPERIMENT_QUERY = { experimentKey: qRequired('string') } as const;
const PROJECT_QUERY = {
  projectId: qOptional('string'),
  workspaceName: qOptional('string'),
  projectName: qOptional('string'),
} as const;

export const readRoutes: readonly Route[] = [
  {
    method: 'GET',
    name: Path.workspaces,
    body: 'none',
    handle: (req) => {
      decodeQuery(req.query, {}, Path.workspaces);
      return json({ workspaceNames: req.key.workspaces });
    },
  },
  {
    method: 'GET',
    name: Path.accountDetails,
    body: 'none',
    handle: (req) => {
      decodeQuery(req.query, {}, Path.accountDetails);
      return json({ userName: req.key.userName, defaultWorkspaceName: req.key.defaultWorkspace });
    },
  },
  {
    method: 'GET',
    name: Path.projects,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { workspaceName: qRequired('string') }, Path.projects);
      const ws = requireWorkspace(req, q.workspaceName);
      return json({ projects: req.state.projectsOf(ws).map((p) => projectJson(req.state, p)) });
    },
  },
  {
    method: 'GET',
    name: Path.project,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, PROJECT_QUERY, Path.project);
      return json(projectJson(req.state, requireProject(req, q, Path.project)));
    },
  },
  {
    method: 'GET',
    name: Path.experiments,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { ...PROJECT_QUERY, archived: qOptional('boolean') }, Path.experiments);
      const project = requireProject(req, q, Path.experiments);
      // `archived=true` lists only archived experiments, `false` only live ones. Without the parameter both
      // come back: older Python filtered on the returned `archived` flag itself (§3), so a client must not
      // count on the server doing it. The adapter should always send `archived`.
      const experiments = req.state.experimentsOf(project.projectId, q.archived);
      return json({ experiments: experiments.map((e) => experimentMeta(req.state, e)) });
    },
  },
  {
    method: 'GET',
    name: Path.experimentMetadata,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, EXPERIMENT_QUERY, Path.experimentMetadata);
      return json(experimentMeta(req.state, requireExperiment(req, q.experimentKey, 'read')));
    },
  },
  {
    method: 'GET',
    name: Path.parameters,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, EXPERIMENT_QUERY, Path.parameters);
      const experiment = requireExperiment(req, q.experimentKey, 'read');
      return json({ values: summariseEntries(experiment.parameters) });
    },
  },
  {
    method: 'GET',
    name: Path.logOther,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, EXPERIMENT_QUERY, Path.logOther);
      const experiment = requireExperiment(req, q.experimentKey, 'read');
      return json({ values: summariseEntries(experiment.others) });
    },
  },
  {
    method: 'GET',
    name: Path.tags,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, EXPERIMENT_QUERY, Path.tags);
      return json({ tags: [...requireExperiment(req, q.experimentKey, 'read').tags] });
    },
  },
];
