/** Builds the executable schema from the type-graphql classes. The only place that calls `buildSchema`. */
import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { resolvers } from '../resolvers';

export async function buildTrackqlSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    // Inputs are validated by the services (clear messages, one boundary); class-validator is not used.
    validate: false,
    emitSchemaFile: false,
  });
}

/** The SDL as checked in: sorted, so the file is byte-stable whatever the class load order. */
export function printSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
