/** The model registry: registered models, their versions, stages, tags and aliases. */
import type { Caller, Page, PageRequest, WriteOptions } from './common';

export interface RegisteredModelRef {
  workspace: string;
  name: string;
}

export interface RegisteredModel {
  id: string;
  workspace: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  createdAt: number | null;
  lastUpdatedAt: number | null;
}

export interface ModelVersion {
  id: string;
  workspace: string;
  modelName: string;
  version: string;
  stage: string | null;
  status: string | null;
  tags: string[];
  aliases: string[];
  comment: string | null;
  createdAt: number | null;
  experimentKey: string | null;
  experimentModelName: string | null;
}

export interface RegisterModelInput {
  experimentKey: string;
  /** Name of the experiment model (the assets grouped under it). */
  experimentModelName: string;
  workspace?: string | null;
  registryName: string;
  version: string;
  description?: string | null;
  isPublic?: boolean;
  comment?: string | null;
  stage?: string | null;
  status?: string | null;
  tags?: string[];
  /** Also register the same-named models of child runs, recursively, as further versions. */
  includeChildren?: boolean;
}

/** Fields left `undefined` stay as they are; `null` clears them. */
export interface UpdateModelVersionInput {
  workspace: string;
  modelName: string;
  version: string;
  stage?: string | null;
  status?: string | null;
  tags?: string[] | null;
  comment?: string | null;
  /** Aliases to point at this version (moved from any other version of the model). */
  addAliases?: string[];
  removeAliases?: string[];
}

export interface RegistryCapabilities {
  /** Model version aliases are supported. */
  aliases: boolean;
}

export interface RegistryPort {
  models(caller: Caller, refs: readonly RegisteredModelRef[]): Promise<(RegisteredModel | Error | null)[]>;
  list(caller: Caller, workspace: string, page: PageRequest): Promise<Page<RegisteredModel>>;
  /** All versions per model, newest first (by creation, then version string descending). */
  versions(caller: Caller, refs: readonly RegisteredModelRef[]): Promise<(ModelVersion[] | Error)[]>;
  /** Registers the experiment model as a version (creating the registered model if needed). */
  register(caller: Caller, input: RegisterModelInput, options?: WriteOptions): Promise<{ model: RegisteredModel; versions: ModelVersion[] }>;
  updateVersion(caller: Caller, input: UpdateModelVersionInput, options?: WriteOptions): Promise<ModelVersion>;
  /** Deletes one version (its aliases go with it); NOT_FOUND when the model or version does not exist. */
  deleteVersion(caller: Caller, ref: ModelVersionRef, options?: WriteOptions): Promise<void>;
}

/** One registered model version, by its natural key. */
export interface ModelVersionRef {
  workspace: string;
  modelName: string;
  version: string;
}
