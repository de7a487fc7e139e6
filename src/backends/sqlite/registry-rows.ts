/** Row shapes and mappers of the model registry. */
import type { ModelVersion, RegisteredModel } from '../port';
import { parseStringArray } from './codec';

export interface ModelRow {
  id: string;
  workspace: string;
  name: string;
  description: string | null;
  is_public: number;
  created_at: number;
  updated_at: number;
}

export interface VersionRow {
  id: string;
  workspace: string;
  model_name: string;
  version: string;
  stage: string | null;
  status: string | null;
  tags: string;
  comment: string | null;
  experiment_key: string | null;
  experiment_model_name: string | null;
  created_at: number;
  /** JSON array of the aliases pointing at this version, sorted. */
  aliases: string;
}

export const MODEL_COLUMNS = 'm.id, m.workspace, m.name, m.description, m.is_public, m.created_at, m.updated_at';

export const VERSION_SELECT = `SELECT v.id, m.workspace, m.name AS model_name, v.version, v.stage, v.status, v.tags,
    v.comment, v.experiment_key, v.experiment_model_name, v.created_at,
    (SELECT json_group_array(alias) FROM
      (SELECT a.alias FROM model_aliases a WHERE a.version_id = v.id ORDER BY a.alias)) AS aliases
  FROM model_versions v JOIN registered_models m ON m.id = v.model_id`;

/** Newest first: by creation, then version string descending (the port's order). */
export const VERSION_ORDER = 'v.created_at DESC, v.version DESC';

export function toModel(row: ModelRow): RegisteredModel {
  return {
    id: row.id,
    workspace: row.workspace,
    name: row.name,
    description: row.description,
    isPublic: row.is_public === 1,
    createdAt: row.created_at,
    lastUpdatedAt: row.updated_at,
  };
}

export function toVersion(row: VersionRow): ModelVersion {
  return {
    id: row.id,
    workspace: row.workspace,
    modelName: row.model_name,
    version: row.version,
    stage: row.stage,
    status: row.status,
    tags: parseStringArray(row.tags),
    aliases: parseStringArray(row.aliases),
    comment: row.comment,
    createdAt: row.created_at,
    experimentKey: row.experiment_key,
    experimentModelName: row.experiment_model_name,
  };
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * Version for the n-th registered child run (n from 1), skipping versions already taken: a plain semver
 * `X.Y.Z` bumps the patch (1.2.0 → 1.2.1, 1.2.2…); any other string gets a `-child.N` suffix.
 */
export function childVersion(base: string, taken: ReadonlySet<string>): string {
  const semver = SEMVER.exec(base);
  for (let n = 1; ; n++) {
    const candidate = semver ? `${semver[1]}.${semver[2]}.${Number(semver[3]) + n}` : `${base}-child.${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
