/**
 * The details port on Comet (comet-run-details.md): reads in detail-reads.ts; writes here, each on its own
 * `write/...` endpoint, checked whole before the first call, and made at most once per idempotency claim.
 * A run's details are several endpoints on Comet, so an update that changes several parts is several
 * calls, in a fixed order with the one that appends (HTML) last: a failure part-way leaves the parts before
 * it written, and a retry with the same idempotency key writes them again to the same values.
 */
import { Readable } from 'node:stream';
import { BadUserInputError, NotFoundError } from '../../errors';
import type * as Port from '../port';
import { MAX_CURVES } from '../port';
import { checkCurve, checkNotes, checkOutputLines, checkUpdate, requireKey } from '../shared/details-input';
import { orNull, type CometApi } from './api';
import type { CometContext } from './context';
import { columnSource, decodeText } from './decode-details';
import { getCurves, getDetails, getOutput, outputLines, partCacheKey } from './detail-reads';
import { Route } from './protocol';
import { putAsset } from './upload';
import { requireMeta } from './writes';

type Caller = Port.Caller;

export const COMET_DETAILS_CAPABILITIES: Port.DetailsCapabilities = Object.freeze({ supported: true, outputStreams: false, dependencies: false });

export class CometDetails implements Port.DetailsPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async get(caller: Caller, keys: readonly string[], options?: Port.DetailReadOptions) {
    return getDetails(this.#c.api(caller, options), keys, options?.parts);
  }

  async output(caller: Caller, requests: readonly Port.OutputPageRequest[], options?: Port.ReadOptions) {
    return getOutput(this.#c.api(caller, options), requests);
  }

  async curves(caller: Caller, keys: readonly string[], options?: Port.ReadOptions) {
    return getCurves(this.#c.api(caller, options), keys);
  }

  async projectNotes(caller: Caller, refs: readonly Port.ProjectRef[]) {
    const api = this.#c.api(caller);
    return Promise.all(refs.map(async (ref) => {
      const project = await api.project(ref.workspace, ref.name);
      if (!project) return null;
      const json = await orNull(api.get(Route.projectNotes, { projectId: project.id }));
      return json === null ? null : decodeText(json, 'notes', Route.projectNotes);
    }));
  }

  async projectColumns(caller: Caller, refs: readonly Port.ProjectRef[]) {
    const api = this.#c.api(caller);
    return Promise.all(refs.map(async (ref) => {
      const columns = await api.columns(ref.workspace, ref.name, false);
      return columns
        .map((c) => ({ name: c.name, source: columnSource(c.source), type: c.type }))
        .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }));
  }

  async update(caller: Caller, input: Port.UpdateRunDetailsInput, options?: Port.WriteOptions) {
    const checked = checkUpdate(input);
    const api = this.#c.api(caller);
    await this.#c.once(caller, options, async () => {
      const key = (await requireMeta(api, checked.experimentKey)).key;
      const post = (route: (typeof Route)[keyof typeof Route], json: unknown) =>
        api.call({ method: 'POST', route, idempotent: true, json });
      if (checked.code != null) await post(Route.writeCode, { experimentKey: key, code: checked.code });
      if (checked.modelGraph != null) await post(Route.writeGraph, { experimentKey: key, graph: checked.modelGraph });
      if (checked.systemDetails != null) await post(Route.writeSystemDetails, { experimentKey: key, ...systemDetailsBody(checked.systemDetails) });
      if (checked.git != null) {
        const g = checked.git;
        await post(Route.writeGitMetadata, { experimentKey: key, user: g.user, root: g.root, branch: g.branch, parent: g.commit, origin: g.origin });
      }
      if (checked.dependencies != null) {
        await api.call({ method: 'PUT', route: Route.writeDependencies, idempotent: true, json: { experimentKey: key, timestamp: this.#c.now(), logDependencies: checked.dependencies } });
      }
      if (checked.html != null) {
        const override = checked.htmlMode !== 'APPEND';
        await api.call({ method: 'POST', route: Route.writeHtml, idempotent: override, json: { experimentKey: key, html: checked.html, override, timestamp: this.#c.now() } });
      }
      await api.cache.delete(['code', 'modelGraph', 'systemDetails', 'git', 'html'].map((p) => partCacheKey(p as Port.DetailPart, key)));
      return null;
    });
  }

  /** One request with every line, so Comet stores all of them or none (the SDK's 500-line batches would not). */
  async appendOutput(caller: Caller, experimentKey: string, lines: readonly Port.OutputLineInput[], options?: Port.WriteOptions) {
    const key = requireKey(experimentKey);
    const checked = checkOutputLines(lines);
    const api = this.#c.api(caller);
    return this.#c.once(caller, options, async () => {
      await requireMeta(api, key);
      const start = ((await outputLines(this.#c.api(caller, { fresh: true }), key)) ?? []).length;
      const now = this.#c.now();
      await api.call({
        method: 'POST', route: Route.writeOutput, idempotent: false,
        json: {
          experimentKey: key, runContext: null,
          outputLines: checked.map((l, i) => ({ output: `${l.text}\n`, stderr: l.stream === 'STDERR', localTimestamp: l.timestamp ?? now, offset: start + i })),
        },
      });
      await api.cache.delete([partCacheKey('output', key)]);
      return { accepted: checked.length, status: 'ACCEPTED' as const };
    });
  }

  /** An asset of type `curve` holding JSON `{x, y, name}`, as the SDK's `log_curve` uploads it. */
  async logCurve(caller: Caller, input: Port.LogCurveInput, options?: Port.WriteOptions) {
    const checked = checkCurve(input);
    const api = this.#c.api(caller);
    await this.#c.once(caller, options, async () => {
      const count = (await api.assets(checked.experimentKey)).filter((a) => a.type === 'curve').length;
      if (count >= MAX_CURVES) throw new BadUserInputError(`An experiment holds at most ${MAX_CURVES} curves`, { field: 'name', max: MAX_CURVES });
      const bytes = Buffer.from(JSON.stringify({ x: checked.x, y: checked.y, name: checked.name }));
      await putAsset(api, { experimentKey: checked.experimentKey, fileName: checked.name, type: 'curve', step: checked.step, maxBytes: bytes.length }, Readable.from([bytes]), this.#c.now());
      return null;
    });
  }

  async setProjectNotes(caller: Caller, ref: Port.ProjectRef, notes: string, options?: Port.WriteOptions) {
    const text = checkNotes(notes);
    const api = this.#c.api(caller);
    await this.#c.once(caller, options, async () => {
      const project = await requireProject(api, ref);
      await api.call({ method: 'POST', route: Route.writeProjectNotes, idempotent: true, json: { projectId: project.id, notes: text } });
      return null;
    });
  }
}

async function requireProject(api: CometApi, ref: Port.ProjectRef) {
  const project = await api.project(ref.workspace, ref.name);
  if (!project) throw new NotFoundError(`Project '${ref.workspace}/${ref.name}' does not exist`);
  return project;
}

/** The port's system-details fields under Comet's names; fields not given are not sent (partial update, §5). */
function systemDetailsBody(s: Port.SystemDetailsInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    hostname: s.hostname, user: s.user, os: s.os, osType: s.osType, osRelease: s.osRelease, pid: s.pid, command: s.command,
    executable: s.executable, pythonVersion: s.pythonVersion, totalRam: s.totalRam, installedPackages: s.installedPackages, osPackages: s.osPackages,
    gpuStaticInfoList: s.gpus?.map((g) => ({ gpuIndex: g.index, name: g.name, uuid: g.uuid, totalMemory: g.totalMemory })),
    logAdditionalSystemInfoList: s.additional?.map((kv) => ({ key: kv.key, value: kv.value })),
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null));
}
