import { Arg, Args, Ctx, FieldResolver, Float, ID, Resolver, Root } from 'type-graphql';
import type { Experiment as ExperimentData, MetricSummary as SummaryData } from '../backends/port';
import { AssetConnection, ExperimentModel } from '../schema/asset.type';
import { toConnection } from '../schema/connection.type';
import { Experiment, Other, Parameter } from '../schema/experiment.type';
import { MetricSummary } from '../schema/metric.type';
import { toGlobalId } from '../schema/node.type';
import { Project } from '../schema/project.type';
import type { RequestContext } from './context';
import { checkDefaultContext, contextOf } from '../backends/port';
import { PageArgs, pageRequest, unwrap } from './args';

const CONTEXT_ARG = 'A run context such as `train` or `validate`; "" for the default context (points logged without one). ' +
  'Refused (reason UNSUPPORTED) where capabilities.metrics.contexts is false, except the default.';

/** The context a read names, normalised (null: the default), refused where the backend keeps no contexts apart. */
function checkedContext(ctx: RequestContext, context: string | null): string | null {
  const capabilities = ctx.backend.capabilities();
  if (!capabilities.metrics.contexts) checkDefaultContext(context, capabilities.backend);
  return contextOf(context);
}

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

  @FieldResolver(() => [MetricSummary], {
    description: 'Summaries of every series, or only of `names`, ordered by name then context. Without `context`, each ' +
      "context's series is listed apart (see MetricSummary.context); with it, only that context's (\"\" is the default context).",
  })
  async metrics(
    @Root() e: ExperimentData,
    @Arg('names', () => [String], { nullable: true }) names: string[] | null,
    @Arg('context', () => String, { nullable: true, description: CONTEXT_ARG }) context: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<SummaryData[]> {
    const wantedContext = context == null ? undefined : checkedContext(ctx, context);
    const all = unwrap(await ctx.loaders.metricSummaries.load(e.key));
    const wanted = names ? new Set(names) : null;
    return all.filter((m) => (wanted === null || wanted.has(m.name)) && (wantedContext === undefined || m.context === wantedContext));
  }

  @FieldResolver(() => MetricSummary, {
    nullable: true,
    description: 'One series: the metric `name` in `context`. Without `context`: the default context, or, when the run logged ' +
      'the metric only in named contexts, the first of them by name.',
  })
  async metric(
    @Root() e: ExperimentData,
    @Arg('name') name: string,
    @Arg('context', () => String, { nullable: true, description: CONTEXT_ARG }) context: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    const series = unwrap(await ctx.loaders.metricSummaries.load(e.key)).filter((m) => m.name === name);
    // Summaries come ordered by name then context, the default (null) first: the first is the one meant.
    if (context == null) return series[0] ?? null;
    const wantedContext = checkedContext(ctx, context);
    return series.find((m) => m.context === wantedContext) ?? null;
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

