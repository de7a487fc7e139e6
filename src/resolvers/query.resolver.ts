import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Experiment } from '../schema/experiment.type';
import { RegisteredModel } from '../schema/model.type';
import { Node, fromGlobalId, type Typed } from '../schema/node.type';
import { Project } from '../schema/project.type';
import { Workspace } from '../schema/workspace.type';
import { BadUserInputError } from '../errors';
import type { RequestContext } from './context';
import { unwrap } from './args';

/** Most keys in one `experiments(keys)` call. */
export const MAX_KEYS = 1000;

@Resolver()
export class QueryResolver {
  @Query(() => Node, { nullable: true, description: 'Refetches any object by its global id.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Typed<object> | null> {
    const decoded = fromGlobalId(id);
    if (!decoded) return null;
    const { loaders } = ctx;
    const [a, b, c] = decoded.key;
    const tag = <T extends object>(value: T | null | undefined, type: Typed<T>['__typename']): Typed<T> | null =>
      value ? { ...value, __typename: type } : null;
    switch (decoded.type) {
      case 'Workspace':
        return tag(unwrap(await loaders.workspace.load(a)), 'Workspace');
      case 'Project':
        return tag(unwrap(await loaders.project.load({ workspace: a, name: b ?? '' })), 'Project');
      case 'Experiment':
        return tag(unwrap(await loaders.experiment.load(a)), 'Experiment');
      case 'RegisteredModel':
        return tag(unwrap(await loaders.registeredModel.load({ workspace: a, name: b ?? '' })), 'RegisteredModel');
      case 'ModelVersion': {
        const versions = unwrap(await loaders.modelVersions.load({ workspace: a, name: b ?? '' }));
        return tag(versions.find((v) => v.version === c), 'ModelVersion');
      }
      case 'Asset': {
        return tag(unwrap(await loaders.asset.load({ experimentKey: a, assetId: b ?? '' })), 'Asset');
      }
      default:
        return null;
    }
  }

  @Query(() => [Workspace], { description: 'Workspaces the caller can read.' })
  workspaces(@Ctx() ctx: RequestContext) {
    return ctx.backend.projects.listWorkspaces(ctx.caller);
  }

  @Query(() => Workspace, { nullable: true })
  async workspace(@Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.workspace.load(name));
  }

  @Query(() => Project, { nullable: true })
  async project(@Arg('workspace') workspace: string, @Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.project.load({ workspace, name }));
  }

  @Query(() => Experiment, { nullable: true })
  async experiment(@Arg('key') key: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.experiment.load(key));
  }

  @Query(() => [Experiment], { nullable: 'items', description: `Experiments by key, in key order, null where missing (at most ${MAX_KEYS} keys).` })
  async experiments(@Arg('keys', () => [String]) keys: string[], @Ctx() ctx: RequestContext) {
    if (keys.length > MAX_KEYS) throw new BadUserInputError(`keys may hold at most ${MAX_KEYS} keys, got ${keys.length}`, { field: 'keys' });
    const results = await ctx.loaders.experiment.loadMany(keys);
    return results.map((r) => unwrap(r));
  }

  @Query(() => RegisteredModel, { nullable: true })
  async registeredModel(@Arg('workspace') workspace: string, @Arg('name') name: string, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.registeredModel.load({ workspace, name }));
  }
}
