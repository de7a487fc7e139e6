/**
 * Bugs the fuzzer (fuzz.test.ts) found, one focused case each, against the real server:
 * 1. A JSON argument nested thousands deep (a parameter or other value, asset metadata) overflowed the stack
 *    where the services serialize it: INTERNAL_SERVER_ERROR. Now the JSON scalars refuse it up front.
 * 2. Request errors Apollo raises without a code ("Unsupported persisted query version", "Too many errors
 *    processing variables") came out as BAD_USER_INPUT with `reason: INTERNAL_SERVER_ERROR`.
 */
import { codes, gql, gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';

let gw: ChildGateway;
let key: string;

beforeAll(async () => {
  gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
  key = (await gqlOk(gw.url, `mutation { createExperiment(input: { workspace: "reg", project: "p" }) { experiment { key } } }`)).createExperiment.experiment.key;
});
afterAll(() => gw.dispose());

/** POSTs a body given as text: the deep values here cannot go through JSON.stringify. */
async function postText(text: string): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: res.status, body: (await res.json()) as never };
}

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('deeply nested JSON arguments', () => {
  const PARAMS = 'mutation($k: String!, $v: JSON!) { logParameters(input: { experimentKey: $k, parameters: [{ name: "deep", value: $v }] }) { accepted } }';
  const OTHERS = 'mutation($k: String!, $v: JSON!) { logOthers(input: { experimentKey: $k, others: [{ key: "deep", value: $v }] }) { accepted } }';
  const UPLOAD = 'mutation($k: String!, $m: JSONObject) { createAssetUpload(input: { experimentKey: $k, fileName: "a.bin", metadata: $m }) { uploadUrl } }';

  it.each([
    ['a parameter value', PARAMS, 'v', nested(20_000)],
    ['an other value', OTHERS, 'v', nestedObject(20_000)],
    ['asset metadata', UPLOAD, 'm', `{"x":${nested(5_000)}}`],
  ])('refuses %s nested 20,000 deep with BAD_USER_INPUT, and stores nothing', async (_what, query, name, value) => {
    const res = await postText(`{"query":${JSON.stringify(query)},"variables":{"k":${JSON.stringify(key)},"${name}":${value}}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(res.body.errors?.[0].message).toContain('JSON values may be nested at most 64 levels deep');
    const stored = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { parameters { name } others { key } assets { totalCount } } }`, { k: key });
    expect(stored.experiment).toEqual({ parameters: [], others: [], assets: { totalCount: 0 } });
  });

  it('refuses a deep JSON literal written in the document itself', async () => {
    const res = await gql(gw.url, `mutation { logOthers(input: { experimentKey: "${key}", others: [{ key: "deep", value: ${'{ a: '.repeat(100)}1${' }'.repeat(100)} }] }) { accepted } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('accepts JSON nested up to the limit', async () => {
    const res = await postText(`{"query":${JSON.stringify(PARAMS)},"variables":{"k":${JSON.stringify(key)},"v":${nested(63)}}}`);
    expect(res.body).toEqual({ data: { logParameters: { accepted: 1 } } });
    const stored = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { parameters { name value } } }`, { k: key });
    expect(stored.experiment.parameters).toEqual([{ name: 'deep', value: nested(63) }]);
  });
});

describe('request errors without a code of their own', () => {
  it('answers an unsupported persisted-query version as BAD_USER_INPUT, not as the server\'s failure', async () => {
    const res = await postText(JSON.stringify({ extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } } }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: 'Unsupported persisted query version', extensions: { code: 'BAD_USER_INPUT' } }]);
  });

  it('answers "too many errors processing variables" the same way', async () => {
    const points = Array.from({ length: 60 }, () => ({ name: 1, step: 'x' }));
    const res = await gql(gw.url, 'mutation($i: LogMetricsInput!) { logMetrics(input: $i) { accepted } }', { i: { experimentKey: key, points } });
    expect(res.status).toBe(400);
    expect(res.errors?.every((e) => e.extensions?.code === 'BAD_USER_INPUT' && e.extensions.reason !== 'INTERNAL_SERVER_ERROR')).toBe(true);
    expect(res.errors?.some((e) => e.message.startsWith('Too many errors processing variables'))).toBe(true);
  });
});
