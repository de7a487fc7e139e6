/** Workspaces and projects. Workspaces exist implicitly: the first project (or model) in one creates it. */
import { BadUserInputError } from '../../errors';
import type { CreateProjectInput, Page, PageRequest, Project, ProjectRef, Workspace } from '../port';
import { newId } from './codec';
import type { Db } from './db';
import { offsetPage, offsetWindow } from './paging';
import { requireName } from './validate';

interface WorkspaceRow {
  name: string;
  created_at: number;
}

interface ProjectRow {
  id: string;
  workspace: string;
  name: string;
  description: string | null;
  is_public: number;
  created_at: number;
  last_updated_at: number;
  experiment_count: number;
}

const PROJECT_COLUMNS = `p.id, p.workspace, p.name, p.description, p.is_public, p.created_at, p.last_updated_at,
  (SELECT count(*) FROM experiments e WHERE e.project_id = p.id AND e.archived = 0) AS experiment_count`;

function toWorkspace(row: WorkspaceRow): Workspace {
  return { name: row.name, createdAt: row.created_at };
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    workspace: row.workspace,
    name: row.name,
    description: row.description,
    isPublic: row.is_public === 1,
    createdAt: row.created_at,
    lastUpdatedAt: row.last_updated_at,
    experimentCount: row.experiment_count,
  };
}

const refKey = (workspace: string, name: string): string => `${workspace}\u0000${name}`;

export class ProjectStore {
  readonly #ensureWorkspace;
  readonly #workspaces;
  readonly #workspacesByName;
  readonly #projectId;
  readonly #insertProject;
  readonly #projectsByRef;
  readonly #projectById;
  readonly #projectPage;
  readonly #projectCount;
  readonly #touch;

  constructor(db: Db) {
    this.#ensureWorkspace = db.prepare('INSERT INTO workspaces (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.#workspaces = db.prepare<[], WorkspaceRow>('SELECT name, created_at FROM workspaces ORDER BY name');
    this.#workspacesByName = db.prepare<[string], WorkspaceRow>(
      'SELECT name, created_at FROM workspaces WHERE name IN (SELECT value FROM json_each(?))',
    );
    this.#projectId = db
      .prepare<[string, string], string>('SELECT id FROM projects WHERE workspace = ? AND name = ?')
      .pluck();
    this.#insertProject = db.prepare(
      `INSERT INTO projects (id, workspace, name, description, is_public, created_at, last_updated_at)
       VALUES (@id, @workspace, @name, @description, @isPublic, @now, @now)`,
    );
    this.#projectsByRef = db.prepare<[string], ProjectRow>(
      `SELECT ${PROJECT_COLUMNS} FROM projects p
       WHERE (p.workspace, p.name) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`,
    );
    this.#projectById = db.prepare<[string], ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects p WHERE p.id = ?`);
    this.#projectPage = db.prepare<[string, number, number], ProjectRow>(
      `SELECT ${PROJECT_COLUMNS} FROM projects p WHERE p.workspace = ? ORDER BY p.name LIMIT ? OFFSET ?`,
    );
    this.#projectCount = db
      .prepare<[string], number>('SELECT count(*) FROM projects WHERE workspace = ?')
      .pluck();
    this.#touch = db.prepare('UPDATE projects SET last_updated_at = ? WHERE id = ?');
  }

  listWorkspaces(): Workspace[] {
    return this.#workspaces.all().map(toWorkspace);
  }

  getWorkspaces(names: readonly string[]): (Workspace | null)[] {
    const byName = new Map(this.#workspacesByName.all(JSON.stringify(names)).map((row) => [row.name, row]));
    return names.map((name) => {
      const row = byName.get(name);
      return row ? toWorkspace(row) : null;
    });
  }

  ensureWorkspace(name: string, now: number): void {
    this.#ensureWorkspace.run(name, now);
  }

  /** The project's id, creating the project (and its workspace) when missing, as Comet does on first log. */
  ensureProject(workspace: string, name: string, now: number): string {
    return this.#projectId.get(workspace, name) ?? this.#create({ workspace, name }, now);
  }

  createProject(input: CreateProjectInput, now: number): Project {
    const workspace = requireName('workspace', input.workspace);
    const name = requireName('project name', input.name);
    if (this.#projectId.get(workspace, name) !== undefined) {
      throw new BadUserInputError(`Project '${workspace}/${name}' already exists: pick another name or use the existing project`);
    }
    const id = this.#create({ ...input, workspace, name }, now);
    return this.getById(id) as Project;
  }

  getById(id: string): Project | null {
    const row = this.#projectById.get(id);
    return row ? toProject(row) : null;
  }

  getProjects(refs: readonly ProjectRef[]): (Project | null)[] {
    const wanted = refs.map((ref) => [ref.workspace.trim(), ref.name.trim()]);
    const rows = this.#projectsByRef.all(JSON.stringify(wanted));
    const byRef = new Map(rows.map((row) => [refKey(row.workspace, row.name), row]));
    return wanted.map(([workspace, name]) => {
      const row = byRef.get(refKey(workspace, name));
      return row ? toProject(row) : null;
    });
  }

  /** Id of an existing project, or undefined. */
  findProjectId(ref: ProjectRef): string | undefined {
    return this.#projectId.get(ref.workspace.trim(), ref.name.trim());
  }

  listProjects(workspace: string, page: PageRequest): Page<Project> {
    const window = offsetWindow(page);
    const rows = this.#projectPage.all(workspace.trim(), window.fetch, window.offset);
    return offsetPage(rows.map(toProject), window, this.#projectCount.get(workspace.trim()) ?? 0);
  }

  touch(projectId: string, now: number): void {
    this.#touch.run(now, projectId);
  }

  #create(input: CreateProjectInput, now: number): string {
    const id = newId();
    this.ensureWorkspace(input.workspace, now);
    this.#insertProject.run({
      id,
      workspace: input.workspace,
      name: input.name,
      description: input.description ?? null,
      isPublic: input.isPublic ? 1 : 0,
      now,
    });
    return id;
  }
}
