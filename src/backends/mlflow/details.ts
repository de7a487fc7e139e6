/**
 * The details port on MLflow. What MLflow has fields for are its system tags (detail-tags.ts), read from
 * the runs a read already fetches and written through the durable outbox as `log-batch` tags, as `others`
 * are. What it has no field for is kept as artifacts under the run's `trackql/` folder (detail-artifacts.ts,
 * detail-output.ts, detail-curves.ts), hidden from asset listings. A project's notes are the experiment's
 * `mlflow.note.content` tag, which MLflow's UI shows as its description. Every write is checked whole
 * before the first call and made at most once per idempotency claim.
 */
import { NotFoundError } from '../../errors';
import type * as Port from '../port';
import { checkCurve, checkNotes, checkOutputLines, checkUpdate, requireKey } from '../shared/details-input';
import type { KeyValue, MlflowApi } from './api';
import { existing } from './attributes';
import type { MlflowContext } from './context';
import type { MlflowRun } from './decode';
import { STORED_FILES, markerKey, requireRoot, writeText, type DetailIo, type StoredPart } from './detail-artifacts';
import { curvesOf, storeCurve } from './detail-curves';
import { appendChunk, outputPage } from './detail-output';
import { detailsOf, storedSystem } from './detail-reads';
import { gitTags, htmlOf, systemTags } from './detail-tags';
import { projectColumns } from './project-columns';
import { fitsTag, setExperimentTags } from './experiment-tags';
import { Tag } from './protocol';
import { liveRuns } from './run-reads';

type Caller = Port.Caller;

// Output lines are stored with their stream and time, and dependencies as a file: both read back whole.
export const MLFLOW_DETAILS_CAPABILITIES: Port.DetailsCapabilities = Object.freeze({ supported: true, outputStreams: true, dependencies: true });

/** Fields of stored system details that hold something, for the `trackql.detail.system` marker. */
function presentFields(stored: Port.SystemDetailsInput): string {
  return Object.entries(stored).filter(([, v]) => v != null && !(Array.isArray(v) && v.length === 0)).map(([k]) => k).sort().join(',');
}

export class MlflowDetails implements Port.DetailsPort {
  readonly #c: MlflowContext;

  constructor(context: MlflowContext) {
    this.#c = context;
  }

  #io(api: MlflowApi): DetailIo {
    return { api, http: this.#c.parts.http };
  }

  async get(caller: Caller, keys: readonly string[], options?: Port.DetailReadOptions) {
    const api = this.#c.api(caller, options);
    const runs = await liveRuns(api, keys);
    const read = new Map<string, Promise<Port.RunDetails | Error>>();
    for (const run of runs.values()) read.set(run.runId, detailsOf(this.#io(api), run, options?.parts).catch((error: Error) => error));
    return Promise.all(keys.map(async (key) => (await read.get(key)) ?? null));
  }

  async output(caller: Caller, requests: readonly Port.OutputPageRequest[], options?: Port.ReadOptions) {
    const api = this.#c.api(caller, options);
    const runs = await liveRuns(api, requests.map((r) => r.experimentKey));
    return Promise.all(requests.map((r) => outputPage(this.#io(api), runs.get(r.experimentKey), r).catch((error: Error) => error)));
  }

  async curves(caller: Caller, keys: readonly string[], options?: Port.ReadOptions) {
    const api = this.#c.api(caller, options);
    const runs = await liveRuns(api, keys);
    const read = new Map<string, Promise<Port.Curve[] | Error>>();
    for (const run of runs.values()) read.set(run.runId, curvesOf(this.#io(api), run).catch((error: Error) => error));
    return Promise.all(keys.map(async (key) => (await read.get(key)) ?? []));
  }

  async projectNotes(caller: Caller, refs: readonly Port.ProjectRef[]) {
    const api = this.#c.api(caller);
    return Promise.all(refs.map(async (ref) => {
      try {
        const e = await this.#experiment(api, ref);
        return e?.tags.get(Tag.note) || null;
      } catch (error) {
        return error as Error;
      }
    }));
  }

  async projectColumns(caller: Caller, refs: readonly Port.ProjectRef[]) {
    const api = this.#c.api(caller);
    return Promise.all(refs.map(async (ref) => {
      try {
        const e = await this.#experiment(api, ref);
        return e ? await projectColumns(api, e.experimentId) : [];
      } catch (error) {
        return error as Error;
      }
    }));
  }

  /**
   * Artifact files first, then every tag in one log-batch through the outbox (the markers among them), so a
   * marker never names a file that was not written. A failure part-way leaves the files before it written;
   * a retry with the same idempotency key writes them again to the same values.
   */
  async update(caller: Caller, input: Port.UpdateRunDetailsInput, options?: Port.WriteOptions) {
    const checked = checkUpdate(input);
    if (checked.html != null) fitsTag(checked.html, 'html');
    await this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = await existing(api, checked.experimentKey, true);
      const io = this.#io(api);
      const tags: KeyValue[] = [];
      if (checked.html != null) {
        const html = checked.htmlMode === 'APPEND' ? `${htmlOf(run) ?? ''}${checked.html}` : checked.html;
        tags.push({ key: Tag.note, value: fitsTag(html, 'html') });
      }
      if (checked.git != null) tags.push(...gitTags(checked.git, run));
      const files = await this.#files(io, run, checked, tags);
      if (files.length > 0) requireRoot(run);
      for (const [part, text, mark] of files) {
        await writeText(io, run, STORED_FILES[part], text, false);
        tags.push({ key: markerKey(part), value: mark });
      }
      await this.#c.submit(caller, run.runId, 'other', tags);
      return null;
    });
  }

  /** The files an update writes (part, content, marker value); adds the system tags it sets to `tags`. */
  async #files(io: DetailIo, run: MlflowRun, checked: Port.UpdateRunDetailsInput, tags: KeyValue[]): Promise<[StoredPart, string, string][]> {
    const files: [StoredPart, string, string][] = [];
    if (checked.code != null) files.push(['code', checked.code, String(checked.code.length)]);
    if (checked.modelGraph != null) files.push(['modelGraph', checked.modelGraph, String(checked.modelGraph.length)]);
    if (checked.dependencies != null) files.push(['dependencies', JSON.stringify(checked.dependencies), String(checked.dependencies.length)]);
    if (checked.systemDetails != null) {
      const { user: _user, ...rest } = checked.systemDetails;
      // Short fields (at most 4,096 characters once checked) always fit a tag.
      tags.push(...systemTags(checked.systemDetails));
      if (Object.keys(rest).length > 0) {
        const merged = { ...(await storedSystem(io, run)), ...rest };
        files.push(['system', JSON.stringify(merged), presentFields(merged)]);
      }
    }
    return files;
  }

  /** One request with every line, as one new artifact file (detail-output.ts). */
  async appendOutput(caller: Caller, experimentKey: string, lines: readonly Port.OutputLineInput[], options?: Port.WriteOptions) {
    const key = requireKey(experimentKey);
    const checked = checkOutputLines(lines);
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = await existing(api, key, true);
      requireRoot(run);
      await appendChunk(this.#io(api), run, checked, this.#c.now());
      return { accepted: checked.length, status: 'ACCEPTED' as const };
    });
  }

  async logCurve(caller: Caller, input: Port.LogCurveInput, options?: Port.WriteOptions) {
    const checked = checkCurve(input);
    await this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = await existing(api, checked.experimentKey, true);
      requireRoot(run);
      await storeCurve(this.#io(api), run, checked, this.#c.now());
      return null;
    });
  }

  /** `set-experiment-tag` of `mlflow.note.content`: made at once (the outbox holds run writes only). */
  async setProjectNotes(caller: Caller, ref: Port.ProjectRef, notes: string, options?: Port.WriteOptions) {
    this.#c.checkWorkspace(ref.workspace);
    const text = fitsTag(checkNotes(notes), 'notes');
    await this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller, { fresh: true });
      const e = await this.#experiment(api, ref);
      if (!e) throw new NotFoundError(`Project '${ref.workspace}/${ref.name}' does not exist`);
      await setExperimentTags(api, this.#c.parts.cache, e.experimentId, [{ key: Tag.note, value: text }]);
      return null;
    });
  }

  /** The active MLflow experiment a project names, or null. */
  async #experiment(api: MlflowApi, ref: Port.ProjectRef) {
    if (ref.workspace !== this.#c.workspace || ref.name.trim() === '') return null;
    const e = await api.experimentByName(ref.name);
    return e && e.lifecycleStage === 'active' ? e : null;
  }
}
