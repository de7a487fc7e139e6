/** Run details on `Experiment`, `GitInfo.patchUrl`, and notes and columns on `Project`. */
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Asset, DetailPart, Experiment as ExperimentData, GitInfo as GitData, Project as ProjectData, RunDetails } from '../backends/port';
import { DEFAULT_HISTORY_PAGE, MAX_PAGE_SIZE, checkCount } from '../backends/port';
import { BadUserInputError } from '../errors';
import { toConnection } from '../schema/connection.type';
import { Curve, Dependency, GitInfo, OutputLineConnection, OutputStreamEnum, ProjectColumn, SystemDetails } from '../schema/details.type';
import { Experiment } from '../schema/experiment.type';
import { Project } from '../schema/project.type';
import { unwrap } from './args';
import type { RequestContext } from './context';

/** Git state with the run it belongs to, so `patchUrl` can find the run's patch. */
type GitOfRun = GitData & { experimentKey: string };

/** The git patch is an asset of this type (createAssetUpload), served through `GitInfo.patchUrl`. */
export const GIT_PATCH_ASSET_TYPE = 'git-patch';

async function partOf<K extends DetailPart>(ctx: RequestContext, e: ExperimentData, part: K): Promise<RunDetails[K] | null> {
  const details = unwrap(await ctx.loaders.details.part.load({ experimentKey: e.key, part }));
  return details === null ? null : details[part];
}

/** The run's newest git-patch asset (assets list oldest first), or null. */
async function latestPatch(ctx: RequestContext, experimentKey: string): Promise<Asset | null> {
  const page = unwrap(await ctx.loaders.assets.load({ experimentKey, type: GIT_PATCH_ASSET_TYPE, first: MAX_PAGE_SIZE, after: null }));
  return page.items.at(-1) ?? null;
}

@Resolver(() => Experiment)
export class ExperimentDetailsResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Source snapshot, as logged (any characters).' })
  code(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return partOf(ctx, e, 'code');
  }

  @FieldResolver(() => SystemDetails, { nullable: true, description: 'The machine and process the run ran in.' })
  systemDetails(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return partOf(ctx, e, 'systemDetails');
  }

  @FieldResolver(() => GitInfo, { nullable: true })
  async git(@Root() e: ExperimentData, @Ctx() ctx: RequestContext): Promise<GitOfRun | null> {
    const git = await partOf(ctx, e, 'git');
    if (git !== null) return { ...git, experimentKey: e.key };
    // A patch uploaded without git metadata is still the run's git state.
    const patch = await latestPatch(ctx, e.key);
    return patch === null ? null : { commit: null, branch: null, origin: null, root: null, user: null, experimentKey: e.key };
  }

  @FieldResolver(() => String, { nullable: true, description: 'HTML notes of the run: data to show as text or in a sandbox, never to inject into a page.' })
  html(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return partOf(ctx, e, 'html');
  }

  @FieldResolver(() => String, { nullable: true, description: 'The model graph, as logged (often JSON text).' })
  modelGraph(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return partOf(ctx, e, 'modelGraph');
  }

  @FieldResolver(() => [Dependency], { description: 'Refused where capabilities.details.dependencies is false (the backend cannot read them back).' })
  async dependencies(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    if (!ctx.backend.capabilities().details.dependencies) {
      throw new BadUserInputError('This backend cannot read dependencies back (capabilities.details.dependencies is false)', { reason: 'UNSUPPORTED' });
    }
    return (await partOf(ctx, e, 'dependencies')) ?? [];
  }

  @FieldResolver(() => [Curve], { description: 'Curves, ordered by name then step.' })
  async curves(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.details.curves.load(e.key));
  }

  @FieldResolver(() => OutputLineConnection, { description: 'Console output, in order, paged by line.' })
  async output(
    @Root() e: ExperimentData,
    @Arg('first', () => Int, { defaultValue: DEFAULT_HISTORY_PAGE, description: `At most ${MAX_PAGE_SIZE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('stream', () => OutputStreamEnum, { nullable: true, description: 'Only lines of this stream.' }) stream: OutputStreamEnum | null,
    @Ctx() ctx: RequestContext,
  ) {
    const request = { experimentKey: e.key, first: checkCount(first, 0, MAX_PAGE_SIZE, 'first'), after, stream };
    return toConnection(unwrap(await ctx.loaders.details.output.load(request)));
  }
}

@Resolver(() => GitInfo)
export class GitInfoResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Signed download of the latest git-patch asset of the run; null when it has none.' })
  async patchUrl(@Root() git: GitOfRun, @Ctx() ctx: RequestContext): Promise<string | null> {
    const patch = await latestPatch(ctx, git.experimentKey);
    return patch ? ctx.baseUrl + ctx.services.assets.downloadPath(ctx.caller, patch) : null;
  }
}

@Resolver(() => Project)
export class ProjectDetailsResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Notes about the project; data, never rendered by the gateway.' })
  async notes(@Root() p: ProjectData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.details.projectNotes.load({ workspace: p.workspace, name: p.name }));
  }

  @FieldResolver(() => [ProjectColumn], { description: "Columns the project's runs can be shown, filtered or ordered by." })
  async columns(@Root() p: ProjectData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.details.projectColumns.load({ workspace: p.workspace, name: p.name }));
  }
}
