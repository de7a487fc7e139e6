/**
 * The live feed's subscriptions. Each brings its own `subscribe` function instead of type-graphql's
 * topics: the subscription must first check, asynchronously, that the caller may read what it watches
 * (NOT_FOUND otherwise), and each subscriber needs its own bounded queue; both live in the hub
 * (src/live/hub.ts), which the WebSocket context carries.
 */
import { Arg, Ctx, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { BadUserInputError, PayloadTooLargeError } from '../errors';
import { createLoaders } from '../loaders';
import { MAX_SUBSCRIPTION_NAMES } from '../live/constants';
import type { ExperimentEvent as ExperimentEventData, MetricEvent as MetricEventData } from '../live/events';
import type { LiveHub, SubscriberIdentity } from '../live';
import { ExperimentEvent, MetricEvent } from '../schema/live.type';
import * as v from '../services/validate';
import type { RequestContext } from './context';

/** The context of an operation on a graphql-ws connection (src/server/live-ws.ts builds it). */
export interface LiveContext extends RequestContext {
  live: LiveHub;
  subscriber: SubscriberIdentity;
}

export const OVER_WEBSOCKET = 'Subscriptions are served over WebSocket: connect to ws://<host>/graphql with the graphql-transport-ws protocol (graphql-ws)';

export function liveContext(context: Partial<LiveContext>): LiveContext {
  if (!context.live || !context.subscriber) throw new BadUserInputError(OVER_WEBSOCKET);
  return context as LiveContext;
}

function metricNames(names: readonly string[] | null | undefined): string[] | null {
  if (names == null) return null;
  if (names.length > MAX_SUBSCRIPTION_NAMES) {
    throw new PayloadTooLargeError(`names may hold at most ${MAX_SUBSCRIPTION_NAMES} metric names, got ${names.length}`, { field: 'names', max: MAX_SUBSCRIPTION_NAMES });
  }
  return [...new Set(names.map((n, i) => v.name(n, `names[${i}]`)))];
}

interface MetricLoggedArgs {
  experimentKey: string;
  names?: string[] | null;
}

interface ExperimentUpdatedArgs {
  workspace: string;
  project: string;
}

@Resolver()
export class LiveResolver {
  @Subscription(() => MetricEvent, {
    description:
      'Points logged to one experiment from now on, one event per metric per write, points in logged order; only `names` when given. ' +
      'NOT_FOUND when the experiment does not exist for your key. A slow reader gets coalesced events (see `dropped`).',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, MetricLoggedArgs, Partial<LiveContext>>) => {
      const ctx = liveContext(context);
      return ctx.live.subscribeMetrics(ctx.subscriber, v.experimentKey(args.experimentKey), metricNames(args.names));
    },
  })
  metricLogged(
    @Root() event: MetricEventData | undefined,
    @Arg('experimentKey') _experimentKey: string,
    @Arg('names', () => [String], { nullable: true, description: `Only these metrics (at most ${MAX_SUBSCRIPTION_NAMES}).` }) _names: string[] | null,
  ): MetricEventData {
    if (!event) throw new BadUserInputError(OVER_WEBSOCKET);
    return event;
  }

  @Subscription(() => ExperimentEvent, {
    description: 'Experiments of one project created, ended, tagged, archived or deleted from now on. NOT_FOUND when the project does not exist for your key.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, ExperimentUpdatedArgs, Partial<LiveContext>>) => {
      const ctx = liveContext(context);
      return ctx.live.subscribeExperiments(ctx.subscriber, v.name(args.workspace, 'workspace'), v.name(args.project, 'project'));
    },
  })
  experimentUpdated(
    @Root() event: ExperimentEventData | undefined,
    @Ctx() ctx: RequestContext,
    @Arg('workspace') _workspace: string,
    @Arg('project') _project: string,
  ): ExperimentEventData {
    if (!event) throw new BadUserInputError(OVER_WEBSOCKET);
    // One context serves every event of a subscription: fresh loaders per event, or nested fields
    // (tags, metrics…) would answer from the first event's cache forever.
    ctx.loaders = createLoaders(ctx.backend, ctx.caller);
    if (event.experiment) ctx.loaders.experiment.prime(event.experiment.key, event.experiment);
    return event;
  }
}
