/**
 * Whole HTTP requests for the fuzzer: most run one derived operation with hostile variables; the rest break
 * the request itself (broken JSON, raw NaN/Infinity tokens, oversized or deeply nested bodies, wrong
 * shapes and content types, GET, batches, odd `extensions`).
 */
import fc from 'fast-check';
import { isNonNullType } from 'graphql';
import type { FuzzOperation } from './operations';
import { routeRequest, type RouteContext } from './routes';
import { deepJson, rawToken, toJsonText, variableValue, wrongType, type FuzzContext } from './values';

export interface FuzzRequest {
  /** What it is, for failure reports. */
  label: string;
  /** The operation it runs when it is well-formed, so a successful mutation can be told apart. */
  operation: FuzzOperation | null;
  method: 'GET' | 'POST' | 'PUT' | 'HEAD';
  /** Path of the route; `/graphql` when absent. */
  path?: string;
  search: string;
  headers: Record<string, string>;
  body?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function variablesFor(op: FuzzOperation, ctx: FuzzContext): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const v of op.variables) model[v.name] = variableValue(v.type, ctx, v.name);
  // Strict: every required variable is there. Loose: any may be left out, and unknown ones added.
  const required = ctx.strict ? op.variables.filter((v) => isNonNullType(v.type)).map((v) => v.name) : [];
  const vars = fc.record(model, { requiredKeys: required });
  if (ctx.strict) return vars;
  return fc.tuple(vars, fc.option(fc.dictionary(fc.string({ maxLength: 5 }), wrongType, { maxKeys: 2 }), { freq: 10 }))
    .map(([values, extra]) => (extra ? { ...extra, ...values } : values));
}

function operationRequest(op: FuzzOperation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(variablesFor(op, ctx), fc.option(fc.string({ minLength: 1, maxLength: 40 }), { freq: 5 })).map(([variables, key]) => {
    // Mutations sometimes carry an idempotency key inside their input.
    const vars = key !== null && op.kind === 'mutation' && typeof variables.input === 'object' && variables.input !== null && !Array.isArray(variables.input)
      ? { ...variables, input: { ...(variables.input as object), idempotencyKey: key } }
      : variables;
    return { label: op.name, operation: op, method: 'POST', search: '', headers: JSON_HEADERS, body: toJsonText({ query: op.document, variables: vars }) };
  });
}

function brokenRequest(ops: readonly FuzzOperation[], ctx: FuzzContext, maxBodyBytes: number): fc.Arbitrary<FuzzRequest> {
  const op = fc.constantFrom(...ops);
  const post = (label: string, body: string, headers: Record<string, string> = JSON_HEADERS): FuzzRequest => ({ label, operation: null, method: 'POST', search: '', headers, body });
  return fc.oneof(
    fc.tuple(op, fc.nat()).map(([o, cut]) => {
      const text = JSON.stringify({ query: o.document, variables: {} });
      return post(`truncated JSON of ${o.name}`, text.slice(0, cut % text.length));
    }),
    fc.string({ unit: 'binary', maxLength: 200 }).map((text) => post('garbage body', text)),
    fc.tuple(op, rawToken).map(([o, raw]) => post(`raw ${raw.token} as variables`, `{"query":${JSON.stringify(o.document)},"variables":${raw.token}}`)),
    fc.tuple(op, deepJson).map(([o, deep]) => post(`deep variables for ${o.name}`, toJsonText({ query: o.document, variables: { input: deep } }))),
    fc.tuple(fc.integer({ min: 1000, max: 60_000 }), fc.constantFrom('[', '{a:')).map(([depth, open]) => {
      const close = open === '[' ? ']' : '}';
      return post(`deep literal in the query text (${depth})`, JSON.stringify({ query: `{ experiment(key: ${open.repeat(depth)}1${close.repeat(depth)}) { key } }` }));
    }),
    fc.constantFrom(maxBodyBytes + 1, maxBodyBytes * 2).map((n) => post(`oversized body (${n} bytes)`, JSON.stringify({ query: `{ workspaces { name } }`, pad: 'x'.repeat(n) }))),
    fc.tuple(op, wrongType, wrongType, fc.nat(4)).map(([o, a, b, pick]) => {
      const shapes = [{ query: a, variables: b }, { query: o.document, variables: a }, { query: o.document, operationName: a }, [{ query: o.document }], a];
      return post(`wrong shapes for ${o.name}`, toJsonText(shapes[pick]));
    }),
    fc.tuple(op, wrongType).map(([o, extensions]) => post(`odd extensions for ${o.name}`, toJsonText({ query: o.document, extensions: { persistedQuery: extensions } }))),
    fc.tuple(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 70 }), fc.constantFrom(1, 2, '1', null)).map(([hash, version]) =>
      post('APQ hash alone', toJsonText({ extensions: { persistedQuery: { version, sha256Hash: hash } } }))),
    fc.tuple(op, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/graphql', '')).map(([o, type]) =>
      post(`content-type '${type}'`, JSON.stringify({ query: o.document }), type ? { 'content-type': type } : {})),
    fc.tuple(op, fc.string({ maxLength: 30 }), fc.constantFrom('query', 'variables', 'extensions', 'operationName', 'documentId')).map(([o, junk, param]) => ({
      label: `GET with odd ${param}`, operation: null, method: 'GET' as const, headers: { 'apollo-require-preflight': 'true' },
      search: `?${new URLSearchParams({ query: o.document, [param]: junk })}`,
    })),
    fc.tuple(op, variablesFor(ops[0], ctx)).map(([o, vars]) => post(`batch of ${o.name}`, toJsonText([{ query: o.document, variables: vars }, { query: o.document }]))),
    fc.tuple(op, rawToken).map(([o, raw]) => post(`raw ${raw.token} inside input`, toJsonText({ query: o.document, variables: { input: { experimentKey: 'x', value: raw, steps: [raw], points: [{ name: 'loss', value: raw, step: raw }] } } }))),
  );
}

/**
 * The request mix: about seven in ten run an operation with hostile variables, two break the request itself,
 * one goes to the asset routes or `/metrics` (same total budget: the run takes no longer).
 */
export function fuzzRequest(ops: readonly FuzzOperation[], ctx: FuzzContext, maxBodyBytes: number, routes: RouteContext): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    // One arbitrary per operation and mode, built once (building them per request costs more than the requests).
    { weight: 5, arbitrary: fc.oneof(...ops.map((op) => operationRequest(op, { ...ctx, strict: true }))) },
    { weight: 3, arbitrary: fc.oneof(...ops.map((op) => operationRequest(op, ctx))) },
    { weight: 2, arbitrary: brokenRequest(ops, ctx, maxBodyBytes) },
    { weight: 1, arbitrary: routeRequest(routes) },
  );
}
