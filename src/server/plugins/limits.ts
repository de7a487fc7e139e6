/**
 * Query limits. Document size, bracket nesting and token count are checked on the text, before graphql-js
 * parses it (`checkDocumentSource`): parsing and validating an 8 MiB document is the work a limit must spare.
 * Depth, aliases, root fields and cost are checked after validation and before any resolver runs. Cost
 * counts one per field, and multiplies the cost of a list's selection by the smallest bound in force on its
 * size (`first`, or `samples` when given, the number of `keys` or `names`), or by a documented estimate for a
 * list that takes no bound (`LIST_ESTIMATES`), so a query that would fan out to a million nodes is refused up
 * front with QUERY_TOO_COMPLEX.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLObjectType, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode, getNamedType, isObjectType, Kind, Lexer, Source, TokenKind,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { QueryTooComplexError } from '../../errors';

export interface QueryLimits {
  maxDocumentBytes: number;
  /** Most lexical tokens in a document (graphql-js's `maxTokens`); comments are not tokens. */
  maxTokens: number;
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxRootFields: number;
}

export interface QueryMeasure {
  depth: number;
  cost: number;
  aliases: number;
  rootFields: number;
}

/**
 * Items assumed for lists that take no size argument (README, "Query limits"). Lists inside a connection
 * (`nodes`, `edges`) and a history's `points` are bounded by their parent's `first`/`samples`, which already
 * multiplied them, so they count 1 here. A scalar list (tags) costs its estimate; an object list multiplies its
 * selection by it.
 */
export const LIST_ESTIMATES: Readonly<Record<string, number>> = Object.freeze({
  'Query.workspaces': 10,
  'Experiment.children': 20,
  'Experiment.metrics': 50,
  'Experiment.models': 10,
  'Experiment.others': 50,
  'Experiment.parameters': 100,
  'Experiment.tags': 20,
  'ExperimentEvent.tags': 20,
  'ExperimentModel.assets': 20,
  'RegisteredModel.versions': 20,
  'RegisterModelPayload.versions': 20,
  'ModelVersion.tags': 10,
  'ModelVersion.aliases': 5,
  'TagsPayload.tags': 20,
});

export function measureOperation(
  schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>,
): QueryMeasure {
  let aliases = 0;
  let maxDepth = 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, cost: 0, aliases: 0, rootFields: 0 };

  const walk = (set: SelectionSetNode, parent: GraphQLObjectType | null, depth: number, seen: ReadonlySet<string>): number => {
    maxDepth = Math.max(maxDepth, depth);
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        cost += fieldCost(selection, parent, depth, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += walk(selection.selectionSet, isObjectType(typed) ? typed : null, depth, seen);
      } else {
        const fragment = fragments[selection.name.value];
        // A fragment spread inside itself is refused by validation; `seen` guards the walk regardless.
        if (!fragment || seen.has(fragment.name.value)) continue;
        const typed = schema.getType(fragment.typeCondition.name.value);
        cost += walk(fragment.selectionSet, isObjectType(typed) ? typed : null, depth, new Set([...seen, fragment.name.value]));
      }
    }
    return cost;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLObjectType | null, depth: number, seen: ReadonlySet<string>): number => {
    const def: GraphQLField<unknown, unknown> | undefined = parent?.getFields()[node.name.value];
    const size = multiplier(parent, node, def, variables);
    if (!node.selectionSet) return size;
    const named = def ? getNamedType(def.type) : null;
    // Abstract types (Node) are walked without a parent type until a fragment names one: fields count 1 each.
    const child = named && isObjectType(named) ? named : null;
    return 1 + size * walk(node.selectionSet, child, depth + 1, seen);
  };

  const rootCost = walk(operation.selectionSet, root, 1, new Set());
  const rootFields = operation.selectionSet.selections.length;
  return { depth: maxDepth, cost: rootCost, aliases, rootFields };
}

/** The arguments `multiplier` reads: only through them (or a list estimate) can variables change a measure. */
export const BOUND_ARGUMENTS: ReadonlySet<string> = new Set(['samples', 'first', 'keys', 'names']);

/**
 * Items a field returns at most: the smallest bound in force. `samples`, when given, replaces `first` (a
 * sampled history ignores the page size); `keys` and `names` bound a list by their length; a list with no
 * bound counts its estimate. Never below 1.
 */
function multiplier(
  parent: GraphQLObjectType | null, node: FieldNode, def: GraphQLField<unknown, unknown> | undefined, variables: Record<string, unknown>,
): number {
  if (!def || !parent) return 1;
  let args: Record<string, unknown> = {};
  try {
    if (def.args.length > 0) args = getArgumentValues(def, node, variables);
  } catch {
    return 1; // bad arguments are reported by execution with a precise message
  }
  const bounds: number[] = [];
  if (typeof args.samples === 'number') bounds.push(args.samples);
  else if (typeof args.first === 'number') bounds.push(args.first);
  for (const name of ['keys', 'names']) {
    const value = args[name];
    if (Array.isArray(value)) bounds.push(value.length);
  }
  const estimate = LIST_ESTIMATES[`${parent.name}.${def.name}`];
  if (bounds.length === 0 && estimate !== undefined) bounds.push(estimate);
  return bounds.length === 0 ? 1 : Math.max(1, Math.min(...bounds));
}

/**
 * Deepest bracket nesting graphql-js may be asked to parse. Its parser recurses once per level and a few
 * thousand levels overflow the stack (a fuzzed query did), long before any selection-depth check can run, so
 * the text is scanned first, without recursion. Far above any real document (selection depth is limited to
 * TRACKQL_MAX_DEPTH anyway).
 */
export const MAX_SOURCE_NESTING = 128;

/** Refuses a document whose `{`, `(` or `[` nest deeper than `max`, skipping strings and comments. */
export function checkSourceNesting(source: string, max = MAX_SOURCE_NESTING): void {
  let depth = 0;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i += 1;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        i = end < 0 ? source.length : end + 2;
      } else {
        for (i += 1; i < source.length && source[i] !== '"' && source[i] !== '\n'; i += 1) if (source[i] === '\\') i += 1;
      }
    } else if (c === '{' || c === '(' || c === '[') {
      depth += 1;
      if (depth > max) {
        throw new QueryTooComplexError(`Query document nests brackets deeper than ${max} levels`, { limit: max });
      }
    } else if (c === '}' || c === ')' || c === ']') {
      depth = Math.max(0, depth - 1);
    }
  }
}

/** Default of TRACKQL_MAX_TOKENS: the introspection query has about 180 tokens, the example dashboard 100. */
export const DEFAULT_MAX_TOKENS = 5000;

/**
 * Checks a document's text before anything parses it: its size, its bracket nesting and its token count
 * (the tokens graphql-js's `parse(source, { maxTokens })` counts, lexed without building anything). A lexing
 * error stops the count: the parser reports it with its own message.
 */
export function checkDocumentSource(source: string, limits: Pick<QueryLimits, 'maxDocumentBytes' | 'maxTokens'>): void {
  const bytes = Buffer.byteLength(source);
  if (bytes > limits.maxDocumentBytes) {
    throw new QueryTooComplexError(`Query document is ${bytes} bytes; the limit is ${limits.maxDocumentBytes} (TRACKQL_MAX_DOCUMENT_BYTES)`, {
      measured: bytes, limit: limits.maxDocumentBytes, setting: 'TRACKQL_MAX_DOCUMENT_BYTES',
    });
  }
  checkSourceNesting(source);
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      tokens += 1;
      if (tokens > limits.maxTokens) {
        throw new QueryTooComplexError(`Query document has more than ${limits.maxTokens} tokens (TRACKQL_MAX_TOKENS)`, {
          limit: limits.maxTokens, setting: 'TRACKQL_MAX_TOKENS',
        });
      }
    }
  } catch (err) {
    if (err instanceof QueryTooComplexError) throw err;
  }
}

export function checkLimits(measure: QueryMeasure, limits: QueryLimits): void {
  const over = (what: string, value: number, max: number, variable: string) => {
    throw new QueryTooComplexError(`Query ${what} is ${value}; the limit is ${max} (${variable})`, { measured: value, limit: max, setting: variable });
  };
  if (measure.depth > limits.maxDepth) over('depth', measure.depth, limits.maxDepth, 'TRACKQL_MAX_DEPTH');
  if (measure.aliases > limits.maxAliases) over('aliases', measure.aliases, limits.maxAliases, 'TRACKQL_MAX_ALIASES');
  if (measure.rootFields > limits.maxRootFields) over('root fields', measure.rootFields, limits.maxRootFields, 'TRACKQL_MAX_ROOT_FIELDS');
  if (measure.cost > limits.maxCost) over('cost', measure.cost, limits.maxCost, 'TRACKQL_MAX_COST');
}

export function queryLimitsPlugin<T extends object>(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        // Apollo answers errors thrown here as request errors, before execution; earlier hooks would give a 500.
        async didResolveOperation({ operation, document, request, source }) {
          try {
            const bytes = Buffer.byteLength(source ?? request.query ?? '');
            if (bytes > limits.maxDocumentBytes) {
              throw new QueryTooComplexError(`Query document is ${bytes} bytes; the limit is ${limits.maxDocumentBytes} (TRACKQL_MAX_DOCUMENT_BYTES)`, {
                measured: bytes, limit: limits.maxDocumentBytes, setting: 'TRACKQL_MAX_DOCUMENT_BYTES',
              });
            }
            if (!operation) return; // Apollo reports the missing operation itself
            const fragments: Record<string, FragmentDefinitionNode> = {};
            for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
            checkLimits(measureOperation(schema, operation, fragments, request.variables ?? {}), limits);
          } catch (err) {
            throw err instanceof QueryTooComplexError ? err.toRequestError() : err;
          }
        },
      };
    },
  };
}
