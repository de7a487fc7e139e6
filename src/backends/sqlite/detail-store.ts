/** Run details, output lines, curves and project notes in SQLite (schema-007). Callers hold the transaction. */
import type {
  Curve, Dependency, GitInfo, LogCurveInput, OutputLine, OutputLineInput, OutputStream, RunDetails, SystemDetails, UpdateRunDetailsInput,
} from '../port';
import { emptySystemDetails } from '../shared/details-input';
import type { Db } from './db';

interface DetailsRow {
  experiment_key: string;
  code: string | null;
  system_json: string | null;
  git_json: string | null;
  html: string | null;
  model_graph: string | null;
  dependencies_json: string | null;
}

interface LineRow {
  line_no: number;
  stream: OutputStream;
  text: string;
  timestamp: number | null;
}

interface CurveRow {
  experiment_key: string;
  name: string;
  step: number | null;
  x_json: string;
  y_json: string;
}

const parse = <T>(json: string | null): T | null => (json === null ? null : (JSON.parse(json) as T));

/** One UPDATE per column: an update touches only the columns it gives. */
function setters(db: Db) {
  const column = (name: string) => db.prepare<[string, string]>(`UPDATE run_details SET ${name} = ? WHERE experiment_key = ?`);
  return {
    code: column('code'), system_json: column('system_json'), git_json: column('git_json'), html: column('html'),
    model_graph: column('model_graph'), dependencies_json: column('dependencies_json'),
  };
}

export class DetailStore {
  readonly #get;
  readonly #ensure;
  readonly #set: ReturnType<typeof setters>;
  readonly #lastLine;
  readonly #insertLine;
  readonly #linesAll;
  readonly #linesStream;
  readonly #countAll;
  readonly #countStream;
  readonly #countCurves;
  readonly #insertCurve;
  readonly #curves;
  readonly #notes;
  readonly #setNotes;

  constructor(db: Db) {
    this.#get = db.prepare<[string], DetailsRow>(
      'SELECT * FROM run_details WHERE experiment_key IN (SELECT value FROM json_each(?))',
    );
    this.#ensure = db.prepare('INSERT INTO run_details (experiment_key) VALUES (?) ON CONFLICT DO NOTHING');
    this.#set = setters(db);
    this.#lastLine = db.prepare<[string], number | null>('SELECT max(line_no) FROM output_lines WHERE experiment_key = ?').pluck();
    this.#insertLine = db.prepare('INSERT INTO output_lines (experiment_key, line_no, stream, text, timestamp) VALUES (?, ?, ?, ?, ?)');
    this.#linesAll = db.prepare<[string, number, number], LineRow>(
      'SELECT line_no, stream, text, timestamp FROM output_lines WHERE experiment_key = ? AND line_no > ? ORDER BY line_no LIMIT ?',
    );
    this.#linesStream = db.prepare<[string, string, number, number], LineRow>(
      'SELECT line_no, stream, text, timestamp FROM output_lines WHERE experiment_key = ? AND stream = ? AND line_no > ? ORDER BY line_no LIMIT ?',
    );
    this.#countAll = db.prepare<[{ key: string; after: number }], { total: number; before: number }>(
      'SELECT count(*) AS total, count(*) FILTER (WHERE line_no <= @after) AS before FROM output_lines WHERE experiment_key = @key',
    );
    this.#countStream = db.prepare<[{ key: string; after: number; stream: string }], { total: number; before: number }>(
      'SELECT count(*) AS total, count(*) FILTER (WHERE line_no <= @after) AS before FROM output_lines WHERE experiment_key = @key AND stream = @stream',
    );
    this.#countCurves = db.prepare<[string], number>('SELECT count(*) FROM curves WHERE experiment_key = ?').pluck();
    this.#insertCurve = db.prepare('INSERT INTO curves (experiment_key, name, step, x_json, y_json) VALUES (?, ?, ?, ?, ?)');
    this.#curves = db.prepare<[string], CurveRow>(
      `SELECT experiment_key, name, step, x_json, y_json FROM curves WHERE experiment_key IN (SELECT value FROM json_each(?))
       ORDER BY experiment_key, name, step IS NOT NULL, step, id`,
    );
    this.#notes = db.prepare<[string], string | null>('SELECT notes FROM projects WHERE id = ?').pluck();
    this.#setNotes = db.prepare('UPDATE projects SET notes = ? WHERE id = ?');
  }

  /** Details per key (`exists` says which experiments exist: the others are null). */
  getMany(keys: readonly string[], exists: (key: string) => boolean): (RunDetails | null)[] {
    const rows = new Map(this.#get.all(JSON.stringify(keys)).map((row) => [row.experiment_key, row]));
    return keys.map((key) => {
      if (!exists(key)) return null;
      const row = rows.get(key);
      return {
        code: row?.code ?? null,
        systemDetails: parse<SystemDetails>(row?.system_json ?? null),
        git: parse<GitInfo>(row?.git_json ?? null),
        html: row?.html ?? null,
        modelGraph: row?.model_graph ?? null,
        dependencies: parse<Dependency[]>(row?.dependencies_json ?? null) ?? [],
      };
    });
  }

  /** Applies a checked update: only the fields given change; system details merge field by field. */
  update(input: UpdateRunDetailsInput): void {
    const key = input.experimentKey;
    this.#ensure.run(key);
    const [current] = this.getMany([key], () => true) as RunDetails[];
    if (input.code != null) this.#set.code.run(input.code, key);
    if (input.modelGraph != null) this.#set.model_graph.run(input.modelGraph, key);
    if (input.html != null) {
      const html = input.htmlMode === 'APPEND' ? (current.html ?? '') + input.html : input.html;
      this.#set.html.run(html, key);
    }
    if (input.systemDetails != null) {
      const merged = { ...emptySystemDetails(), ...(current.systemDetails ?? {}), ...input.systemDetails };
      this.#set.system_json.run(JSON.stringify(merged), key);
    }
    if (input.git != null) this.#set.git_json.run(JSON.stringify(input.git), key);
    if (input.dependencies != null) this.#set.dependencies_json.run(JSON.stringify(input.dependencies), key);
  }

  /** Appends checked lines after the run's last one. */
  appendOutput(key: string, lines: readonly OutputLineInput[]): void {
    let next = (this.#lastLine.get(key) ?? -1) + 1;
    for (const line of lines) this.#insertLine.run(key, next++, line.stream, line.text, line.timestamp ?? null);
  }

  /** Up to `first` lines after offset `after`; totals for the page's counts. */
  outputPage(key: string, stream: OutputStream | null, after: number, first: number): { lines: OutputLine[]; total: number; before: number; more: boolean } {
    const rows = stream === null ? this.#linesAll.all(key, after, first + 1) : this.#linesStream.all(key, stream, after, first + 1);
    const counts = stream === null ? this.#countAll.get({ key, after }) : this.#countStream.get({ key, after, stream });
    const lines = rows.slice(0, first).map((r) => ({ offset: r.line_no, text: r.text, stream: r.stream, timestamp: r.timestamp }));
    return { lines, total: counts?.total ?? 0, before: counts?.before ?? 0, more: rows.length > first };
  }

  curveCount(key: string): number {
    return this.#countCurves.get(key) ?? 0;
  }

  addCurve(input: LogCurveInput): void {
    this.#insertCurve.run(input.experimentKey, input.name, input.step ?? null, JSON.stringify(input.x), JSON.stringify(input.y));
  }

  curves(keys: readonly string[]): Curve[][] {
    const byKey = new Map<string, Curve[]>(keys.map((k) => [k, []]));
    for (const row of this.#curves.all(JSON.stringify(keys))) {
      byKey.get(row.experiment_key)?.push({ name: row.name, step: row.step, x: JSON.parse(row.x_json) as number[], y: JSON.parse(row.y_json) as number[] });
    }
    return keys.map((k) => [...(byKey.get(k) ?? [])]);
  }

  notes(projectId: string): string | null {
    return this.#notes.get(projectId) ?? null;
  }

  setNotes(projectId: string, notes: string): void {
    this.#setNotes.run(notes, projectId);
  }
}
