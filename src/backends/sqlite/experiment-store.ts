/** Experiments: create, read by key, children, lifecycle (end, archive, delete). */
import { BadUserInputError, NotFoundError, experimentNotFound } from '../../errors';
import type { EndExperimentInput, Experiment, ExperimentStatus } from '../port';
import { newExperimentKey } from './codec';
import type { Db } from './db';
import { optionalTime } from './validate';

export interface ExperimentRow {
  key: string;
  name: string | null;
  status: ExperimentStatus;
  started_at: number | null;
  ended_at: number | null;
  archived: number;
  parent_key: string | null;
  project_id: string;
  workspace: string;
  project: string;
}

/** Columns of an experiment row joined with its project; `e` and `p` are the aliases. */
export const EXPERIMENT_COLUMNS = `e.key, e.name, e.status, e.started_at, e.ended_at, e.archived, e.parent_key,
  e.project_id, p.workspace, p.name AS project`;
export const EXPERIMENT_FROM = 'experiments e JOIN projects p ON p.id = e.project_id';

const END_STATUSES: readonly ExperimentStatus[] = ['FINISHED', 'FAILED', 'CRASHED'];

export function toExperiment(row: ExperimentRow): Experiment {
  return {
    key: row.key,
    workspace: row.workspace,
    project: row.project,
    projectId: row.project_id,
    name: row.name,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    archived: row.archived === 1,
    parentKey: row.parent_key,
  };
}

export interface NewExperiment {
  projectId: string;
  name: string | null;
  parentKey: string | null;
  startedAt: number;
}

export class ExperimentStore {
  readonly #insert;
  readonly #byKey;
  readonly #byKeys;
  readonly #children;
  readonly #end;
  readonly #archive;
  readonly #delete;
  readonly #projectOf;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO experiments (key, project_id, name, status, started_at, parent_key)
       VALUES (@key, @projectId, @name, 'RUNNING', @startedAt, @parentKey)`,
    );
    this.#byKey = db.prepare<[string], ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM ${EXPERIMENT_FROM} WHERE e.key = ?`);
    this.#byKeys = db.prepare<[string], ExperimentRow>(
      `SELECT ${EXPERIMENT_COLUMNS} FROM ${EXPERIMENT_FROM} WHERE e.key IN (SELECT value FROM json_each(?))`,
    );
    this.#children = db.prepare<[string], ExperimentRow>(
      `SELECT ${EXPERIMENT_COLUMNS} FROM ${EXPERIMENT_FROM}
       WHERE e.parent_key IN (SELECT value FROM json_each(?))
       ORDER BY e.parent_key, e.started_at, e.key`,
    );
    this.#end = db.prepare('UPDATE experiments SET status = ?, ended_at = ? WHERE key = ?');
    this.#archive = db.prepare('UPDATE experiments SET archived = 1 WHERE key = ?');
    this.#delete = db.prepare('DELETE FROM experiments WHERE key = ?');
    this.#projectOf = db.prepare<[string], string>('SELECT project_id FROM experiments WHERE key = ?').pluck();
  }

  create(input: NewExperiment): string {
    const key = newExperimentKey();
    this.#insert.run({ key, ...input });
    return key;
  }

  get(key: string): Experiment | null {
    const row = this.#byKey.get(key);
    return row ? toExperiment(row) : null;
  }

  /** The experiment, or NotFoundError: for writes, where a missing key is the caller's mistake. */
  require(key: string): Experiment {
    const experiment = this.get(key);
    if (!experiment) throw experimentNotFound(key);
    return experiment;
  }

  /** Project id of an existing experiment, or NotFoundError (a cheap existence check for writes). */
  requireProjectId(key: string): string {
    const projectId = this.#projectOf.get(key);
    if (projectId === undefined) throw experimentNotFound(key);
    return projectId;
  }

  getMany(keys: readonly string[]): (Experiment | null)[] {
    const byKey = new Map(this.#byKeys.all(JSON.stringify(keys)).map((row) => [row.key, row]));
    return keys.map((key) => {
      const row = byKey.get(key);
      return row ? toExperiment(row) : null;
    });
  }

  getChildren(parentKeys: readonly string[]): Experiment[][] {
    const byParent = new Map<string, Experiment[]>();
    for (const row of this.#children.all(JSON.stringify(parentKeys))) {
      const parent = row.parent_key as string;
      const list = byParent.get(parent) ?? [];
      list.push(toExperiment(row));
      byParent.set(parent, list);
    }
    return parentKeys.map((key) => [...(byParent.get(key) ?? [])]);
  }

  end(input: EndExperimentInput, now: number): void {
    if (!END_STATUSES.includes(input.status)) {
      throw new BadUserInputError(`status must be one of ${END_STATUSES.join(', ')}, got '${String(input.status)}'`);
    }
    const endedAt = optionalTime('endedAt', input.endedAt) ?? now;
    this.requireProjectId(input.experimentKey);
    this.#end.run(input.status, endedAt, input.experimentKey);
  }

  archive(key: string): void {
    this.requireProjectId(key);
    this.#archive.run(key);
  }

  /** Deletes the row; foreign keys cascade to points, parameters, tags, others and asset rows. */
  delete(key: string): void {
    this.requireProjectId(key);
    this.#delete.run(key);
  }
}
