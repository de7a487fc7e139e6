/**
 * Malformed, oversized, hostile and missing input at every entry point: each gets a clear error with its
 * code, and a follow-up query shows nothing was stored or corrupted.
 */
import { execFileSync } from 'node:child_process';
import { codes, gql, gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';

let gw: ChildGateway;
let key: string;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted status } }`;
const STATE = `query($k: String!) { experiment(key: $k) { tags parameters { name value } metrics { name count last } } }`;

beforeAll(async () => {
  gw = await startChildGateway({ TRACKQL_MAX_METRIC_POINTS: '100', TRACKQL_MAX_BODY_BYTES: '65536' });
  key = (await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "w", project: "p", tags: ["t"], parameters: [{name: "lr", value: 0.1}]}) { experiment { key } } }`)).createExperiment.experiment.key;
  await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: 1, step: 0 }] } });
});
afterAll(() => gw.dispose());

async function expectUnchanged(): Promise<void> {
  const data = await gqlOk(gw.url, STATE, { k: key });
  expect(data.experiment).toEqual({ tags: ['t'], parameters: [{ name: 'lr', value: '0.1' }], metrics: [{ name: 'loss', count: 1, last: 1 }] });
}

async function post(body: string, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('bad input', () => {
  afterEach(expectUnchanged);

  it('answers malformed GraphQL with BAD_USER_INPUT and the parser message', async () => {
    const res = await gql(gw.url, '{ experiment(key: "x") { key ');
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0].message).toMatch(/Syntax Error/);
    expect(res.errors?.[0].extensions?.reason).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers unknown fields and wrong variable types with BAD_USER_INPUT', async () => {
    expect(codes(await gql(gw.url, '{ experiment(key: "x") { nope } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: 'high', step: 1 }] } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: 1, step: 1.5 }] } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, LOG, { input: { experimentKey: key } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, LOG, {}))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses broken JSON, empty bodies, batches and non-JSON bodies', async () => {
    const broken = await post('{"query": "{ workspaces { name } }"');
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await post('')).status).toBe(400);
    const batch = await post(JSON.stringify([{ query: '{ workspaces { name } }' }, { query: '{ workspaces { name } }' }]));
    expect(batch.status).toBe(400);
    expect((await post('{ workspaces { name } }', 'text/plain')).status).toBe(400);
  });

  it('refuses a request body over the limit with PAYLOAD_TOO_LARGE', async () => {
    const res = await post(JSON.stringify({ query: `{ workspaces { name } } # ${'x'.repeat(70_000)}` }));
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a batch over the point limit whole', async () => {
    const points = Array.from({ length: 101 }, (_, step) => ({ name: 'loss', value: step, step }));
    const res = await gql(gw.url, LOG, { input: { experimentKey: key, points } });
    expect(codes(res)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(res.errors?.[0].message).toMatch(/at most 100 points/);
  });

  it('refuses a whole batch when one point has a negative step, a bad name or two values', async () => {
    const good = { name: 'loss', value: 0.5, step: 1 };
    for (const bad of [{ name: 'loss', value: 1, step: -1 }, { name: '  ', value: 1, step: 2 }, { name: 'x'.repeat(300), value: 1, step: 2 },
      { name: 'loss', value: 1, nonFinite: 'NAN', step: 2 }, { name: 'loss', step: 2 }, { name: 'loss', value: 1, step: 2, epoch: -3 }]) {
      const res = await gql(gw.url, LOG, { input: { experimentKey: key, points: [good, bad] } });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0].message).toMatch(/points\[1\]/);
    }
  });

  it('refuses a column-form batch with unequal columns whole, with the points of the same call', async () => {
    const res = await gql(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: 0.2, step: 5 }], series: [{ name: 'loss', steps: [6, 7], values: [1] }] } });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0].message).toMatch(/series\[0\]\.values/);
  });

  it('refuses NaN and Infinity spelled as numbers or strings in value (use nonFinite)', async () => {
    for (const value of ['NaN', 'Infinity', '-Infinity', '1e400']) {
      const res = await post(`{"query": ${JSON.stringify(LOG)}, "variables": {"input": {"experimentKey": "${key}", "points": [{"name": "loss", "value": ${value === '1e400' ? value : JSON.stringify(value)}, "step": 3}]}}}`);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('accepts bare NaN, Infinity and -Infinity as Python json.dumps writes them, and stores them as non-finite values', async () => {
    const fresh = (await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "w", project: "p"}) { experiment { key } } }`)).createExperiment.experiment.key;
    // The body exactly as a Python client would send it.
    const body = execFileSync('python3', ['-c', `import json, sys
points = [{"name": "py", "value": v, "step": i} for i, v in enumerate([float("nan"), float("inf"), float("-inf"), 0.5])]
series = [{"name": "cols", "steps": [0, 1, 2], "values": [1.5, float("nan"), float("-inf")]}]
sys.stdout.write(json.dumps({"query": sys.argv[1], "variables": {"input": {"experimentKey": sys.argv[2], "points": points, "series": series}}}))`, LOG, fresh], { encoding: 'utf8' });
    expect(body).toContain('"value": NaN');
    const res = await post(body);
    expect(res).toEqual({ status: 200, body: { data: { logMetrics: { accepted: 7, status: 'ACCEPTED' } } } });
    const stored = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) {
      py: metric(name: "py") { history { points { step value nonFinite } } }
      cols: metric(name: "cols") { history { points { step value nonFinite } } } } }`, { k: fresh });
    expect(stored.experiment.py.history.points).toEqual([
      { step: 0, value: null, nonFinite: 'NAN' }, { step: 1, value: null, nonFinite: 'INFINITY' },
      { step: 2, value: null, nonFinite: 'NEGATIVE_INFINITY' }, { step: 3, value: 0.5, nonFinite: null },
    ]);
    expect(stored.experiment.cols.history.points).toEqual([
      { step: 0, value: 1.5, nonFinite: null }, { step: 1, value: null, nonFinite: 'NAN' }, { step: 2, value: null, nonFinite: 'NEGATIVE_INFINITY' },
    ]);
  });

  it('refuses a bare NaN or Infinity where no nonFinite can hold it, saying how to send one, and stores nothing', async () => {
    const point = (fields: string) => `{"query": ${JSON.stringify(LOG)}, "variables": {"input": {"experimentKey": "${key}", "points": [{"name": "loss", ${fields}}]}}}`;
    const cases = [
      [point('"value": 1, "step": NaN'), '$input.points[0].step'],
      [point('"value": Infinity, "nonFinite": "NAN", "step": 4'), '$input.points[0].value'],
      [`{"query": "mutation($k: String!, $v: JSON!) { logParameters(input: {experimentKey: $k, parameters: [{name: \\"x\\", value: $v}]}) { accepted } }", "variables": {"k": "${key}", "v": {"a": [1, -Infinity]}}}`, '$v.a[1]'],
    ];
    for (const [body, where] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'NON_FINITE_NUMBER' });
      expect(res.body.errors[0].message).toContain(`Variable ${where} is`);
      expect(res.body.errors[0].message).toContain('send such a metric value as `nonFinite` (NAN, INFINITY, NEGATIVE_INFINITY) with `value: null`');
    }
    // Only the three tokens, and only outside strings: other spellings stay invalid JSON.
    for (const token of ['-NaN', 'nan', 'inf', '+Infinity', 'NaNa']) {
      expect((await post(point(`"value": ${token}, "step": 4`))).body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_JSON' });
    }
    await expectUnchanged();
  });

  it('answers unknown experiments with NOT_FOUND on every write', async () => {
    const unknown = 'ffffffffffffffffffffffffffffffff';
    const writes = [
      [LOG, { input: { experimentKey: unknown, points: [{ name: 'loss', value: 1, step: 1 }] } }],
      [`mutation($k: String!) { logParameters(input: {experimentKey: $k, parameters: [{name: "a", value: 1}]}) { accepted } }`, { k: unknown }],
      [`mutation($k: String!) { logOthers(input: {experimentKey: $k, others: [{key: "a", value: 1}]}) { accepted } }`, { k: unknown }],
      [`mutation($k: String!) { addTags(input: {experimentKey: $k, tags: ["a"]}) { tags } }`, { k: unknown }],
      [`mutation($k: String!) { endExperiment(input: {experimentKey: $k}) { experiment { key } } }`, { k: unknown }],
      [`mutation($k: String!) { archiveExperiment(input: {experimentKey: $k}) { experiment { key } } }`, { k: unknown }],
      [`mutation($k: String!) { deleteExperiment(input: {experimentKey: $k}) { deletedKey } }`, { k: unknown }],
      [`mutation($k: String!) { createExperiment(input: {workspace: "w", project: "p", parentKey: $k}) { experiment { key } } }`, { k: unknown }],
    ] as const;
    for (const [query, variables] of writes) {
      expect(codes(await gql(gw.url, query, variables))).toEqual(['NOT_FOUND']);
    }
  });

  it('refuses hostile keys and names with BAD_USER_INPUT', async () => {
    for (const k of ["' OR 1=1 --", '../../etc', 'x'.repeat(200), '']) {
      expect(codes(await gql(gw.url, LOG, { input: { experimentKey: k, points: [{ name: 'loss', value: 1, step: 1 }] } }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await gql(gw.url, `mutation { addTags(input: {experimentKey: "${key}", tags: ["ok", "bad\\u0000tag"]}) { tags } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `mutation { logParameters(input: {experimentKey: "${key}", parameters: [{name: "a", value: 1}, {name: "a", value: 2}]}) { accepted } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `mutation { logParameters(input: {experimentKey: "${key}", parameters: [{name: "b", value: null}]}) { accepted } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('treats hostile filter text as data, never as SQL', async () => {
    const res = await gqlOk(gw.url, `query($t: String!) { project(workspace: "w", name: "p") { experiments(filter: {or: [{nameContains: $t}, {tag: $t}]}) { totalCount } } }`, { t: "%' OR '1'='1" });
    expect(res.project.experiments.totalCount).toBe(0);
    const wildcard = await gqlOk(gw.url, `{ project(workspace: "w", name: "p") { experiments(filter: {nameContains: "%"}) { totalCount } } }`);
    expect(wildcard.project.experiments.totalCount).toBe(0);
  });

  it('refuses deep filters, oversized pages and samples, and bad cursors', async () => {
    let filter = '{tag: "t"}';
    for (let i = 0; i < 10; i += 1) filter = `{not: ${filter}}`;
    expect(codes(await gql(gw.url, `{ project(workspace: "w", name: "p") { experiments(filter: ${filter}) { totalCount } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `{ project(workspace: "w", name: "p") { experiments(first: 100000) { totalCount } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `{ project(workspace: "w", name: "p") { experiments(first: -1) { totalCount } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `{ project(workspace: "w", name: "p") { experiments(after: "not-a-cursor") { totalCount } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `{ experiment(key: "${key}") { metric(name: "loss") { history(samples: 20000) { totalCount } } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `{ experiment(key: "${key}") { metric(name: "loss") { history(after: "garbage") { totalCount } } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `{ experiment(key: "${key}") { assets(after: "garbage") { totalCount } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gw.url, `{ experiments(keys: [${Array.from({ length: 1001 }, () => '"a"').join(',')}]) { key } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses bad dates and nodes ids quietly', async () => {
    expect(codes(await gql(gw.url, `mutation { createExperiment(input: {workspace: "w", project: "p", startedAt: "yesterday"}) { experiment { key } } }`))).toEqual(['BAD_USER_INPUT']);
    const node = await gql(gw.url, `{ a: node(id: "garbage") { id } b: node(id: "${Buffer.from('["Experiment"]').toString('base64url')}") { id } }`);
    expect(node.errors).toBeUndefined();
    expect(node.data).toEqual({ a: null, b: null });
  });
});
