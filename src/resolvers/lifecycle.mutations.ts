/** Renames, restores and deletes. Each clears the loader entries it made stale. */
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { NotFoundError } from '../errors';
import { DeleteAssetInput, DeleteModelVersionInput, DeleteProjectInput, UpdateExperimentInput, UpdateProjectInput } from '../schema/details.input';
import { DeleteAssetPayload, DeleteModelVersionPayload, DeleteProjectPayload, ProjectPayload } from '../schema/details.payload';
import { ExperimentKeyInput } from '../schema/mutation.input';
import { ExperimentPayload } from '../schema/payload.type';
import { claimOf } from '../services/idempotency';
import type { RequestContext } from './context';

@Resolver()
export class LifecycleMutations {
  @Mutation(() => ExperimentPayload, { description: 'Renames an experiment.' })
  async updateExperiment(@Arg('input') input: UpdateExperimentInput, @Ctx() ctx: RequestContext) {
    const experiment = await ctx.services.lifecycle.updateExperiment(ctx.caller, input, claimOf('updateExperiment', input));
    ctx.loaders.experiment.clear(experiment.key).prime(experiment.key, experiment);
    return { experiment };
  }

  @Mutation(() => ExperimentPayload, { description: 'Un-archives an experiment.' })
  async restoreExperiment(@Arg('input') input: ExperimentKeyInput, @Ctx() ctx: RequestContext) {
    const experiment = await ctx.services.lifecycle.restoreExperiment(ctx.caller, input.experimentKey, claimOf('restoreExperiment', input));
    ctx.loaders.experiment.clear(experiment.key).prime(experiment.key, experiment);
    ctx.loaders.project.clearAll();
    return { experiment };
  }

  @Mutation(() => ProjectPayload, { description: 'Renames a project or changes its description or visibility.' })
  async updateProject(@Arg('input') input: UpdateProjectInput, @Ctx() ctx: RequestContext) {
    const project = await ctx.services.lifecycle.updateProject(ctx.caller, input, claimOf('updateProject', input));
    ctx.loaders.project.clearAll();
    if (!project) throw new NotFoundError(`Project '${input.workspace}/${input.name}' does not exist`);
    return { project };
  }

  @Mutation(() => DeleteProjectPayload, { description: 'Deletes a project, permanently; one holding experiments only with force: true.' })
  async deleteProject(@Arg('input') input: DeleteProjectInput, @Ctx() ctx: RequestContext) {
    const deletedExperiments = await ctx.services.lifecycle.deleteProject(ctx.caller, input, claimOf('deleteProject', input));
    ctx.loaders.project.clearAll();
    ctx.loaders.experiment.clearAll();
    return { workspace: input.workspace.trim(), deletedProject: input.name.trim(), deletedExperiments };
  }

  @Mutation(() => DeleteAssetPayload, { description: 'Deletes one asset of an experiment, permanently.' })
  async deleteAsset(@Arg('input') input: DeleteAssetInput, @Ctx() ctx: RequestContext) {
    await ctx.services.lifecycle.deleteAsset(ctx.caller, input.experimentKey, input.assetId, claimOf('deleteAsset', input));
    ctx.loaders.assets.clearAll();
    ctx.loaders.asset.clearAll();
    ctx.loaders.experimentModels.clearAll();
    return { experimentKey: input.experimentKey.trim(), deletedAssetId: input.assetId.trim() };
  }

  @Mutation(() => DeleteModelVersionPayload, { description: 'Deletes one version of a registered model, permanently (its aliases go with it).' })
  async deleteModelVersion(@Arg('input') input: DeleteModelVersionInput, @Ctx() ctx: RequestContext) {
    await ctx.services.lifecycle.deleteModelVersion(ctx.caller, input, claimOf('deleteModelVersion', input));
    ctx.loaders.modelVersions.clearAll();
    return { workspace: input.workspace.trim(), modelName: input.modelName.trim(), deletedVersion: input.version.trim() };
  }
}
