/**
 * The one boundary where request input is checked: JSON bodies and query strings are decoded against a
 * declared spec into typed objects, or refused with 400. Strict on purpose: an unknown field, a missing
 * required one or a wrong type is an error, so an adapter that misspells a field fails here rather than
 * silently against the real Comet. `null` for an optional field counts as absent (Python sends `None`s).
 */
import { badRequest } from './errors';
import { SdkErrorCode } from './constants';

interface KindMap {
  string: string;
  /** Any JSON number. */
  number: number;
  /** A safe integer (steps, epochs, ms timestamps). */
  integer: number;
  boolean: boolean;
  /** A metric value: a number, or a string (kept as sent). */
  numberOrString: number | string;
  /** A parameter or "other" value: string, number or boolean. */
  scalar: string | number | boolean;
  stringArray: string[];
  array: unknown[];
}
export type Kind = keyof KindMap;

export interface Field<K extends Kind = Kind, R extends boolean = boolean> {
  readonly kind: K;
  readonly required: R;
}
export type Spec = Readonly<Record<string, Field>>;

export const required = <K extends Kind>(kind: K): Field<K, true> => ({ kind, required: true });
export const optional = <K extends Kind>(kind: K): Field<K, false> => ({ kind, required: false });

type RequiredKeys<S extends Spec> = { [K in keyof S]: S[K]['required'] extends true ? K : never }[keyof S];
type OptionalKeys<S extends Spec> = Exclude<keyof S, RequiredKeys<S>>;
export type Decoded<S extends Spec> = { [K in RequiredKeys<S>]: KindMap[S[K]['kind']] } & {
  [K in OptionalKeys<S>]?: KindMap[S[K]['kind']];
};

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKind(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'numberOrString':
      return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
    case 'scalar':
      return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    case 'stringArray':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'array':
      return Array.isArray(value);
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown field kind ${String(unreachable)}`);
    }
  }
}

/** Checks a JSON object against `spec`. `where` names the endpoint in messages. */
export function decodeObject<S extends Spec>(value: unknown, spec: S, where: string): Decoded<S> {
  if (!isObject(value)) throw badRequest(`${where}: expected a JSON object, got ${describe(value)}`);
  for (const name of Object.keys(value)) {
    if (!(name in spec)) {
      throw badRequest(`${where}: unknown field '${name}'; expected one of ${Object.keys(spec).join(', ')}`);
    }
  }
  const out: JsonObject = {};
  for (const [name, field] of Object.entries(spec)) {
    const v = value[name];
    if (v === undefined || v === null) {
      if (field.required) throw missing(where, name);
      continue;
    }
    if (!checkKind(field.kind, v)) {
      throw badRequest(`${where}: field '${name}' must be ${field.kind}, got ${describe(v)}`);
    }
    out[name] = v;
  }
  // The checks above are exactly the ones the type states.
  return out as Decoded<S>;
}

function missing(where: string, name: string) {
  // The reference gives dedicated codes for these two (§1).
  if (name === 'experimentKey') return badRequest(`${where}: experimentKey not specified`, SdkErrorCode.NO_EXPERIMENT_KEY);
  if (name === 'projectName') return badRequest(`${where}: no project name specified`, SdkErrorCode.NO_PROJECT_NAME);
  return badRequest(`${where}: missing required field '${name}'`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40) ?? ''}`.trim();
}

/** Query-string kinds: strings as sent, integers, booleans (`true`/`false`, any case: R sends `FALSE`). */
interface QueryKindMap {
  string: string;
  integer: number;
  boolean: boolean;
}
type QueryKind = keyof QueryKindMap;
export interface QueryField<K extends QueryKind = QueryKind, R extends boolean = boolean> {
  readonly kind: K;
  readonly required: R;
}
export type QuerySpec = Readonly<Record<string, QueryField>>;
export const qRequired = <K extends QueryKind>(kind: K): QueryField<K, true> => ({ kind, required: true });
export const qOptional = <K extends QueryKind>(kind: K): QueryField<K, false> => ({ kind, required: false });
type QRequiredKeys<S extends QuerySpec> = { [K in keyof S]: S[K]['required'] extends true ? K : never }[keyof S];
export type DecodedQuery<S extends QuerySpec> = { [K in QRequiredKeys<S>]: QueryKindMap[S[K]['kind']] } & {
  [K in Exclude<keyof S, QRequiredKeys<S>>]?: QueryKindMap[S[K]['kind']];
};

/** Checks the query string: unknown parameters, repeats, missing ones and bad numbers are 400s. */
export function decodeQuery<S extends QuerySpec>(params: URLSearchParams, spec: S, where: string): DecodedQuery<S> {
  const out: Record<string, string | number | boolean> = {};
  for (const name of new Set(params.keys())) {
    if (!(name in spec)) {
      const expected = Object.keys(spec).join(', ') || 'none';
      throw badRequest(`${where}: unknown query parameter '${name}'; expected ${expected}`);
    }
    if (params.getAll(name).length > 1) throw badRequest(`${where}: query parameter '${name}' given more than once`);
  }
  for (const [name, field] of Object.entries(spec)) {
    const raw = params.get(name);
    if (raw === null || raw === '') {
      if (field.required) throw missing(where, name);
      continue;
    }
    out[name] = decodeQueryValue(field.kind, raw, name, where);
  }
  return out as DecodedQuery<S>;
}

function decodeQueryValue(kind: QueryKind, raw: string, name: string, where: string): string | number | boolean {
  switch (kind) {
    case 'string':
      return raw;
    case 'integer': {
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) {
        throw badRequest(`${where}: query parameter '${name}' must be an integer, got '${raw}'`);
      }
      return n;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        throw badRequest(`${where}: query parameter '${name}' must be true or false, got '${raw}'`);
      }
      return lower === 'true';
    }
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown query kind ${String(unreachable)}`);
    }
  }
}

/** Non-finite spellings a metric value may carry as a string, kept verbatim. */
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/**
 * A metric value as stored and read back: numbers become their decimal string, strings must be numeric or
 * one of the non-finite spellings. Whether Comet refuses other strings is not documented: refusing them is
 * the strict reading.
 */
export function metricValueToString(value: number | string, where: string): string {
  if (typeof value === 'number') return String(value);
  const trimmed = value.trim();
  if (NON_FINITE.has(trimmed)) return trimmed;
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) return value;
  throw badRequest(`${where}: metricValue must be a number or a numeric string ("NaN", "Infinity", "-Infinity" allowed), got '${value.slice(0, 40)}'`);
}

/** A parameter or other value as stored: booleans and numbers as their string form. */
export function scalarToString(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}
