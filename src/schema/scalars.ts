/**
 * Custom scalars. `DateTime` is ISO 8601 on the wire and Unix milliseconds inside the gateway, so domain
 * objects from the port can be returned as they are.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';

function toMillis(value: unknown): number {
  if (typeof value === 'string') {
    // Only full ISO 8601 timestamps with a zone: a bare date or a local time would be ambiguous.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
      throw new GraphQLError(`DateTime must be an ISO 8601 timestamp with a time zone, such as 2024-05-01T12:00:00Z; got '${value.slice(0, 64)}'`);
    }
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new GraphQLError(`DateTime '${value.slice(0, 64)}' is not a valid date`);
    return ms;
  }
  // Training code usually holds epoch milliseconds (as Comet's API does): accept them as they are.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new GraphQLError('DateTime must be an ISO 8601 string or Unix milliseconds');
}

export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  description:
    'A point in time. Output: an ISO 8601 string in UTC (e.g. 2024-05-01T12:00:00.000Z). ' +
    'Input: an ISO 8601 string with a time zone, or an integer of Unix milliseconds.',
  serialize(value: unknown): string {
    const ms = value instanceof Date ? value.getTime() : value;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new GraphQLError('DateTime cannot represent a non-time value');
    return new Date(ms).toISOString();
  },
  parseValue: toMillis,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT) return toMillis(Number(ast.value));
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO 8601 string or Unix milliseconds', { nodes: ast });
    return toMillis(ast.value);
  },
});

export { GraphQLJSON as JSONScalar, GraphQLJSONObject as JSONObjectScalar };
