/** Mutations on run details and project notes. Each clears the loader entries it made stale. */
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { NotFoundError } from '../errors';
import { AppendOutputInput, LogCurveInput, SetProjectNotesInput, UpdateRunDetailsInput } from '../schema/details.input';
import { AppendOutputPayload, ProjectPayload } from '../schema/details.payload';
import { ExperimentPayload } from '../schema/payload.type';
import { claimOf } from '../services/idempotency';
import { unwrap } from './args';
import type { RequestContext } from './context';

@Resolver()
export class DetailsMutations {
  @Mutation(() => ExperimentPayload, { description: 'Sets run details; only the fields given change. A git patch is uploaded with createAssetUpload(type: "git-patch").' })
  async updateRunDetails(@Arg('input') input: UpdateRunDetailsInput, @Ctx() ctx: RequestContext) {
    const experiment = await ctx.services.details.updateRunDetails(ctx.caller, input, claimOf('updateRunDetails', input));
    ctx.loaders.details.part.clearAll();
    ctx.loaders.experiment.clear(experiment.key).prime(experiment.key, experiment);
    return { experiment };
  }

  @Mutation(() => AppendOutputPayload, { description: 'Appends console output lines after the last one: all of them, or none (an error means none was stored).' })
  async appendOutput(@Arg('input') input: AppendOutputInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.details.appendOutput(ctx.caller, input.experimentKey, input.lines, claimOf('appendOutput', input));
    ctx.loaders.details.output.clearAll();
    return { experimentKey: input.experimentKey.trim(), ...result };
  }

  @Mutation(() => ExperimentPayload, { description: 'Logs a curve (points x[i], y[i]) with the run.' })
  async logCurve(@Arg('input') input: LogCurveInput, @Ctx() ctx: RequestContext) {
    const experiment = await ctx.services.details.logCurve(ctx.caller, input, claimOf('logCurve', input));
    ctx.loaders.details.curves.clear(experiment.key);
    return { experiment };
  }

  @Mutation(() => ProjectPayload, { description: "Replaces a project's notes." })
  async setProjectNotes(@Arg('input') input: SetProjectNotesInput, @Ctx() ctx: RequestContext) {
    const ref = { workspace: input.workspace.trim(), name: input.project.trim() };
    await ctx.services.details.setProjectNotes(ctx.caller, ref, input.notes, claimOf('setProjectNotes', input));
    ctx.loaders.details.projectNotes.clear(ref);
    ctx.loaders.project.clear(ref);
    const project = unwrap(await ctx.loaders.project.load(ref));
    if (project === null) throw new NotFoundError(`Project '${ref.workspace}/${ref.name}' does not exist`);
    return { project };
  }
}
