/** Mutations on assets and the model registry. */
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { CreateAssetUploadInput, RegisterModelInput, UpdateModelVersionInput } from '../schema/mutation.input';
import { CreateAssetUploadPayload, RegisterModelPayload, UpdateModelVersionPayload } from '../schema/payload.type';
import { claimOf } from '../services/idempotency';
import type { RequestContext } from './context';

@Resolver()
export class ModelMutations {
  @Mutation(() => CreateAssetUploadPayload, { description: 'Returns a signed URL; PUT the bytes there to store the asset.' })
  async createAssetUpload(@Arg('input') input: CreateAssetUploadInput, @Ctx() ctx: RequestContext) {
    const { path, expiresAt } = await ctx.services.assets.createUpload(ctx.caller, input, claimOf('createAssetUpload', input));
    return { uploadUrl: ctx.baseUrl + path, expiresAt, maxBytes: ctx.services.assets.maxBytes };
  }

  @Mutation(() => RegisterModelPayload, { description: "Registers an experiment's model as a version in the workspace registry." })
  async registerModel(@Arg('input') input: RegisterModelInput, @Ctx() ctx: RequestContext) {
    const { model, versions } = await ctx.services.models.registerModel(ctx.caller, input, claimOf('registerModel', input));
    ctx.loaders.registeredModel.clearAll();
    ctx.loaders.modelVersions.clearAll();
    return { registeredModel: model, versions };
  }

  @Mutation(() => UpdateModelVersionPayload, { description: 'Changes stage, status, tags, comment or aliases of a version.' })
  async updateModelVersion(@Arg('input') input: UpdateModelVersionInput, @Ctx() ctx: RequestContext) {
    const version = await ctx.services.models.updateModelVersion(ctx.caller, input, claimOf('updateModelVersion', input));
    ctx.loaders.modelVersions.clearAll();
    return { version };
  }
}
