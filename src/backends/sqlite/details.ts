/** The details port on SQLite: run details, output lines, curves, and a project's notes and columns. */
import { BadUserInputError } from '../../errors';
import type * as Port from '../port';
import { MAX_CURVES, MAX_PAGE_SIZE, checkCount } from '../port';
import { checkCurve, checkNotes, checkOutputLines, checkUpdate, offsetAfter, outputCursor, requireKey } from '../shared/details-input';
import type { SqliteContext } from './context';
import { DetailStore } from './detail-store';
import { projectNotFound } from './lifecycle-store';
import { ProjectColumns } from './project-columns';

type Caller = Port.Caller;

export const SQLITE_DETAILS_CAPABILITIES: Port.DetailsCapabilities = Object.freeze({ supported: true, outputStreams: true, dependencies: true });

export class SqliteDetails implements Port.DetailsPort {
  readonly #c: SqliteContext;
  readonly #store: DetailStore;
  readonly #columns: ProjectColumns;

  constructor(context: SqliteContext) {
    this.#c = context;
    this.#store = new DetailStore(context.db);
    this.#columns = new ProjectColumns(context.db);
  }

  async get(_caller: Caller, keys: readonly string[]) {
    return this.#c.read(() => {
      const found = new Set(this.#c.experiments.getMany(keys).flatMap((e) => (e ? [e.key] : [])));
      return this.#store.getMany(keys, (key) => found.has(key));
    });
  }

  async output(_caller: Caller, requests: readonly Port.OutputPageRequest[]) {
    return this.#c.read(() => requests.map((request): Port.Page<Port.OutputLine> | Error => {
      try {
        const first = checkCount(request.first, 0, MAX_PAGE_SIZE, 'first');
        const page = this.#store.outputPage(request.experimentKey, request.stream ?? null, offsetAfter(request.after), first);
        return {
          items: page.lines, cursors: page.lines.map((l) => outputCursor(l.offset)),
          hasNextPage: page.more, hasPreviousPage: page.before > 0, totalCount: page.total,
        };
      } catch (error) {
        return error as Error;
      }
    }));
  }

  async curves(_caller: Caller, keys: readonly string[]) {
    return this.#c.read(() => this.#store.curves(keys));
  }

  async projectNotes(_caller: Caller, refs: readonly Port.ProjectRef[]) {
    return this.#c.read(() => refs.map((ref) => {
      const id = this.#c.projects.findProjectId(ref);
      return id === undefined ? null : this.#store.notes(id);
    }));
  }

  async projectColumns(_caller: Caller, refs: readonly Port.ProjectRef[]) {
    return this.#c.read(() => refs.map((ref) => {
      const id = this.#c.projects.findProjectId(ref);
      return id === undefined ? [] : this.#columns.of(id);
    }));
  }

  async update(caller: Caller, input: Port.UpdateRunDetailsInput, options?: Port.WriteOptions) {
    const checked = checkUpdate(input);
    this.#c.touching(caller, options, checked.experimentKey, () => this.#store.update(checked));
  }

  async appendOutput(caller: Caller, experimentKey: string, lines: readonly Port.OutputLineInput[], options?: Port.WriteOptions) {
    const key = requireKey(experimentKey);
    const checked = checkOutputLines(lines);
    return this.#c.touching(caller, options, key, () => {
      this.#store.appendOutput(key, checked);
      return { accepted: checked.length, status: 'ACCEPTED' as const };
    });
  }

  async logCurve(caller: Caller, input: Port.LogCurveInput, options?: Port.WriteOptions) {
    const checked = checkCurve(input);
    this.#c.touching(caller, options, checked.experimentKey, () => {
      if (this.#store.curveCount(checked.experimentKey) >= MAX_CURVES) {
        throw new BadUserInputError(`An experiment holds at most ${MAX_CURVES} curves`, { field: 'name', max: MAX_CURVES });
      }
      this.#store.addCurve(checked);
    });
  }

  async setProjectNotes(caller: Caller, ref: Port.ProjectRef, notes: string, options?: Port.WriteOptions) {
    const text = checkNotes(notes);
    this.#c.write(() => {
      const id = this.#c.projects.findProjectId(ref);
      if (id === undefined) throw projectNotFound(ref);
      this.#store.setNotes(id, text);
      this.#c.projects.touch(id, this.#c.now());
    }, caller, options);
  }
}
