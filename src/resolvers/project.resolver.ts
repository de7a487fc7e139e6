import { Arg, Args, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { ExperimentOrder, Project as ProjectData } from '../backends/port';
import { toConnection } from '../schema/connection.type';
import { ExperimentConnection } from '../schema/experiment.type';
import { ExperimentFilterInput, ExperimentOrderInput } from '../schema/experiment.input';
import { toGlobalId } from '../schema/node.type';
import { Project } from '../schema/project.type';
import { Workspace } from '../schema/workspace.type';
import { primeExperiments } from '../loaders';
import type { RequestContext } from './context';
import { PageArgs, pageRequest, unwrap } from './args';
import { mentionsArchived, toPortFilter, toPortOrder } from './filter';

/** Oldest first: a stable, meaningful order when the client asks for none (the key breaks ties). */
const DEFAULT_ORDER: ExperimentOrder[] = [{ field: 'STARTED_AT', direction: 'ASC' }];

@Resolver(() => Project)
export class ProjectResolver {
  @FieldResolver(() => ID)
  id(@Root() p: ProjectData): string {
    return toGlobalId('Project', p.workspace, p.name);
  }

  @FieldResolver(() => Workspace)
  async workspace(@Root() p: ProjectData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.workspace.load(p.workspace)) ?? { name: p.workspace, createdAt: null };
  }

  @FieldResolver(() => ExperimentConnection)
  async experiments(
    @Root() p: ProjectData,
    @Args() page: PageArgs,
    @Arg('filter', () => ExperimentFilterInput, { nullable: true }) filter: ExperimentFilterInput | null,
    @Arg('orderBy', () => [ExperimentOrderInput], { nullable: true, description: 'Default: started first, then key.' })
    orderBy: ExperimentOrderInput[] | null,
    @Ctx() ctx: RequestContext,
  ) {
    const portFilter = filter ? toPortFilter(filter) : null;
    const result = await ctx.backend.experiments.list(ctx.caller, {
      project: { workspace: p.workspace, name: p.name },
      filter: portFilter,
      orderBy: orderBy?.length ? toPortOrder(orderBy) : DEFAULT_ORDER,
      page: pageRequest(page),
      includeArchived: mentionsArchived(portFilter),
    });
    primeExperiments(ctx.loaders, result.items);
    return toConnection(result);
  }
}
