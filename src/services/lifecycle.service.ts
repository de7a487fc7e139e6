/**
 * Renames, restores and deletes: validated here, one port call each, then the live event where one applies
 * (UPDATED, RESTORED, and DELETED for each experiment a forced project delete takes with it).
 */
import type { Backend, Caller, Experiment, IdempotencyClaim, ModelVersionRef, Project, UpdateProjectInput } from '../backends/port';
import { NO_LIVE_EVENTS, type ExperimentEventKind, type LiveEvents } from '../live/events';
import { Once } from './idempotency';
import * as v from './validate';

export class LifecycleService {
  constructor(
    private readonly backend: Backend,
    private readonly events: LiveEvents = NO_LIVE_EVENTS,
  ) {}

  async updateExperiment(caller: Caller, input: { experimentKey: string; name?: string | null }, claim?: IdempotencyClaim): Promise<Experiment> {
    const once = new Once(claim);
    const experiment = await this.backend.experiments.update(caller, {
      experimentKey: v.experimentKey(input.experimentKey),
      ...(input.name === undefined ? {} : { name: v.optionalName(input.name, 'name') }),
    }, once.options);
    if (!once.replayed) this.changed('UPDATED', experiment);
    return experiment;
  }

  async restoreExperiment(caller: Caller, experimentKey: string, claim?: IdempotencyClaim): Promise<Experiment> {
    const once = new Once(claim);
    const experiment = await this.backend.experiments.restore(caller, v.experimentKey(experimentKey), once.options);
    if (!once.replayed) this.changed('RESTORED', experiment);
    return experiment;
  }

  updateProject(caller: Caller, input: UpdateProjectInput, claim?: IdempotencyClaim): Promise<Project> {
    return this.backend.projects.update(caller, {
      workspace: v.name(input.workspace, 'workspace'),
      name: v.name(input.name, 'name'),
      ...(input.newName == null ? {} : { newName: v.name(input.newName, 'newName') }),
      ...(input.description === undefined ? {} : { description: v.optionalText(input.description, 'description') }),
      ...(input.isPublic == null ? {} : { isPublic: input.isPublic }),
    }, new Once(claim).options);
  }

  async deleteProject(caller: Caller, input: { workspace: string; name: string; force?: boolean | null }, claim?: IdempotencyClaim): Promise<number> {
    const ref = { workspace: v.name(input.workspace, 'workspace'), name: v.name(input.name, 'name') };
    const once = new Once(claim);
    // Read first: once deleted, the project's experiments (each a DELETED event) cannot be listed.
    const doomed = input.force ? await this.experimentsOf(caller, ref) : [];
    const { deletedExperiments } = await this.backend.projects.delete(caller, { ...ref, force: input.force === true }, once.options);
    if (!once.replayed) {
      for (const key of doomed) this.events.experimentChanged({ kind: 'DELETED', experimentKey: key, workspace: ref.workspace, project: ref.name, experiment: null, tags: null });
    }
    return deletedExperiments;
  }

  async deleteAsset(caller: Caller, experimentKey: string, assetId: string, claim?: IdempotencyClaim): Promise<void> {
    await this.backend.assets.delete(caller, v.experimentKey(experimentKey), v.name(assetId, 'assetId'), new Once(claim).options);
  }

  async deleteModelVersion(caller: Caller, ref: ModelVersionRef, claim?: IdempotencyClaim): Promise<void> {
    await this.backend.registry.deleteVersion(caller, {
      workspace: v.name(ref.workspace, 'workspace'), modelName: v.name(ref.modelName, 'modelName'), version: v.name(ref.version, 'version'),
    }, new Once(claim).options);
  }

  private changed(kind: ExperimentEventKind, experiment: Experiment): void {
    this.events.experimentChanged({ kind, experimentKey: experiment.key, workspace: experiment.workspace, project: experiment.project, experiment, tags: null });
  }

  /** Every experiment key of the project, archived ones too, for the events of a forced delete. */
  private async experimentsOf(caller: Caller, project: { workspace: string; name: string }): Promise<string[]> {
    if (this.events === NO_LIVE_EVENTS) return [];
    const keys: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.backend.experiments.list(caller, { project, page: { first: 1000, after }, includeArchived: true });
      keys.push(...page.items.map((e) => e.key));
      if (!page.hasNextPage || page.cursors.length === 0) return keys;
      after = page.cursors[page.cursors.length - 1];
    }
  }
}
