import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { ModelVersion as VersionData, RegisteredModel as ModelData } from '../backends/port';
import { BadUserInputError } from '../errors';
import { Experiment } from '../schema/experiment.type';
import { ModelVersion, RegisteredModel } from '../schema/model.type';
import { toGlobalId } from '../schema/node.type';
import { Workspace } from '../schema/workspace.type';
import type { RequestContext } from './context';
import { unwrap } from './args';

@Resolver(() => RegisteredModel)
export class RegisteredModelResolver {
  @FieldResolver(() => ID)
  id(@Root() m: ModelData): string {
    return toGlobalId('RegisteredModel', m.workspace, m.name);
  }

  @FieldResolver(() => Workspace)
  async workspace(@Root() m: ModelData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.workspace.load(m.workspace)) ?? { name: m.workspace, createdAt: null };
  }

  @FieldResolver(() => [ModelVersion], { description: 'All versions, newest first.' })
  async versions(@Root() m: ModelData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.modelVersions.load({ workspace: m.workspace, name: m.name }));
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  async latestVersion(@Root() m: ModelData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.modelVersions.load({ workspace: m.workspace, name: m.name }))[0] ?? null;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'One version, by version string or by alias (give exactly one).' })
  async version(
    @Root() m: ModelData,
    @Ctx() ctx: RequestContext,
    @Arg('version', () => String, { nullable: true }) version: string | null,
    @Arg('alias', () => String, { nullable: true }) alias: string | null,
  ) {
    if ((version == null) === (alias == null)) throw new BadUserInputError('give exactly one of version or alias', { field: 'version' });
    const versions = unwrap(await ctx.loaders.modelVersions.load({ workspace: m.workspace, name: m.name }));
    return versions.find((v) => (version != null ? v.version === version : v.aliases.includes(alias as string))) ?? null;
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @FieldResolver(() => ID)
  id(@Root() v: VersionData): string {
    return toGlobalId('ModelVersion', v.workspace, v.modelName, v.version);
  }

  @FieldResolver(() => Experiment, { nullable: true, description: 'The experiment the version was registered from.' })
  async experiment(@Root() v: VersionData, @Ctx() ctx: RequestContext) {
    return v.experimentKey ? unwrap(await ctx.loaders.experiment.load(v.experimentKey)) : null;
  }
}
