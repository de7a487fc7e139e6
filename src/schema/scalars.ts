/**
 * Custom scalars. `DateTime` is ISO 8601 on the wire and Unix milliseconds inside the gateway, so domain
 * objects from the port can be returned as they are.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLJSON, GraphQLJSONObject, GraphQLSafeInt } from 'graphql-scalars';

/** The last millisecond a JavaScript Date can represent. */
const MAX_DATE_MS = 8.64e15;

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
  // Training code usually holds epoch milliseconds (as Comet's API does): accept them as they are, up to the
  // last instant a Date can hold (year 275760), so every accepted time can be written back out.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_DATE_MS) return value;
  throw new GraphQLError(`DateTime must be an ISO 8601 string or Unix milliseconds from 0 to ${MAX_DATE_MS}`);
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

/**
 * Steps: GraphQL's `Int` is 32-bit, and a step counted in tokens passes 2^31 within a day of training.
 * graphql-scalars' `SafeInt` carries every integer a JSON number holds exactly (up to 2^53 − 1), in and out.
 */
export const SafeIntScalar = new GraphQLScalarType({
  ...GraphQLSafeInt.toConfig(),
  description:
    'An integer from -(2^53 − 1) to 2^53 − 1 (9007199254740991), sent as a plain JSON number: the integers a ' +
    'JSON number holds exactly. Used for steps, which outgrow the 32-bit `Int` when they count tokens.',
});

/**
 * Deepest nesting of a JSON argument (parameter and other values, asset metadata). Deeper values are
 * refused when the variable is read: serializing one (JSON.stringify recurses) overflowed the stack, an
 * INTERNAL_SERVER_ERROR the fuzzer found (test/integration/fuzz.test.ts).
 */
export const MAX_JSON_DEPTH = 64;

function tooDeep(): GraphQLError {
  return new GraphQLError(`JSON values may be nested at most ${MAX_JSON_DEPTH} levels deep`);
}

/** Walks without recursion: the value may be nested far deeper than the stack allows. */
function checkValueDepth(value: unknown): void {
  const stack: { item: unknown; depth: number }[] = [{ item: value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { item, depth } = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw tooDeep();
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push({ item: child, depth: depth + 1 });
  }
}

function checkLiteralDepth(ast: ValueNode): void {
  const stack: { node: ValueNode; depth: number }[] = [{ node: ast, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { node, depth } = next;
    if (node.kind !== Kind.LIST && node.kind !== Kind.OBJECT) continue;
    if (depth >= MAX_JSON_DEPTH) throw tooDeep();
    const children = node.kind === Kind.LIST ? node.values : node.fields.map((f) => f.value);
    for (const child of children) stack.push({ node: child, depth: depth + 1 });
  }
}

/** graphql-scalars' JSON scalars with the depth limit in front. */
function depthLimited(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig();
  return new GraphQLScalarType({
    ...config,
    parseValue(value) {
      checkValueDepth(value);
      return config.parseValue ? config.parseValue(value) : value;
    },
    parseLiteral(ast, variables) {
      checkLiteralDepth(ast);
      return config.parseLiteral ? config.parseLiteral(ast, variables) : undefined;
    },
  });
}

export const JSONScalar = depthLimited(GraphQLJSON);
export const JSONObjectScalar = depthLimited(GraphQLJSONObject);
