/** Workspaces and the projects in them. */
import type { Caller, Page, PageRequest, WriteOptions } from './common';

export interface Workspace {
  name: string;
  createdAt: number | null;
}

export interface ProjectRef {
  workspace: string;
  name: string;
}

export interface Project {
  id: string;
  workspace: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  createdAt: number | null;
  lastUpdatedAt: number | null;
  /** Experiments in the project, archived ones excluded. */
  experimentCount: number;
}

export interface CreateProjectInput {
  workspace: string;
  name: string;
  description?: string | null;
  isPublic?: boolean;
}

/** Fields left `undefined` stay as they are. */
export interface UpdateProjectInput {
  workspace: string;
  name: string;
  newName?: string | null;
  description?: string | null;
  isPublic?: boolean | null;
}

export interface DeleteProjectInput {
  workspace: string;
  name: string;
  /** Delete the project's experiments (archived ones too) with it; without it a non-empty project is refused. */
  force?: boolean;
}

export interface ProjectsCapabilities {
  /** `update` can change a project's description and isPublic (otherwise only a rename; the rest is refused). */
  editAttributes: boolean;
}

export interface ProjectsPort {
  /** Every workspace the caller can see, by name. */
  listWorkspaces(caller: Caller): Promise<Workspace[]>;
  getWorkspaces(caller: Caller, names: readonly string[]): Promise<(Workspace | Error | null)[]>;
  get(caller: Caller, refs: readonly ProjectRef[]): Promise<(Project | Error | null)[]>;
  list(caller: Caller, workspace: string, page: PageRequest): Promise<Page<Project>>;
  create(caller: Caller, input: CreateProjectInput, options?: WriteOptions): Promise<Project>;
  /** Renames the project or changes its description or visibility; BAD_USER_INPUT when the new name is taken. */
  update(caller: Caller, input: UpdateProjectInput, options?: WriteOptions): Promise<Project>;
  /**
   * Deletes the project; BAD_USER_INPUT (reason NOT_EMPTY) when it holds experiments and `force` is not
   * set. Answers how many experiments went with it.
   */
  delete(caller: Caller, input: DeleteProjectInput, options?: WriteOptions): Promise<{ deletedExperiments: number }>;
}
