/**
 * Run details and project notes (comet-run-details.md, §3 and §5 of comet-rest-v2.md): code, output,
 * system details, git metadata and patch, HTML, model graph, dependencies. Reads are GET with
 * `experimentKey`; writes are JSON POSTs (dependencies: PUT; the git patch: multipart).
 */
import { requireExperiment, requireProject } from './access';
import { Path } from './constants';
import { badRequest } from './errors';
import { json, saved, type Route, type SimRequest } from './route';
import type { ExperimentRecord } from './types';
import { decodeObject, decodeQuery, isObject, optional, qRequired, required, type Spec } from './validate';

const KEY_QUERY = { experimentKey: qRequired('string') } as const;

function reading(req: SimRequest, where: string): ExperimentRecord {
  return requireExperiment(req, decodeQuery(req.query, KEY_QUERY, where).experimentKey, 'read');
}

/** The system-details fields a write may carry (§3 read shape, plus `totalRam`, `usedRam`, `env` from the SDK constants). */
const SYSTEM_FIELDS: Spec = {
  experimentKey: required('string'),
  user: optional('string'), pythonVersion: optional('string'), pythonVersionVerbose: optional('string'), pid: optional('integer'),
  osType: optional('string'), os: optional('string'), osRelease: optional('string'), machine: optional('string'),
  processor: optional('string'), ip: optional('string'), hostname: optional('string'), gpuStaticInfoList: optional('array'),
  logAdditionalSystemInfoList: optional('array'), systemMetricNames: optional('stringArray'), maxTotalMemory: optional('number'),
  networkInterfaceIps: optional('stringArray'), command: optional('stringArray'), executable: optional('string'),
  osPackages: optional('stringArray'), installedPackages: optional('stringArray'), totalRam: optional('number'),
  usedRam: optional('number'), env: optional('array'),
};
const LIST_FIELDS = ['gpuStaticInfoList', 'logAdditionalSystemInfoList', 'systemMetricNames', 'networkInterfaceIps', 'command', 'osPackages', 'installedPackages'];
const SCALAR_FIELDS = ['user', 'pythonVersion', 'pythonVersionVerbose', 'pid', 'osType', 'os', 'osRelease', 'machine', 'processor', 'ip', 'hostname', 'maxTotalMemory', 'executable', 'totalRam'];

function systemDetailsOf(e: ExperimentRecord): Record<string, unknown> {
  const stored = e.details.systemDetails;
  const out: Record<string, unknown> = { experimentKey: e.experimentKey };
  for (const f of SCALAR_FIELDS) out[f] = stored[f] ?? null;
  for (const f of LIST_FIELDS) out[f] = stored[f] ?? [];
  return out;
}

function checkObjects(list: unknown[] | undefined, where: string): void {
  if (list?.some((item) => !isObject(item))) throw badRequest(`${where}: list items must be objects`);
}

/** A simple JSON write: one text field stored whole. */
function textWrite(name: typeof Path.writeCode | typeof Path.writeGraph, field: 'code' | 'graph', store: (e: ExperimentRecord, v: string) => void): Route {
  return {
    method: 'POST', name, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { experimentKey: required('string'), [field]: required('string') }, name);
      const e = requireExperiment(req, b.experimentKey as string, 'write');
      store(e, b[field] as string);
      req.state.touch(e);
      return saved();
    },
  };
}

export const detailRoutes: readonly Route[] = [
  { method: 'GET', name: Path.experimentCode, body: 'none', handle: (req) => json({ code: reading(req, Path.experimentCode).details.code ?? '' }) },
  {
    method: 'GET', name: Path.experimentOutput, body: 'none',
    // The whole log as one string, stdout and stderr interleaved as received (§3).
    handle: (req) => json({ output: reading(req, Path.experimentOutput).details.output.map((l) => l.output).join('') }),
  },
  { method: 'GET', name: Path.systemDetails, body: 'none', handle: (req) => json(systemDetailsOf(reading(req, Path.systemDetails))) },
  {
    method: 'GET', name: Path.gitMetadata, body: 'none',
    handle: (req) => {
      const git = reading(req, Path.gitMetadata).details.gitMetadata;
      return json({ user: git?.user ?? null, root: git?.root ?? null, branch: git?.branch ?? null, parent: git?.parent ?? null, origin: git?.origin ?? null });
    },
  },
  {
    method: 'GET', name: Path.gitPatch, body: 'none',
    // Zip bytes, or a JSON `{"msg"}` body when there is none (§1 "Error shape").
    handle: (req) => {
      const patch = reading(req, Path.gitPatch).details.gitPatch;
      return patch === null ? json({ msg: 'No git patch for this experiment' }) : { kind: 'bytes', body: patch, contentType: 'application/octet-stream' };
    },
  },
  { method: 'GET', name: Path.experimentHtml, body: 'none', handle: (req) => json({ html: reading(req, Path.experimentHtml).details.html ?? '' }) },
  { method: 'GET', name: Path.experimentGraph, body: 'none', handle: (req) => json({ graph: reading(req, Path.experimentGraph).details.graph ?? '' }) },
  {
    method: 'GET', name: Path.projectNotes, body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { projectId: qRequired('string') }, Path.projectNotes);
      return json({ notes: requireProject(req, q, Path.projectNotes).notes });
    },
  },
  textWrite(Path.writeCode, 'code', (e, v) => { e.details.code = v; }),
  textWrite(Path.writeGraph, 'graph', (e, v) => { e.details.graph = v; }),
  {
    method: 'POST', name: Path.writeOutput, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { experimentKey: required('string'), runContext: optional('string'), context: optional('string'), outputLines: required('array') }, Path.writeOutput);
      const lines = b.outputLines.map((line, i) => decodeObject(line, {
        output: required('string'), stderr: optional('boolean'), localTimestamp: optional('integer'), offset: optional('integer'),
      }, `${Path.writeOutput} outputLines[${i}]`));
      const e = requireExperiment(req, b.experimentKey, 'write');
      for (const l of lines) e.details.output.push({ output: l.output, stderr: l.stderr ?? false, localTimestamp: l.localTimestamp ?? null, offset: l.offset ?? null });
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'POST', name: Path.writeSystemDetails, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, SYSTEM_FIELDS, Path.writeSystemDetails) as Record<string, unknown>;
      checkObjects(b.gpuStaticInfoList as unknown[] | undefined, Path.writeSystemDetails);
      checkObjects(b.logAdditionalSystemInfoList as unknown[] | undefined, Path.writeSystemDetails);
      const e = requireExperiment(req, b.experimentKey as string, 'write');
      // Partial updates: the fields sent replace those stored, the others stay (§5).
      const { experimentKey: _key, ...fields } = b;
      Object.assign(e.details.systemDetails, fields);
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'POST', name: Path.writeGitMetadata, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        experimentKey: required('string'), user: optional('string'), root: optional('string'), branch: optional('string'),
        parent: optional('string'), origin: optional('string'),
      }, Path.writeGitMetadata);
      const e = requireExperiment(req, b.experimentKey, 'write');
      e.details.gitMetadata = { user: b.user ?? null, root: b.root ?? null, branch: b.branch ?? null, parent: b.parent ?? null, origin: b.origin ?? null };
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'POST', name: Path.writeGitPatch, body: 'multipart',
    handle: (req) => {
      const e = requireExperiment(req, decodeQuery(req.query, KEY_QUERY, Path.writeGitPatch).experimentKey, 'write');
      const file = req.form?.parts.find((p) => p.name === 'file');
      if (file === undefined) throw badRequest(`${Path.writeGitPatch}: form part 'file' is missing`);
      e.details.gitPatch = Buffer.from(file.data);
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'POST', name: Path.writeHtml, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { experimentKey: required('string'), html: required('string'), override: required('boolean'), timestamp: optional('integer') }, Path.writeHtml);
      const e = requireExperiment(req, b.experimentKey, 'write');
      // `override=false` appends (§5).
      e.details.html = b.override ? b.html : (e.details.html ?? '') + b.html;
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'PUT', name: Path.writeDependencies, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { experimentKey: required('string'), timestamp: optional('integer'), logDependencies: required('array') }, Path.writeDependencies);
      const deps = b.logDependencies.map((d, i) => decodeObject(d, { name: required('string'), version: required('string') }, `${Path.writeDependencies} logDependencies[${i}]`));
      const e = requireExperiment(req, b.experimentKey, 'write');
      // Whether a second call replaces or adds is not documented: the sim replaces.
      e.details.dependencies = deps;
      req.state.touch(e);
      return saved();
    },
  },
  {
    method: 'POST', name: Path.writeProjectNotes, body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { projectId: required('string'), notes: required('string') }, Path.writeProjectNotes);
      const project = requireProject(req, { projectId: b.projectId }, Path.writeProjectNotes);
      project.notes = b.notes;
      project.lastUpdated = Date.now();
      return saved();
    },
  },
];
