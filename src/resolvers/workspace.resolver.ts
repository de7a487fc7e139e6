import { Arg, Args, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { Workspace as WorkspaceData } from '../backends/port';
import { Capabilities } from '../schema/capabilities.type';
import { toConnection } from '../schema/connection.type';
import { RegisteredModelConnection } from '../schema/model.type';
import { toGlobalId } from '../schema/node.type';
import { Project, ProjectConnection } from '../schema/project.type';
import { Workspace } from '../schema/workspace.type';
import type { RequestContext } from './context';
import { PageArgs, pageRequest, unwrap } from './args';

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @FieldResolver(() => ID)
  id(@Root() w: WorkspaceData): string {
    return toGlobalId('Workspace', w.name);
  }

  @FieldResolver(() => ProjectConnection)
  async projects(@Root() w: WorkspaceData, @Args() page: PageArgs, @Ctx() ctx: RequestContext) {
    return toConnection(await ctx.backend.projects.list(ctx.caller, w.name, pageRequest(page)));
  }

  @FieldResolver(() => Project, { nullable: true })
  async project(@Root() w: WorkspaceData, @Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.project.load({ workspace: w.name, name }));
  }

  @FieldResolver(() => RegisteredModelConnection)
  async registeredModels(@Root() w: WorkspaceData, @Args() page: PageArgs, @Ctx() ctx: RequestContext) {
    return toConnection(await ctx.backend.registry.list(ctx.caller, w.name, pageRequest(page)));
  }

  @FieldResolver(() => Capabilities)
  capabilities(@Ctx() ctx: RequestContext): Capabilities {
    const c = ctx.backend.capabilities();
    // The flat fields came first and stay for existing clients.
    return {
      ...c,
      metricPointCounts: c.metrics.pointCounts,
      removeTags: c.attributes.removeTags,
      modelAliases: c.registry.aliases,
      orFilters: c.experiments.orFilters,
    };
  }
}
