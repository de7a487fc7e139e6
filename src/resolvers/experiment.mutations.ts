/** Mutations on projects and experiments. Each clears the loader entries it made stale. */
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import {
  CreateExperimentInput, CreateProjectInput, EndExperimentInput, ExperimentKeyInput, LogMetricsInput,
  LogOthersInput, LogParametersInput, TagsInput,
} from '../schema/mutation.input';
import {
  CreateExperimentPayload, CreateProjectPayload, DeleteExperimentPayload, EndExperimentPayload, ExperimentPayload,
  LogMetricsPayload, LogOthersPayload, LogParametersPayload, TagsPayload,
} from '../schema/payload.type';
import { experimentNotFound } from '../errors';
import { claimOf } from '../services/idempotency';
import { unwrap } from './args';
import type { RequestContext } from './context';

@Resolver()
export class ExperimentMutations {
  @Mutation(() => CreateProjectPayload)
  async createProject(@Arg('input') input: CreateProjectInput, @Ctx() ctx: RequestContext) {
    const project = await ctx.services.experiments.createProject(ctx.caller, input, claimOf('createProject', input));
    ctx.loaders.project.clearAll();
    return { project };
  }

  @Mutation(() => CreateExperimentPayload)
  async createExperiment(@Arg('input') input: CreateExperimentInput, @Ctx() ctx: RequestContext) {
    const experiment = await ctx.services.experiments.createExperiment(ctx.caller, input, claimOf('createExperiment', input));
    ctx.loaders.project.clearAll();
    ctx.loaders.experiment.clear(experiment.key).prime(experiment.key, experiment);
    return { experiment };
  }

  @Mutation(() => EndExperimentPayload)
  async endExperiment(@Arg('input') input: EndExperimentInput, @Ctx() ctx: RequestContext) {
    const experiment = await ctx.services.experiments.endExperiment(ctx.caller, input, claimOf('endExperiment', input));
    ctx.loaders.experiment.clear(experiment.key).prime(experiment.key, experiment);
    return { experiment };
  }

  @Mutation(() => LogMetricsPayload, { description: 'Stores every point of the batch, or none of them: an error means none was stored. QUEUED when the backend has not taken all of them yet; the gateway holds the rest (see WriteStatus).' })
  async logMetrics(@Arg('input') input: LogMetricsInput, @Ctx() ctx: RequestContext) {
    const claim = claimOf('logMetrics', input);
    const result = await ctx.services.metrics.logMetrics(ctx.caller, input.experimentKey, input.points ?? [], input.series ?? [], claim);
    ctx.loaders.metricSummaries.clear(input.experimentKey.trim());
    ctx.loaders.metricHistory.clearAll();
    return { experimentKey: input.experimentKey.trim(), ...result };
  }

  @Mutation(() => LogParametersPayload, { description: 'Sets parameters (overwriting same-named ones), all or none.' })
  async logParameters(@Arg('input') input: LogParametersInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.experiments.logParameters(ctx.caller, input.experimentKey, input.parameters, claimOf('logParameters', input));
    ctx.loaders.parameters.clear(input.experimentKey.trim());
    return { experimentKey: input.experimentKey.trim(), ...result };
  }

  @Mutation(() => LogOthersPayload, { description: 'Sets free-form key/values (overwriting same keys), all or none.' })
  async logOthers(@Arg('input') input: LogOthersInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.experiments.logOthers(ctx.caller, input.experimentKey, input.others, claimOf('logOthers', input));
    ctx.loaders.others.clear(input.experimentKey.trim());
    return { experimentKey: input.experimentKey.trim(), ...result };
  }

  @Mutation(() => TagsPayload)
  async addTags(@Arg('input') input: TagsInput, @Ctx() ctx: RequestContext) {
    const tags = await ctx.services.experiments.addTags(ctx.caller, input.experimentKey, input.tags, claimOf('addTags', input));
    return tagsPayload(ctx, input.experimentKey.trim(), tags);
  }

  @Mutation(() => TagsPayload)
  async removeTags(@Arg('input') input: TagsInput, @Ctx() ctx: RequestContext) {
    const tags = await ctx.services.experiments.removeTags(ctx.caller, input.experimentKey, input.tags, claimOf('removeTags', input));
    return tagsPayload(ctx, input.experimentKey.trim(), tags);
  }

  @Mutation(() => ExperimentPayload)
  async archiveExperiment(@Arg('input') input: ExperimentKeyInput, @Ctx() ctx: RequestContext) {
    const experiment = await ctx.services.experiments.archiveExperiment(ctx.caller, input.experimentKey, claimOf('archiveExperiment', input));
    ctx.loaders.experiment.clear(experiment.key).prime(experiment.key, experiment);
    return { experiment };
  }

  @Mutation(() => DeleteExperimentPayload, { description: 'Deletes the experiment and all its data, permanently.' })
  async deleteExperiment(@Arg('input') input: ExperimentKeyInput, @Ctx() ctx: RequestContext) {
    const deletedKey = await ctx.services.experiments.deleteExperiment(ctx.caller, input.experimentKey, claimOf('deleteExperiment', input));
    ctx.loaders.experiment.clear(deletedKey);
    return { deletedKey };
  }
}

/**
 * The experiment after a tag change, read fresh: the tags loader is primed with the tags the write answered, so
 * `experiment { tags }` agrees with `tags` and costs no second read.
 */
async function tagsPayload(ctx: RequestContext, experimentKey: string, tags: string[]) {
  ctx.loaders.tags.clear(experimentKey).prime(experimentKey, tags);
  ctx.loaders.experiment.clear(experimentKey);
  const experiment = unwrap(await ctx.loaders.experiment.load(experimentKey));
  // Deleted between the write and this read: the tags were written, but there is no experiment to return.
  if (experiment === null) throw experimentNotFound(experimentKey);
  return { experimentKey, tags, experiment };
}
