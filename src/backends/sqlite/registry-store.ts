/** The model registry: registered models, their versions, and aliases (one version per alias at a time). */
import { BadUserInputError, NotFoundError } from '../../errors';
import type {
  Experiment,
  ModelVersion,
  Page,
  PageRequest,
  RegisterModelInput,
  RegisteredModel,
  RegisteredModelRef,
  UpdateModelVersionInput,
} from '../port';
import { newId } from './codec';
import type { Db } from './db';
import type { AssetStore } from './asset-store';
import type { ExperimentStore } from './experiment-store';
import { offsetPage, offsetWindow } from './paging';
import type { ProjectStore } from './project-store';
import {
  MODEL_COLUMNS,
  VERSION_ORDER,
  VERSION_SELECT,
  childVersion,
  toModel,
  toVersion,
  type ModelRow,
  type VersionRow,
} from './registry-rows';
import { requireName, requireNames } from './validate';

export interface RegistryDeps {
  experiments: ExperimentStore;
  assets: AssetStore;
  projects: ProjectStore;
}

const refKey = (workspace: string, name: string): string => `${workspace}\u0000${name}`;

export class RegistryStore {
  readonly #deps: RegistryDeps;
  readonly #modelByRef;
  readonly #modelsByRefs;
  readonly #modelPage;
  readonly #modelCount;
  readonly #insertModel;
  readonly #touchModel;
  readonly #versionsOf;
  readonly #versionByName;
  readonly #versionsByRefs;
  readonly #insertVersion;
  readonly #updateVersion;
  readonly #setAlias;
  readonly #removeAlias;

  constructor(db: Db, deps: RegistryDeps) {
    this.#deps = deps;
    this.#modelByRef = db.prepare<[string, string], ModelRow>(
      `SELECT ${MODEL_COLUMNS} FROM registered_models m WHERE m.workspace = ? AND m.name = ?`,
    );
    this.#modelsByRefs = db.prepare<[string], ModelRow>(
      `SELECT ${MODEL_COLUMNS} FROM registered_models m
       WHERE (m.workspace, m.name) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`,
    );
    this.#modelPage = db.prepare<[string, number, number], ModelRow>(
      `SELECT ${MODEL_COLUMNS} FROM registered_models m WHERE m.workspace = ? ORDER BY m.name LIMIT ? OFFSET ?`,
    );
    this.#modelCount = db.prepare<[string], number>('SELECT count(*) FROM registered_models WHERE workspace = ?').pluck();
    this.#insertModel = db.prepare(
      `INSERT INTO registered_models (id, workspace, name, description, is_public, created_at, updated_at)
       VALUES (@id, @workspace, @name, @description, @isPublic, @now, @now)`,
    );
    this.#touchModel = db.prepare('UPDATE registered_models SET updated_at = ? WHERE id = ?');
    this.#versionsOf = db.prepare<[string], string>('SELECT version FROM model_versions WHERE model_id = ?').pluck();
    this.#versionByName = db.prepare<[string, string], VersionRow>(`${VERSION_SELECT} WHERE v.model_id = ? AND v.version = ?`);
    this.#versionsByRefs = db.prepare<[string], VersionRow>(
      `${VERSION_SELECT} WHERE (m.workspace, m.name) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))
       ORDER BY m.workspace, m.name, ${VERSION_ORDER}`,
    );
    this.#insertVersion = db.prepare(
      `INSERT INTO model_versions (id, model_id, version, stage, status, tags, comment, experiment_key,
         experiment_model_name, created_at)
       VALUES (@id, @modelId, @version, @stage, @status, @tags, @comment, @experimentKey, @experimentModelName, @now)`,
    );
    this.#updateVersion = db.prepare(
      'UPDATE model_versions SET stage = @stage, status = @status, tags = @tags, comment = @comment WHERE id = @id',
    );
    this.#setAlias = db.prepare(
      `INSERT INTO model_aliases (model_id, alias, version_id) VALUES (?, ?, ?)
       ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id`,
    );
    this.#removeAlias = db.prepare('DELETE FROM model_aliases WHERE model_id = ? AND alias = ? AND version_id = ?');
  }

  getModels(refs: readonly RegisteredModelRef[]): (RegisteredModel | null)[] {
    const wanted = refs.map((ref) => [ref.workspace.trim(), ref.name.trim()]);
    const byRef = new Map(this.#modelsByRefs.all(JSON.stringify(wanted)).map((row) => [refKey(row.workspace, row.name), row]));
    return wanted.map(([workspace, name]) => {
      const row = byRef.get(refKey(workspace, name));
      return row ? toModel(row) : null;
    });
  }

  listModels(workspace: string, page: PageRequest): Page<RegisteredModel> {
    const window = offsetWindow(page);
    const rows = this.#modelPage.all(workspace.trim(), window.fetch, window.offset);
    return offsetPage(rows.map(toModel), window, this.#modelCount.get(workspace.trim()) ?? 0);
  }

  /** All versions per model, newest first; [] for a missing model. */
  getVersions(refs: readonly RegisteredModelRef[]): ModelVersion[][] {
    const wanted = refs.map((ref) => [ref.workspace.trim(), ref.name.trim()]);
    const byRef = new Map<string, ModelVersion[]>();
    for (const row of this.#versionsByRefs.all(JSON.stringify(wanted))) {
      const key = refKey(row.workspace, row.model_name);
      const list = byRef.get(key) ?? [];
      list.push(toVersion(row));
      byRef.set(key, list);
    }
    return wanted.map(([workspace, name]) => [...(byRef.get(refKey(workspace, name)) ?? [])]);
  }

  /** Registers the experiment model as a version, then (optionally) every descendant run's same-named model. */
  register(input: RegisterModelInput, now: number): { model: RegisteredModel; versions: ModelVersion[] } {
    const registryName = requireName('registryName', input.registryName);
    const version = requireName('version', input.version);
    const experimentModelName = requireName('experimentModelName', input.experimentModelName);
    const tags = JSON.stringify(requireNames('tag', input.tags ?? []));
    const experiment = this.#deps.experiments.require(input.experimentKey);
    if (!this.#deps.assets.hasModel(experiment.key, experimentModelName)) {
      throw new NotFoundError(`Experiment '${experiment.key}' has no model named '${experimentModelName}'`);
    }
    const workspace = input.workspace?.trim() || experiment.workspace;
    const model = this.#ensureModel(workspace, registryName, input, now);
    const taken = new Set(this.#versionsOf.all(model.id));
    if (taken.has(version)) {
      throw new BadUserInputError(`Model '${workspace}/${registryName}' already has version '${version}': pick a new version`);
    }
    const common = {
      modelId: model.id,
      stage: input.stage ?? null,
      status: input.status ?? null,
      tags,
      comment: input.comment ?? null,
      experimentModelName,
      now,
    };
    const add = (experimentKey: string, versionName: string): ModelVersion => {
      this.#insertVersion.run({ ...common, id: newId(), experimentKey, version: versionName });
      taken.add(versionName);
      return toVersion(this.#versionByName.get(model.id, versionName) as VersionRow);
    };
    const versions = [add(experiment.key, version)];
    if (input.includeChildren) {
      for (const child of this.#descendants(experiment.key)) {
        if (this.#deps.assets.hasModel(child.key, experimentModelName)) versions.push(add(child.key, childVersion(version, taken)));
      }
    }
    this.#touchModel.run(now, model.id);
    return { model: toModel(this.#modelByRef.get(workspace, registryName) as ModelRow), versions };
  }

  /** Applies the given fields (absent = unchanged, null = cleared); aliases are removed first, then added. */
  update(input: UpdateModelVersionInput, now: number): ModelVersion {
    const workspace = requireName('workspace', input.workspace);
    const modelName = requireName('modelName', input.modelName);
    const model = this.#modelByRef.get(workspace, modelName);
    if (!model) throw new NotFoundError(`Registered model '${workspace}/${modelName}' does not exist`);
    const current = this.#versionByName.get(model.id, input.version.trim());
    if (!current) throw new NotFoundError(`Model '${workspace}/${modelName}' has no version '${input.version}'`);
    const tags = input.tags === null || input.tags === undefined ? current.tags : JSON.stringify(requireNames('tag', input.tags));
    this.#updateVersion.run({
      id: current.id,
      stage: input.stage === undefined ? current.stage : input.stage,
      status: input.status === undefined ? current.status : input.status,
      comment: input.comment === undefined ? current.comment : input.comment,
      tags,
    });
    for (const alias of requireNames('alias', input.removeAliases ?? [])) this.#removeAlias.run(model.id, alias, current.id);
    // The (model, alias) primary key moves an alias off whichever version held it.
    for (const alias of requireNames('alias', input.addAliases ?? [])) this.#setAlias.run(model.id, alias, current.id);
    this.#touchModel.run(now, model.id);
    return toVersion(this.#versionByName.get(model.id, current.version) as VersionRow);
  }

  #ensureModel(workspace: string, name: string, input: RegisterModelInput, now: number): ModelRow {
    const existing = this.#modelByRef.get(workspace, name);
    if (existing) return existing;
    this.#deps.projects.ensureWorkspace(workspace, now);
    this.#insertModel.run({
      id: newId(),
      workspace,
      name,
      description: input.description ?? null,
      isPublic: input.isPublic ? 1 : 0,
      now,
    });
    return this.#modelByRef.get(workspace, name) as ModelRow;
  }

  /** Descendant runs, depth first, siblings by start time then key (the registration order of children). */
  #descendants(rootKey: string): Experiment[] {
    const found: Experiment[] = [];
    const seen = new Set([rootKey]);
    const visit = (key: string): void => {
      for (const child of this.#deps.experiments.getChildren([key])[0]) {
        if (seen.has(child.key)) continue;
        seen.add(child.key);
        found.push(child);
        visit(child.key);
      }
    };
    visit(rootKey);
    return found;
  }
}
