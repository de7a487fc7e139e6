/**
 * The cached-document fast path (src/server/fast-path.ts) against Apollo's own path: two gateways on one store,
 * one with TRACKQL_FAST_PATH=false, get the same requests; every answer (status, headers, body bytes), log line
 * and metric must match, while the fast path's counter shows which repeated requests it answered. Both
 * executors (graphql-jit, graphql-js `execute`) are compared.
 */
import { rmSync } from 'node:fs';
import { isObjectType, parse } from 'graphql';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { startGateway, type Gateway } from '../../src/server/app';
import { buildTrackqlSchema } from '../../src/schema/build';
import { JIT_MAX_TEXT, executorFor } from '../../src/server/fast-path-executor';
import { ANONYMOUS } from '../../src/server/identity';
import { tempDir } from '../support/gateway';
import { bearer, createKey } from '../support/keys';
import { find, parseExposition } from '../support/prom';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that differ between two servers for reasons of their own (clock, trace, connection). */
const UNCOMPARED = new Set(['date', 'traceparent', 'connection', 'keep-alive']);

async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
  const kept: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!UNCOMPARED.has(name)) kept[name] = value;
  });
  return { status: res.status, headers: kept, body: await res.text() };
}

async function fastServed(gw: Gateway): Promise<number> {
  const scrape = await gw.metrics.render();
  return find(parseExposition(scrape.body), 'trackql_graphql_fast_path_requests_total')[0]?.value ?? 0;
}

const EXPERIMENT = `query One($key: String!) { experiment(key: $key) { ...Head archived
  p: parameters { name value } ... on Experiment { tags } } }
  fragment Head on Experiment { key name status startedAt workspace id __typename }`;
const TWO_OPERATIONS = `query A($key: String!) { experiment(key: $key) { key } } query B { workspaces { name } }`;
const NODE = `query Node($id: ID!) { node(id: $id) { id __typename ... on Experiment { key startedAt archived }
  ... on Project { name } } }`;
const METRICS = `query M($key: String!) { experiment(key: $key) { metrics { name count last lastNonFinite lastStep
  history(samples: 10) { points { step value nonFinite timestamp } } } } }`;
const MANY = 'query Many($keys: [String!]!) { experiments(keys: $keys) { key name tags } }';
const DIRECTIVES = `query D($key: String!, $with: Boolean!, $without: Boolean = true) { experiment(key: $key) {
  key name @include(if: $with) tags @skip(if: $without) parameters @include(if: $with) { name } } }`;
const PAGED = 'query Paged($n: Int!) { deadLetters(first: $n) { nodes { id } } }';
/** A filter variable of a recursive input type (`and`, `or`, `not` take ExperimentFilterInput again). */
const FILTERED = `query Filtered($f: ExperimentFilterInput) { project(workspace: "ml", name: "p") {
  experiments(filter: $f) { nodes { key name } } } }`;

describe.each(['jit', 'execute'])('cached-document fast path, run by %s', (executor) => {
  let dataDir: string;
  let apollo: Gateway;
  let fast: Gateway;
  const lines: { apollo: string[]; fast: string[] } = { apollo: [], fast: [] };
  let mine: string;
  let experimentId: string;
  let theirs: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    dataDir = tempDir('trackql-fast-path-');
    const store = createSqliteBackend({ dataDir });
    mine = (await store.experiments.create(ANONYMOUS, { workspace: 'ml', project: 'p', name: 'a', tags: ['x', 'y'], parameters: [{ name: 'lr', value: '0.1' }] })).key;
    await store.metrics.log(ANONYMOUS, mine, [{ name: 'loss', value: 0.5, step: 2 ** 40 }, { name: 'loss', value: NaN, step: 2 ** 40 + 1 }]);
    theirs = (await store.experiments.create(ANONYMOUS, { workspace: 'other', project: 'q', name: 'b' })).key;
    await store.close();
    experimentId = Buffer.from(JSON.stringify(['Experiment', mine])).toString('base64url');
    auth = bearer(createKey(dataDir, 'ml', 'read'));
    const env = { TRACKQL_PORT: '0', TRACKQL_HOST: '127.0.0.1', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'info' };
    const logger = (into: string[]) => createLogger('info', (line) => void into.push(line));
    apollo = await startGateway(loadConfig({ ...env, TRACKQL_FAST_PATH: 'off' }), { logger: logger(lines.apollo) });
    fast = await startGateway(loadConfig({ ...env, TRACKQL_FAST_PATH: executor }), { logger: logger(lines.fast) });
  });

  afterAll(async () => {
    await Promise.all([apollo?.stop(), fast?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The request log lines of a gateway, without what differs by clock and trace. */
  const graphqlLines = (from: string[]) => from.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'graphql')
    .map(({ requestId, keyId, operation, type, errors }) => ({ requestId, keyId, operation, type, errors }));

  type Case = [name: string, body: () => object, headers: Record<string, string>, fastServed: number];
  const json = { 'content-type': 'application/json' };
  const cases: Case[] = [
    ['custom scalars, an abstract type and a global id', () => ({ query: NODE, variables: { id: experimentId } }), json, 1],
    ['SafeInt steps, a non-finite value and a sampled history', () => ({ query: METRICS, variables: { key: mine } }), json, 1],
    ['a list with a missing and a hidden experiment', () => ({ query: MANY, variables: { keys: [mine, 'f'.repeat(32), theirs] } }), json, 1],
    ['the same list with a malformed key', () => ({ query: MANY, variables: { keys: [mine, 'not a key'] } }), json, 2],
    ['@include and @skip on variables, a default value', () => ({ query: DIRECTIVES, variables: { key: mine, with: true } }), json, 1],
    ['the same directives the other way round', () => ({ query: DIRECTIVES, variables: { key: mine, with: false, without: false } }), json, 2],
    ['a document too long to compile', () => ({ query: `${EXPERIMENT}\n# ${'x'.repeat(5000)}`, variables: { key: mine } }), json, 1],
    ['a global id that names nothing', () => ({ query: NODE, variables: { id: 'bm9wZQ' } }), json, 2],
    ['variables, aliases, named and inline fragments', () => ({ query: EXPERIMENT, variables: { key: mine } }), json, 1],
    ['the same document with another key: a missing experiment', () => ({ query: EXPERIMENT, variables: { key: 'f'.repeat(32) } }), json, 2],
    ['an experiment in a workspace the key cannot read', () => ({ query: EXPERIMENT, variables: { key: theirs } }), json, 2],
    ['a field error from a resolver (first past its bound)', () => ({ query: PAGED, variables: { n: 5000 } }), json, 1],
    ['the bound respected', () => ({ query: PAGED, variables: { n: 3 } }), json, 2],
    ['a filter variable of a recursive input type', () => ({ query: FILTERED, variables: { f: { and: [{ tag: 'x' }, { not: { tag: 'z' } }] } } }), json, 1],
    ['one operation of two, by name', () => ({ query: TWO_OPERATIONS, operationName: 'B' }), json, 1],
    ['the other one, by name', () => ({ query: TWO_OPERATIONS, operationName: 'A', variables: { key: mine } }), json, 1],
    ['no operation name for a two-operation document', () => ({ query: TWO_OPERATIONS }), json, 0],
    ['a variable of the wrong type (coercion fails: Apollo answers)', () => ({ query: EXPERIMENT, variables: { key: 5 } }), json, 0],
    ['a missing variable', () => ({ query: EXPERIMENT }), json, 0],
    ['the legacy JSON media type with a variable that fails', () => ({ query: EXPERIMENT, variables: { key: [] } }), { ...json, accept: 'application/json' }, 0],
    ['GraphQL over HTTP media type', () => ({ query: EXPERIMENT, variables: { key: mine } }), { ...json, accept: 'application/graphql-response+json' }, 2],
    ['an Accept header answered by Apollo', () => ({ query: EXPERIMENT, variables: { key: mine } }), { ...json, accept: 'application/json;q=0.9, application/graphql-response+json' }, 0],
    ['a syntax error', () => ({ query: '{ experiment(key: "x") { key }' }), json, 0],
    ['a validation error', () => ({ query: '{ experiment(key: "x") { nope } }' }), json, 0],
    ['introspection', () => ({ query: '{ __schema { queryType { name } } }' }), json, 0],
    ['a mutation', () => ({ query: 'mutation { createProject(input: {workspace: "ml", name: "z"}) { project { name } } }' }), json, 0],
    ['a persisted-query extension', () => ({ query: '{ workspaces { name } }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }), json, 0],
    ['a batch', () => [{ query: '{ workspaces { name } }' }], json, 0],
  ];

  it.each(cases)('answers %s as Apollo does', async (_name, body, headers, expected) => {
    const text = JSON.stringify(body());
    const sent = { ...auth, ...headers, 'x-request-id': 'fixed-id' };
    const before = await fastServed(fast);
    const reference = [await post(apollo.url, text, sent), await post(apollo.url, text, sent)];
    const answers = [await post(fast.url, text, sent), await post(fast.url, text, sent)];
    expect(answers).toEqual(reference);
    expect((await fastServed(fast)) - before).toBe(expected);
    expect(graphqlLines(lines.fast)).toEqual(graphqlLines(lines.apollo));
  });

  it('refuses a learned document whose variables now pass a limit, as Apollo does', async () => {
    const query = 'query Costly($n: Int!) { deadLetters(first: $n) { nodes { id kind reason } } }';
    const small = JSON.stringify({ query, variables: { n: 2 } });
    const large = JSON.stringify({ query, variables: { n: 2_000_000 } });
    const sent = { ...auth, ...json, 'x-request-id': 'fixed-id' };
    const before = await fastServed(fast);
    let last: Answer | undefined;
    for (const text of [small, small, large]) {
      last = await post(fast.url, text, sent);
      expect(last).toEqual(await post(apollo.url, text, sent));
    }
    expect((await fastServed(fast)) - before).toBe(1);
    expect(last?.status).toBe(400);
    expect((JSON.parse(last?.body ?? '{}') as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses an unknown API key before any path, with 401', async () => {
    const text = JSON.stringify({ query: EXPERIMENT, variables: { key: mine } });
    const sent = { ...json, authorization: 'Bearer tqk_unknown', 'x-request-id': 'fixed-id' };
    const answer = await post(fast.url, text, sent);
    expect(answer).toEqual(await post(apollo.url, text, sent));
    expect(answer.status).toBe(401);
  });

  it('counts the same GraphQL metrics on both paths', async () => {
    const samples = async (gw: Gateway) => find(parseExposition((await gw.metrics.render()).body), 'trackql_graphql_requests_total')
      .map((s) => `${JSON.stringify(s.labels)} ${s.value}`).sort();
    expect(await samples(fast)).toEqual(await samples(apollo));
    expect(await fastServed(apollo)).toBe(0);
  });
});

describe('the schema graphql-jit compiles', () => {
  it('gives every object field a resolver of its own (graphql-jit reads the others as plain properties)', async () => {
    const schema = await buildTrackqlSchema();
    const withoutResolver = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
      .flatMap((type) => (isObjectType(type) ? Object.values(type.getFields()).filter((f) => !f.resolve).map((f) => `${type.name}.${f.name}`) : []));
    expect(withoutResolver).toEqual([]);
  });

  it('leaves to execute a document whose variables take a recursive input type, which graphql-jit spends seconds failing to compile', async () => {
    const schema = await buildTrackqlSchema();
    const on = (text: string) => executorFor(schema, parse(text), 'jit', text.length);
    const runs = (args: string, variables = '') => on(`query${variables} { project(workspace: "ml", name: "p") { experiments${args} { nodes { key } } } }`);
    expect(runs('(filter: $f)', '($f: ExperimentFilterInput)')).toBe('execute');
    expect(runs('(filter: { and: [$f] })', '($f: ExperimentFilterInput!)')).toBe('execute');
    // Input types without a cycle, and a recursive filter written in the document, still compile.
    expect(runs('(first: $n, orderBy: $o)', '($n: Int!, $o: [ExperimentOrderInput!])')).toBe('jit');
    expect(runs('(filter: { or: [{ tag: "x" }, { not: { tag: "y" } }] })')).toBe('jit');
    expect(on(`{ workspaces { name } }\n# ${'x'.repeat(JIT_MAX_TEXT)}`)).toBe('execute');
  });
});
