import { Arg, Args, Ctx, FieldResolver, ID, ObjectType, Field, Resolver, Root } from 'type-graphql';
import type { Workspace as WorkspaceData } from '../backends/port';
import { toConnection } from '../schema/connection.type';
import { RegisteredModelConnection } from '../schema/model.type';
import { toGlobalId } from '../schema/node.type';
import { Project, ProjectConnection } from '../schema/project.type';
import { Workspace } from '../schema/workspace.type';
import type { RequestContext } from './context';
import { PageArgs, pageRequest, unwrap } from './args';

@ObjectType({ description: 'What the serving backend can do; clients can adapt instead of guessing.' })
export class Capabilities {
  @Field({ description: 'Name of the backend: sqlite or comet.' })
  backend!: string;

  @Field({ description: 'MetricSummary.count is known.' })
  metricPointCounts!: boolean;

  @Field({ description: 'removeTags is supported.' })
  removeTags!: boolean;

  @Field({ description: 'Model version aliases are supported.' })
  modelAliases!: boolean;

  @Field({ description: 'OR filters are evaluated by the backend (otherwise in the gateway after the fetch).' })
  orFilters!: boolean;
}

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @FieldResolver(() => ID)
  id(@Root() w: WorkspaceData): string {
    return toGlobalId('Workspace', w.name);
  }

  @FieldResolver(() => ProjectConnection)
  async projects(@Root() w: WorkspaceData, @Args() page: PageArgs, @Ctx() ctx: RequestContext) {
    return toConnection(await ctx.backend.listProjects(ctx.caller, w.name, pageRequest(page)), page.after);
  }

  @FieldResolver(() => Project, { nullable: true })
  async project(@Root() w: WorkspaceData, @Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.project.load({ workspace: w.name, name }));
  }

  @FieldResolver(() => RegisteredModelConnection)
  async registeredModels(@Root() w: WorkspaceData, @Args() page: PageArgs, @Ctx() ctx: RequestContext) {
    return toConnection(await ctx.backend.listRegisteredModels(ctx.caller, w.name, pageRequest(page)), page.after);
  }

  @FieldResolver(() => Capabilities)
  capabilities(@Ctx() ctx: RequestContext): Capabilities {
    return ctx.backend.capabilities();
  }
}
