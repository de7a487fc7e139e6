/** `modelVersionUpdated`: registry changes of a workspace, live; same access check and bounded queue as the other subscriptions. */
import { Arg, Ctx, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { BadUserInputError } from '../errors';
import { createLoaders } from '../loaders';
import type { ModelVersionEvent as ModelVersionEventData } from '../live/events';
import { ModelVersionEvent } from '../schema/model-live.type';
import * as v from '../services/validate';
import type { RequestContext } from './context';
import type { LiveContext } from './live.resolver';

interface ModelVersionUpdatedArgs {
  workspace: string;
  modelName?: string | null;
}

const OVER_WEBSOCKET = 'Subscriptions are served over WebSocket: connect to ws://<host>/graphql with the graphql-transport-ws protocol (graphql-ws)';

@Resolver()
export class ModelLiveResolver {
  @Subscription(() => ModelVersionEvent, {
    description: 'Model versions of a workspace (only `modelName`\'s when given) created or changed from now on. NOT_FOUND when the workspace does not exist for your key.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, ModelVersionUpdatedArgs, Partial<LiveContext>>) => {
      if (!context.live || !context.subscriber) throw new BadUserInputError(OVER_WEBSOCKET);
      return context.live.subscribeModelVersions(context.subscriber, v.name(args.workspace, 'workspace'), v.optionalName(args.modelName, 'modelName'));
    },
  })
  modelVersionUpdated(
    @Root() event: ModelVersionEventData | undefined,
    @Ctx() ctx: RequestContext,
    @Arg('workspace') _workspace: string,
    @Arg('modelName', () => String, { nullable: true }) _modelName: string | null,
  ): ModelVersionEventData {
    if (!event) throw new BadUserInputError(OVER_WEBSOCKET);
    ctx.loaders = createLoaders(ctx.backend, ctx.caller); // fresh per event, as experimentUpdated does
    return event;
  }
}
