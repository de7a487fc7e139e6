/**
 * The one boundary where request input is checked: JSON bodies and query strings are decoded against a
 * declared spec into typed objects, or refused with INVALID_PARAMETER_VALUE (§2). Values follow the proto3
 * JSON mapping MLflow parses with: `null` is an absent field, int64 may come as a number or a decimal string,
 * a double may be "NaN", "Infinity" or "-Infinity". Unknown fields are refused (the strict reading, §2).
 */
import { invalid } from './errors';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface Field<T, R extends boolean = boolean> {
  readonly required: R;
  /** Decodes a present, non-null value or throws; `name` is the field's path for messages. */
  decode(value: unknown, name: string): T;
}
export type Spec = Readonly<Record<string, Field<unknown>>>;
type FieldType<F> = F extends Field<infer T> ? T : never;
type RequiredKeys<S extends Spec> = { [K in keyof S]: S[K]['required'] extends true ? K : never }[keyof S];
export type Decoded<S extends Spec> = { [K in RequiredKeys<S>]: FieldType<S[K]> } & {
  [K in Exclude<keyof S, RequiredKeys<S>>]?: FieldType<S[K]>;
};

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 60) ?? String(value);
}
const bad = (name: string, value: unknown, expected: string) =>
  invalid(`Invalid value ${describe(value)} for parameter '${name}' supplied: expected ${expected}`);

type Kind<T> = (value: unknown, name: string) => T;

const kString: Kind<string> = (v, n) => {
  if (typeof v !== 'string') throw bad(n, v, 'a string');
  return v;
};
const kBool: Kind<boolean> = (v, n) => {
  if (typeof v !== 'boolean') throw bad(n, v, 'a boolean');
  return v;
};
const kInt64: Kind<number> = (v, n) => {
  const num = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof num !== 'number' || !Number.isSafeInteger(num)) throw bad(n, v, 'an integer');
  return num;
};
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
const kDouble: Kind<number> = (v, n) => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  throw bad(n, v, 'a number (or "NaN", "Infinity", "-Infinity")');
};

function listOf<T>(item: Kind<T>): Kind<T[]> {
  return (v, n) => {
    if (!Array.isArray(v)) throw bad(n, v, 'a list');
    return v.map((x, i) => item(x, `${n}[${i}]`));
  };
}

const field = <T>(kind: Kind<T>) => ({
  required: { required: true, decode: kind } as Field<T, true>,
  optional: { required: false, decode: kind } as Field<T, false>,
});

export const str = field(kString);
export const bool = field(kBool);
export const int64 = field(kInt64);
export const double = field(kDouble);
export const strings = field(listOf(kString));

/** A nested message, decoded with its own spec. */
export function message<S extends Spec>(spec: S) {
  return field<Decoded<S>>((v, n) => decodeObject(v, spec, n));
}
/** A repeated nested message. */
export function messages<S extends Spec>(spec: S) {
  return field<Decoded<S>[]>(listOf((v, n) => decodeObject(v, spec, n)));
}

/** `{key, value}` pairs, as tags and params are sent. */
export const KEY_VALUE = { key: str.required, value: str.optional } as const;

/** Checks a JSON object against `spec`; `where` names the endpoint or the nested field in messages. */
export function decodeObject<S extends Spec>(value: unknown, spec: S, where: string): Decoded<S> {
  if (!isObject(value)) throw invalid(`${where}: expected a JSON object, got ${describe(value)}`);
  for (const name of Object.keys(value)) {
    if (!(name in spec)) throw invalid(`${where}: unknown field '${name}'; expected one of ${Object.keys(spec).join(', ')}`);
  }
  const out: JsonObject = {};
  for (const [name, f] of Object.entries(spec)) {
    const v = value[name];
    if (v === undefined || v === null) {
      if (f.required) throw invalid(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
      continue;
    }
    out[name] = f.decode(v, name);
  }
  return out as Decoded<S>;
}

/**
 * Checks a query string against `spec`: a list field takes every repetition (`run_ids=a&run_ids=b`),
 * any other field must appear at most once; an empty value counts as absent.
 */
export function decodeQuery<S extends Spec>(params: URLSearchParams, spec: S, where: string, lists: readonly string[] = []): Decoded<S> {
  const json: JsonObject = {};
  for (const name of new Set(params.keys())) {
    const all = params.getAll(name);
    if (lists.includes(name)) {
      json[name] = all;
      continue;
    }
    if (all.length > 1) throw invalid(`${where}: query parameter '${name}' given more than once`);
    if (all[0] === '') continue;
    json[name] = queryValue(spec[name], all[0]);
  }
  return decodeObject(json, spec, where);
}

/** Query values are text: booleans and int64s are read from their spelling, the rest kept as strings. */
function queryValue(f: Field<unknown> | undefined, raw: string): unknown {
  if (f === undefined) return raw; // refused as unknown by decodeObject
  if (f === bool.required || f === bool.optional) return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw; // int64 accepts decimal strings
}
