import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { Asset as AssetData, ExperimentModel as ModelData } from '../backends/port';
import { Asset, ExperimentModel } from '../schema/asset.type';
import { toGlobalId } from '../schema/node.type';
import type { RequestContext } from './context';
import { unwrap } from './args';

@Resolver(() => Asset)
export class AssetResolver {
  @FieldResolver(() => ID)
  id(@Root() a: AssetData): string {
    return toGlobalId('Asset', a.experimentKey, a.assetId);
  }

  @FieldResolver(() => String, { description: 'Signed URL that streams the bytes (supports Range); it expires like upload URLs.' })
  downloadUrl(@Root() a: AssetData, @Ctx() ctx: RequestContext): string {
    return ctx.baseUrl + ctx.services.assets.downloadPath(ctx.caller, a);
  }
}

@Resolver(() => ExperimentModel)
export class ExperimentModelResolver {
  @FieldResolver(() => [Asset])
  async assets(@Root() m: ModelData, @Ctx() ctx: RequestContext) {
    const assets = await ctx.loaders.asset.loadMany(m.assetIds.map((assetId) => ({ experimentKey: m.experimentKey, assetId })));
    // An asset deleted since the model was read is left out.
    return assets.map(unwrap).filter((a) => a !== null);
  }
}
