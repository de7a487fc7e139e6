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

export interface ProjectsPort {
  /** Every workspace the caller can see, by name. */
  listWorkspaces(caller: Caller): Promise<Workspace[]>;
  getWorkspaces(caller: Caller, names: readonly string[]): Promise<(Workspace | Error | null)[]>;
  get(caller: Caller, refs: readonly ProjectRef[]): Promise<(Project | Error | null)[]>;
  list(caller: Caller, workspace: string, page: PageRequest): Promise<Page<Project>>;
  create(caller: Caller, input: CreateProjectInput, options?: WriteOptions): Promise<Project>;
}
