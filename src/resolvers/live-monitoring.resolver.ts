/** The live feed of production monitoring: prediction batches of one model version, as they are logged. */
import { Arg, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { BadUserInputError } from '../errors';
import type { PredictionBatchEvent as PredictionBatchData } from '../live/events';
import { PredictionBatchEvent } from '../schema/monitoring.type';
import * as v from '../services/validate';
import { OVER_WEBSOCKET, liveContext, type LiveContext } from './live.resolver';

interface PredictionsLoggedArgs {
  workspace: string;
  modelName: string;
  modelVersion: string;
}

@Resolver()
export class LiveMonitoringResolver {
  @Subscription(() => PredictionBatchEvent, {
    description: 'One event per logPredictions call on this model version from now on. NOT_FOUND when the version does not exist for your key.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, PredictionsLoggedArgs, Partial<LiveContext>>) => {
      const ctx = liveContext(context);
      const ref = { workspace: v.name(args.workspace, 'workspace'), modelName: v.name(args.modelName, 'modelName'), version: v.name(args.modelVersion, 'modelVersion') };
      return ctx.live.subscribePredictions(ctx.subscriber, ref);
    },
  })
  predictionsLogged(
    @Root() event: PredictionBatchData | undefined,
    @Arg('workspace') _workspace: string,
    @Arg('modelName') _modelName: string,
    @Arg('modelVersion') _modelVersion: string,
  ): PredictionBatchData {
    if (!event) throw new BadUserInputError(OVER_WEBSOCKET);
    return event;
  }
}
