/** Builds the executable schema from the type-graphql classes. The only place that calls `buildSchema`. */
import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { resolvers } from '../resolvers';

/**
 * type-graphql refuses a schema with subscriptions unless it is given a PubSub, even when every subscription
 * brings its own `subscribe` function, as ours do (src/resolvers/live.resolver.ts: access check, then a
 * bounded queue per subscriber from the live hub). This one is never used; it fails loudly if a resolver
 * ever subscribes by topic, which would bypass both.
 */
const TOPICS_UNSUPPORTED: PubSub = {
  publish() {
    throw new Error('Publish live events through LiveEvents (src/live/events.ts), not the type-graphql PubSub');
  },
  subscribe() {
    throw new Error('Subscribe through the live hub (a `subscribe` function), not type-graphql topics');
  },
};

export async function buildTrackqlSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    // Inputs are validated by the services (clear messages, one boundary); class-validator is not used.
    validate: false,
    emitSchemaFile: false,
    pubSub: TOPICS_UNSUPPORTED,
  });
}

/** The SDL as checked in: sorted, so the file is byte-stable whatever the class load order. */
export function printSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
