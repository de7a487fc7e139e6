/**
 * Hostile variable values for a GraphQL input type: mostly values of the right shape with nasty contents
 * (odd unicode, control characters, huge strings and lists, edge numbers, deep JSON), so they get past
 * coercion and reach the services; otherwise values of the wrong type altogether. `Raw` stands for a JSON
 * token JSON.stringify cannot write (NaN, Infinity, 1e999), spliced into the body text by `toJsonText`.
 */
import fc from 'fast-check';
import {
  type GraphQLInputType, GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType,
} from 'graphql';

/** Names and keys that exist in the store under test, so some calls reach real data. */
export interface FuzzContext {
  readonly names: readonly string[];
  readonly experimentKeys: readonly string[];
  /** Inside a long list: no huge strings, long lists or deep JSON, so one body stays within a few MB. */
  readonly small?: boolean;
  /**
   * Values GraphQL accepts for the type (nasty contents only): such requests get past variable coercion and
   * reach resolvers and services. Without it, values of the wrong type are mixed in at every level.
   */
  readonly strict?: boolean;
  /** Name of the field or argument being filled: keys and names favour ones that exist. */
  readonly hint?: string;
}

export class Raw {
  constructor(readonly token: string) {}
}

const RAW_TOKENS = ['NaN', '-NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '1e-999', '0x10', '01', '+1', '.5', 'undefined'];

export const rawToken: fc.Arbitrary<Raw> = fc.constantFrom(...RAW_TOKENS).map((t) => new Raw(t));

const loneSurrogates = fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 });

const oddStrings = fc.constantFrom(
  '', ' ', '\u0000', 'a\u0000b', '\t\n\r', '\u202e\u202d', '\u200b\u200b', '\ufeff', '\uffff', '𝕏𝖞𝗓', '🙂'.repeat(64), 'é'.normalize('NFD'),
  'NaN', 'Infinity', '-Infinity', '1e999', 'null', 'undefined', 'true', '0', '-1', '../../etc/passwd', 'a/../b', '%00', '<script>alert(1)</script>',
  "' OR 1=1 --", '"; DROP TABLE experiments; --', '\\', '"', '{}', '[]', 'sha256:', '__proto__', 'constructor', '2024-05-01T12:00:00Z',
);

/** For a key or a name, mostly one that exists (so the call reaches real data), else anything hostile. */
function hintedString(ctx: FuzzContext): fc.Arbitrary<string> {
  const hint = ctx.hint ?? '';
  if (/^(experimentKey|key|keys|parentKey)$/.test(hint) && ctx.experimentKeys.length > 0) {
    return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ctx.experimentKeys) }, { weight: 1, arbitrary: hostileString(ctx) });
  }
  if (/^(workspace|project|name|names|registryName|modelName|experimentModelName|tags|version|alias|addAliases)$/.test(hint)) {
    return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...ctx.names) }, { weight: 1, arbitrary: hostileString(ctx) });
  }
  return hostileString(ctx);
}

export function hostileString(ctx: FuzzContext): fc.Arbitrary<string> {
  const huge = ctx.small ? fc.string({ maxLength: 3 }) : fc.integer({ min: 200, max: 40_000 }).map((n) => 'x'.repeat(n));
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...ctx.names, ...ctx.experimentKeys) },
    { weight: 12, arbitrary: oddStrings },
    { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 20 }) },
    { weight: 4, arbitrary: loneSurrogates },
    { weight: 1, arbitrary: huge },
  );
}

const strictInts = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(2147483647, -2147483648, 1_000_000, 10_001, 1001) },
);
const ints = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(2147483647, -2147483648, 2147483648, 1_000_000, 10_001, 1001, Number.MAX_SAFE_INTEGER) },
);
/** Steps: up to 2^53 − 1 is valid; in loose mode, also just past it and non-integers. */
const strictSafeInts = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(2147483648, 2 ** 40, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER) },
);
const safeInts = fc.oneof(
  { weight: 6, arbitrary: strictSafeInts },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53, -(2 ** 53), 1.5, 1e300) },
);
const floats = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0.1, 1e308, -1e308, 5e-324, 2 ** 53 + 1),
);
const strictDateTimes = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(253402300799999), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.constantFrom(0, 253402300799999, Number.MAX_SAFE_INTEGER, '2024-05-01T12:00:00+14:00', '1970-01-01T00:00:00.000000001Z'),
);
const dateTimes = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(253402300799999), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2024-13-45T99:99:99Z', '2024-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2024-05-01', 'now', ''),
  fc.constantFrom(0, -1, 1.5, 8.64e15, 8.64e15 + 1, Number.MAX_SAFE_INTEGER, 253402300800000),
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
);

/**
 * JSON nested `depth` deep (arrays, or objects): recursion in validators and serializers. Written as raw
 * text, since JSON.stringify itself overflows the stack on such a value; JSON.parse does not.
 */
export const deepJson: fc.Arbitrary<Raw> = fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean()).map(([depth, objects]) =>
  new Raw(objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`));

const smallWrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 10 }), rawToken,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

/** A value of some other type than expected (deep JSON included). */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof({ weight: 30, arbitrary: smallWrongType }, { weight: 1, arbitrary: deepJson });

const wrongTypeFor = (ctx: FuzzContext) => (ctx.small ? smallWrongType : wrongType);

/** Mostly `shaped`; in loose mode, sometimes a value of the wrong type instead. */
function sometimesWrong(ctx: FuzzContext, shaped: fc.Arbitrary<unknown>, odds: number): fc.Arbitrary<unknown> {
  return ctx.strict ? shaped : fc.oneof({ weight: odds, arbitrary: shaped }, { weight: 1, arbitrary: wrongTypeFor(ctx) });
}

function scalar(type: GraphQLScalarType, ctx: FuzzContext): fc.Arbitrary<unknown> {
  switch (type.name) {
    case 'Int':
      return ctx.strict ? strictInts : ints;
    case 'SafeInt':
      return ctx.strict ? strictSafeInts : safeInts;
    case 'Float':
      return floats;
    case 'Boolean':
      return fc.boolean();
    case 'DateTime':
      return ctx.strict ? strictDateTimes : dateTimes;
    case 'JSON':
      if (ctx.small) return fc.jsonValue({ maxDepth: 1 });
      return fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: deepJson }, { weight: 1, arbitrary: hostileString(ctx) });
    case 'JSONObject':
      if (ctx.small) return fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 });
      return fc.oneof(fc.dictionary(hostileString(ctx), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), deepJson.map((v) => ({ v })), ...(ctx.strict ? [] : [deepJson]));
    default:
      return hintedString(ctx); // String, ID
  }
}

/** A value of `type`'s shape (with hostile contents); `depth` bounds nested input objects. */
export function shapedValue(type: GraphQLInputType, ctx: FuzzContext, depth = 0): fc.Arbitrary<unknown> {
  if (type instanceof GraphQLNonNull) return shapedNonNull(type.ofType as GraphQLInputType, ctx, depth);
  const inner = shapedNonNull(type, ctx, depth);
  return fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 6, arbitrary: inner });
}

function shapedNonNull(type: GraphQLInputType, ctx: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  if (type instanceof GraphQLList) {
    const itemOf = (c: FuzzContext) => sometimesWrong(c, shapedValue(type.ofType as GraphQLInputType, c, depth + 1), 8);
    const short = fc.array(itemOf(ctx), { maxLength: depth > 1 || ctx.small ? 2 : 5 });
    if (ctx.small) return short;
    const lengths = depth <= 1 ? [1000, 1001, 10_000, 10_001] : [1001];
    return fc.oneof(
      { weight: 40, arbitrary: short },
      // Long lists: past the 1000-item and 10,000-point limits (and past the body limit when items are big).
      { weight: 1, arbitrary: fc.tuple(itemOf({ ...ctx, small: true }), fc.constantFrom(...lengths)).map(([x, n]) => Array<unknown>(n).fill(x)) },
    );
  }
  if (type instanceof GraphQLEnumType) {
    const valid = fc.constantFrom(...type.getValues().map((v) => v.name));
    return ctx.strict ? valid : fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostileString(ctx) });
  }
  if (type instanceof GraphQLScalarType) return scalar(type, ctx);
  if (type instanceof GraphQLInputObjectType) {
    if (depth > 3) return fc.constant({});
    const fields = Object.values(type.getFields());
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) model[f.name] = sometimesWrong(ctx, shapedValue(f.type, { ...ctx, hint: f.name }, depth + 1), 9);
    const required = fields.filter((f) => f.type instanceof GraphQLNonNull).map((f) => f.name);
    const record = fc.record(model, { requiredKeys: required });
    if (ctx.strict) return record;
    return fc.tuple(record, fc.option(fc.dictionary(fc.string({ maxLength: 6 }), wrongTypeFor(ctx), { maxKeys: 2 }), { freq: 8 }))
      .map(([value, extra]) => (extra ? { ...extra, ...value } : value));
  }
  return wrongType;
}

/** A variable's value: shaped; in loose mode sometimes of the wrong type, rarely a raw JSON token. */
export function variableValue(type: GraphQLInputType, context: FuzzContext, name = ''): fc.Arbitrary<unknown> {
  const ctx: FuzzContext = { ...context, hint: name.split('_').at(-1) };
  if (ctx.strict) return shapedValue(type, ctx);
  return fc.oneof({ weight: 30, arbitrary: shapedValue(type, ctx) }, { weight: 6, arbitrary: wrongType }, { weight: 1, arbitrary: rawToken });
}

/** JSON text of `value`, with each `Raw` written as its bare token. */
export function toJsonText(value: unknown): string {
  const tokens: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Raw)) return v;
    tokens.push(v.token);
    return `\u0000RAW${tokens.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000RAW(\d+)\\u0000"/g, (_m, i: string) => tokens[Number(i)]);
}
