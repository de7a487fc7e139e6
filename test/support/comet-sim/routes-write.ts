/** Experiment lifecycle, logging and project writes (§5). JSON POST unless the reference says GET. */
import { requireExperiment, requireWorkspace } from './access';
import { HEARTBEAT, Limits, Path, SdkErrorCode } from './constants';
import { CometSimError, badRequest } from './errors';
import { METRIC_FIELDS, metricPoint, valueEntry } from './points';
import { json, saved, type Route, type SimRequest } from './route';
import type { ExperimentRecord } from './types';
import { decodeObject, decodeQuery, optional, qRequired, required } from './validate';

const KEY_QUERY = { experimentKey: qRequired('string') } as const;

/** The experiment named by `?experimentKey=` of a GET mutation. */
function fromQuery(req: SimRequest, where: string): ExperimentRecord {
  return requireExperiment(req, decodeQuery(req.query, KEY_QUERY, where).experimentKey, 'write');
}

function checkProjectName(name: string, where: string): string {
  if (name === '') throw new CometSimError(400, `${where}: no project name specified`, SdkErrorCode.NO_PROJECT_NAME);
  if (name.length > Limits.PROJECT_NAME_MAX_CHARS) {
    throw badRequest(`${where}: project name must be under 100 characters, got ${name.length}`);
  }
  return name;
}

export const writeRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.writeExperimentCreate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        workspaceName: required('string'),
        projectName: required('string'),
        experimentName: optional('string'),
        disableHeartBeat: optional('boolean'), // sent by Java (§5)
      }, Path.writeExperimentCreate);
      const ws = requireWorkspace(req, b.workspaceName);
      const projectName = checkProjectName(b.projectName, Path.writeExperimentCreate);
      // Creating an experiment in a new project creates the project, as the SDKs rely on.
      const project = req.state.findProject(ws, projectName) ?? req.state.createProject(ws, projectName, req.key.userName);
      const e = req.state.createExperiment(project, b.experimentName ?? null, req.key.userName);
      return json({
        experimentKey: e.experimentKey,
        workspaceName: ws,
        projectName,
        link: `${req.origin}/${ws}/${projectName}/${e.experimentKey}`,
        name: e.experimentName,
      });
    },
  },
  {
    method: 'GET',
    name: Path.writeSetStatus,
    body: 'none',
    handle: (req) => {
      const e = fromQuery(req, Path.writeSetStatus);
      e.running = true;
      req.state.touch(e);
      return json(HEARTBEAT);
    },
  },
  {
    method: 'GET',
    name: Path.writeStop,
    body: 'none',
    handle: (req) => {
      fromQuery(req, Path.writeStop); // asks a running SDK process to stop; changes nothing stored (§5)
      return json({ msg: 'Stop Requested' });
    },
  },
  {
    method: 'POST',
    name: Path.writeSetStartEndTime,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experimentKey: required('string'),
        startTimeMillis: optional('integer'),
        endTimeMillis: optional('integer'),
      }, Path.writeSetStartEndTime);
      if (b.startTimeMillis === undefined && b.endTimeMillis === undefined) {
        throw badRequest(`${Path.writeSetStartEndTime}: give startTimeMillis, endTimeMillis or both`);
      }
      const e = requireExperiment(req, b.experimentKey, 'write');
      if (b.startTimeMillis !== undefined) e.startTimeMillis = b.startTimeMillis;
      if (b.endTimeMillis !== undefined) {
        e.endTimeMillis = b.endTimeMillis;
        e.running = false; // ending stops the heartbeat (Java `end()`, §5)
      }
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.writeUpdateStatus,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experimentKey: required('string'),
        isAlive: required('boolean'),
        error: optional('string'),
        hasCrashed: optional('boolean'),
      }, Path.writeUpdateStatus);
      const e = requireExperiment(req, b.experimentKey, 'write');
      e.running = b.isAlive;
      if (b.hasCrashed !== undefined) e.hasCrashed = b.hasCrashed;
      if (b.error !== undefined) e.error = b.error;
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'GET',
    name: Path.writeArchive,
    body: 'none',
    handle: (req) => {
      const e = fromQuery(req, Path.writeArchive);
      e.archived = true;
      req.state.touch(e);
      return json({ msg: 'Archived' });
    },
  },
  {
    // Restore's and delete's answers were not seen: the standard write envelope is assumed.
    method: 'GET',
    name: Path.writeRestore,
    body: 'none',
    handle: (req) => {
      const e = fromQuery(req, Path.writeRestore);
      e.archived = false;
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'GET',
    name: Path.writeDelete,
    body: 'none',
    handle: (req) => {
      req.state.deleteExperiment(fromQuery(req, Path.writeDelete));
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.writeMetric,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { experimentKey: required('string'), ...METRIC_FIELDS }, Path.writeMetric);
      const e = requireExperiment(req, b.experimentKey, 'write');
      req.state.addMetricPoints(e, [metricPoint(b, Path.writeMetric, Date.now())]);
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.writeParameter,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experimentKey: required('string'),
        parameterName: required('string'),
        parameterValue: required('scalar'),
        step: optional('integer'),
        timestamp: optional('integer'),
        context: optional('string'), // Java only (§5)
      }, Path.writeParameter);
      const e = requireExperiment(req, b.experimentKey, 'write');
      req.state.addParameters(e, [valueEntry(b.parameterName, b.parameterValue, b, Path.writeParameter, Date.now())]);
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.writeLogOther,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experimentKey: required('string'),
        key: required('string'),
        value: required('scalar'),
        timestamp: optional('integer'),
      }, Path.writeLogOther);
      const e = requireExperiment(req, b.experimentKey, 'write');
      req.state.addOthers(e, [valueEntry(b.key, b.value, b, Path.writeLogOther, Date.now())]);
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.writeTags,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { experimentKey: required('string'), addedTags: required('stringArray') }, Path.writeTags);
      if (b.addedTags.some((t) => t === '')) throw badRequest(`${Path.writeTags}: tags must not be empty`);
      req.state.addTags(requireExperiment(req, b.experimentKey, 'write'), b.addedTags);
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.writeProjectCreate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        workspaceName: required('string'),
        projectName: required('string'),
        projectDescription: optional('string'),
        isPublic: optional('boolean'),
      }, Path.writeProjectCreate);
      const ws = requireWorkspace(req, b.workspaceName);
      const name = checkProjectName(b.projectName, Path.writeProjectCreate);
      if (req.state.findProject(ws, name) !== undefined) {
        throw badRequest(`${Path.writeProjectCreate}: project '${name}' already exists in workspace '${ws}'`);
      }
      req.state.createProject(ws, name, req.key.userName, b.projectDescription ?? '', b.isPublic ?? false);
      // The answer's shape was not seen; the standard write envelope is assumed (read the project back).
      return saved();
    },
  },
];
