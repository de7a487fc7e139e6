import { Arg, Args, Ctx, FieldResolver, Float, ID, Resolver, Root } from 'type-graphql';
import type { Experiment as ExperimentData, MetricSummary as SummaryData } from '../backends/port';
import { AssetConnection, ExperimentModel } from '../schema/asset.type';
import { toConnection } from '../schema/connection.type';
import { Experiment, Other, Parameter } from '../schema/experiment.type';
import { MetricSummary } from '../schema/metric.type';
import { toGlobalId } from '../schema/node.type';
import { Project } from '../schema/project.type';
import type { RequestContext } from './context';
import { PageArgs, pageRequest, unwrap } from './args';

@Resolver(() => Experiment)
export class ExperimentResolver {
  @FieldResolver(() => ID)
  id(@Root() e: ExperimentData): string {
    return toGlobalId('Experiment', e.key);
  }

  @FieldResolver(() => Project)
  async project(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    const project = unwrap(await ctx.loaders.project.load({ workspace: e.workspace, name: e.project }));
    // A project row can only be missing if it was deleted under a live experiment: describe it from the experiment.
    return project ?? { id: e.projectId, workspace: e.workspace, name: e.project, description: null, isPublic: false, createdAt: null, lastUpdatedAt: null, experimentCount: 0 };
  }

  @FieldResolver(() => String)
  workspace(@Root() e: ExperimentData): string {
    return e.workspace;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'End minus start, or now minus start while running.' })
  durationMs(@Root() e: ExperimentData): number | null {
    if (e.startedAt == null) return null;
    return (e.endedAt ?? Date.now()) - e.startedAt;
  }

  @FieldResolver(() => String, { nullable: true, description: "Link to the experiment in the backend's UI, when it has one." })
  url(@Root() e: ExperimentData): string | null {
    return e.url ?? null;
  }

  @FieldResolver(() => [String])
  async tags(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.tags.load(e.key));
  }

  @FieldResolver(() => [Parameter])
  async parameters(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.parameters.load(e.key));
  }

  @FieldResolver(() => Parameter, { nullable: true })
  async parameter(@Root() e: ExperimentData, @Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.parameters.load(e.key)).find((p) => p.name === name) ?? null;
  }

  @FieldResolver(() => [MetricSummary], { description: 'Summaries of all metrics, or only of `names`, ordered by name.' })
  async metrics(
    @Root() e: ExperimentData,
    @Arg('names', () => [String], { nullable: true }) names: string[] | null,
    @Ctx() ctx: RequestContext,
  ): Promise<SummaryData[]> {
    const all = unwrap(await ctx.loaders.metricSummaries.load(e.key));
    if (!names) return all;
    const wanted = new Set(names);
    return all.filter((m) => wanted.has(m.name));
  }

  @FieldResolver(() => MetricSummary, { nullable: true })
  async metric(@Root() e: ExperimentData, @Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.metricSummaries.load(e.key)).find((m) => m.name === name) ?? null;
  }

  @FieldResolver(() => [Other])
  async others(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.others.load(e.key));
  }

  @FieldResolver(() => AssetConnection)
  async assets(
    @Root() e: ExperimentData,
    @Arg('type', () => String, { nullable: true }) type: string | null,
    @Args() page: PageArgs,
    @Ctx() ctx: RequestContext,
  ) {
    // The backend cuts the page: a run with thousands of assets costs one page of rows, not the whole list.
    return toConnection(unwrap(await ctx.loaders.assets.load({ experimentKey: e.key, type, ...pageRequest(page) })));
  }

  @FieldResolver(() => [ExperimentModel], { description: 'Models logged by this experiment (assets grouped by model name).' })
  async models(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.experimentModels.load(e.key));
  }

  @FieldResolver(() => Experiment, { nullable: true })
  async parent(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    return e.parentKey ? unwrap(await ctx.loaders.experiment.load(e.parentKey)) : null;
  }

  @FieldResolver(() => [Experiment], { description: 'Child runs, started first.' })
  async children(@Root() e: ExperimentData, @Ctx() ctx: RequestContext) {
    const children = unwrap(await ctx.loaders.children.load(e.key));
    for (const c of children) ctx.loaders.experiment.prime(c.key, c);
    return children;
  }
}
