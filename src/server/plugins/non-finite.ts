/**
 * Non-finite numbers in variables (bare NaN/Infinity/-Infinity, read by server/tolerant-json.ts). GraphQL's
 * Float cannot hold them, so where the schema gives a value a `nonFinite` twin — `value` beside `nonFinite`
 * (MetricPointInput), `values` beside `nonFinite` (MetricSeriesInput) — the number moves to its twin, exactly
 * as if the client had sent `value: null, nonFinite: NAN`. Anywhere else it is refused with BAD_USER_INPUT
 * saying where it was and how to send such values. Runs after validation, before variables are coerced.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  type GraphQLInputObjectType, type GraphQLInputType, type GraphQLSchema, getNamedType, isEnumType, isInputObjectType, isListType,
  isNonNullType, typeFromAST,
} from 'graphql';
import { BadUserInputError } from '../../errors';

type NonFinite = 'NAN' | 'INFINITY' | 'NEGATIVE_INFINITY';

const HOW = 'GraphQL Float cannot be NaN or Infinity: send such a metric value as `nonFinite` (NAN, INFINITY, NEGATIVE_INFINITY) with `value: null`';

function isNonFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && !Number.isFinite(v);
}

function nonFiniteOf(v: number): NonFinite {
  return Number.isNaN(v) ? 'NAN' : v > 0 ? 'INFINITY' : 'NEGATIVE_INFINITY';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `type` has a `nonFinite` enum field (a list of them when `list`) beside `name`. */
function hasTwin(type: GraphQLInputObjectType, name: string, list: boolean): boolean {
  const fields = type.getFields();
  const twin = fields.nonFinite;
  if (!fields[name] || !twin || !isEnumType(getNamedType(twin.type))) return false;
  const twinType = isNonNullType(twin.type) ? twin.type.ofType : twin.type;
  return isListType(twinType) === list;
}

function refuse(path: string, v: number): never {
  throw new BadUserInputError(`Variable ${path} is ${v}, which cannot be sent here. ${HOW}`, { reason: 'NON_FINITE_NUMBER' });
}

/** Moves non-finite numbers to their twins inside `value` (in place), or refuses them. */
function place(value: unknown, type: GraphQLInputType, path: string): void {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (Array.isArray(value)) value.forEach((item, i) => place(item, inner.ofType, `${path}[${i}]`));
    else place(value, inner.ofType, path);
    return;
  }
  if (isInputObjectType(inner) && isRecord(value)) {
    // Moved only when the twin is free; a value the walk below still finds is refused with the way to send it.
    if (isNonFiniteNumber(value.value) && hasTwin(inner, 'value', false) && value.nonFinite == null) {
      value.nonFinite = nonFiniteOf(value.value);
      value.value = null;
    }
    if (Array.isArray(value.values) && hasTwin(inner, 'values', true)) {
      const values = value.values as unknown[];
      const twins = Array.isArray(value.nonFinite) ? (value.nonFinite as unknown[]) : values.map(() => null);
      let moved = false;
      values.forEach((v, i) => {
        if (isNonFiniteNumber(v) && twins[i] == null) {
          twins[i] = nonFiniteOf(v);
          values[i] = null;
          moved = true;
        }
      });
      if (moved) value.nonFinite = twins;
    }
    const fields = inner.getFields();
    for (const [name, field] of Object.entries(value)) {
      if (fields[name]) place(field, fields[name].type, `${path}.${name}`);
    }
    return;
  }
  findNonFinite(value, path);
}

/** Refuses the first non-finite number anywhere in a leaf value (a scalar, or a JSON scalar's tree). */
function findNonFinite(value: unknown, path: string, depth = 0): void {
  if (isNonFiniteNumber(value)) refuse(path, value);
  if (depth > 64 || typeof value !== 'object' || value === null) return; // deeper JSON is refused by the JSON scalars
  for (const [key, v] of Object.entries(value)) findNonFinite(v, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, depth + 1);
}

/** `hasNonFinite(context)`: whether this request's body held a bare NaN/Infinity (the walk is skipped otherwise). */
export function nonFiniteVariablesPlugin<T extends object>(schema: GraphQLSchema, hasNonFinite: (context: T) => boolean): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, contextValue }) {
          if (!operation || !request.variables || !hasNonFinite(contextValue)) return;
          try {
            for (const definition of operation.variableDefinitions ?? []) {
              const name = definition.variable.name.value;
              const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
              if (type && name in request.variables) place(request.variables[name], type, `$${name}`);
            }
          } catch (err) {
            throw err instanceof BadUserInputError ? err.toRequestError() : err;
          }
        },
      };
    },
  };
}
