/**
 * The lifecycle writes that rename, restore and delete (schema-001 tables). Callers hold the write
 * transaction; a delete of rows holding assets queues their blobs for collection in that transaction
 * (blob-gc.ts), so no blob goes while an asset still names it.
 */
import { BadUserInputError, NotFoundError } from '../../errors';
import type { DeleteProjectInput, ModelVersionRef, ProjectRef, UpdateProjectInput } from '../port';
import type { Db } from './db';
import { requireName } from './validate';

export function projectNotFound(ref: ProjectRef): NotFoundError {
  return new NotFoundError(`Project '${ref.workspace}/${ref.name}' does not exist`);
}

export class LifecycleStore {
  readonly #rename;
  readonly #restore;
  readonly #projectId;
  readonly #projectRename;
  readonly #projectDescription;
  readonly #projectPublic;
  readonly #projectRuns;
  readonly #queueProjectBlobs;
  readonly #deleteProject;
  readonly #assetOf;
  readonly #queueBlob;
  readonly #deleteAsset;
  readonly #versionOf;
  readonly #deleteVersion;

  constructor(db: Db) {
    this.#rename = db.prepare<[string | null, string]>('UPDATE experiments SET name = ? WHERE key = ?');
    this.#restore = db.prepare<[string]>('UPDATE experiments SET archived = 0 WHERE key = ?');
    this.#projectId = db.prepare<[string, string], string>('SELECT id FROM projects WHERE workspace = ? AND name = ?').pluck();
    this.#projectRename = db.prepare<[string, number, string]>('UPDATE projects SET name = ?, last_updated_at = ? WHERE id = ?');
    this.#projectDescription = db.prepare<[string | null, number, string]>('UPDATE projects SET description = ?, last_updated_at = ? WHERE id = ?');
    this.#projectPublic = db.prepare<[number, number, string]>('UPDATE projects SET is_public = ?, last_updated_at = ? WHERE id = ?');
    this.#projectRuns = db.prepare<[string], number>('SELECT count(*) FROM experiments WHERE project_id = ?').pluck();
    this.#queueProjectBlobs = db.prepare<[string]>(
      'INSERT OR IGNORE INTO blob_gc (sha256) SELECT DISTINCT sha256 FROM assets WHERE experiment_key IN (SELECT key FROM experiments WHERE project_id = ?)',
    );
    // Children in other projects keep living as top-level runs (the foreign key sets their parent to null).
    this.#deleteProject = db.prepare<[string]>('DELETE FROM projects WHERE id = ?');
    this.#assetOf = db.prepare<[string, string], string>('SELECT sha256 FROM assets WHERE experiment_key = ? AND id = ?').pluck();
    this.#queueBlob = db.prepare<[string]>('INSERT OR IGNORE INTO blob_gc (sha256) VALUES (?)');
    this.#deleteAsset = db.prepare<[string]>('DELETE FROM assets WHERE id = ?');
    this.#versionOf = db.prepare<[string, string, string], string>(
      `SELECT v.id FROM model_versions v JOIN registered_models m ON m.id = v.model_id
       WHERE m.workspace = ? AND m.name = ? AND v.version = ?`,
    ).pluck();
    this.#deleteVersion = db.prepare<[string]>('DELETE FROM model_versions WHERE id = ?');
  }

  rename(key: string, name: string | null): void {
    this.#rename.run(name, key);
  }

  restore(key: string): void {
    this.#restore.run(key);
  }

  requireProjectId(ref: ProjectRef): string {
    const id = this.#projectId.get(ref.workspace, ref.name);
    if (id === undefined) throw projectNotFound(ref);
    return id;
  }

  updateProject(input: UpdateProjectInput, now: number): ProjectRef {
    const id = this.requireProjectId(input);
    let name = input.name;
    if (input.newName != null) {
      const newName = requireName('newName', input.newName);
      if (newName !== input.name && this.#projectId.get(input.workspace, newName) !== undefined) {
        throw new BadUserInputError(`Project '${input.workspace}/${newName}' already exists`, { field: 'newName' });
      }
      this.#projectRename.run(newName, now, id);
      name = newName;
    }
    if (input.description !== undefined) this.#projectDescription.run(input.description, now, id);
    if (input.isPublic != null) this.#projectPublic.run(input.isPublic ? 1 : 0, now, id);
    return { workspace: input.workspace, name };
  }

  deleteProject(input: DeleteProjectInput): number {
    const id = this.requireProjectId(input);
    const runs = this.#projectRuns.get(id) ?? 0;
    if (runs > 0 && input.force !== true) {
      throw new BadUserInputError(`Project '${input.workspace}/${input.name}' holds ${runs} experiments: delete them first, or pass force: true`, { reason: 'NOT_EMPTY', experiments: runs });
    }
    this.#queueProjectBlobs.run(id);
    this.#deleteProject.run(id);
    return runs;
  }

  deleteAsset(experimentKey: string, assetId: string): void {
    const sha = this.#assetOf.get(experimentKey, assetId);
    if (sha === undefined) throw new NotFoundError(`Asset '${assetId}' of experiment '${experimentKey}' does not exist`);
    this.#queueBlob.run(sha);
    this.#deleteAsset.run(assetId);
  }

  deleteVersion(ref: ModelVersionRef): void {
    const id = this.#versionOf.get(ref.workspace, ref.modelName, ref.version);
    if (id === undefined) throw new NotFoundError(`Version '${ref.version}' of model '${ref.workspace}/${ref.modelName}' does not exist`);
    this.#deleteVersion.run(id);
  }
}
