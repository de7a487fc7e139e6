/**
 * Bugs the fuzzer (fuzz.test.ts) found, one focused case each, against the real server:
 * 1. A JSON argument nested thousands deep (a parameter or other value, asset metadata) overflowed the stack
 *    where the services serialize it: INTERNAL_SERVER_ERROR. Now the JSON scalars refuse it up front.
 * 2. Request errors Apollo raises without a code ("Unsupported persisted query version", "Too many errors
 *    processing variables") came out as BAD_USER_INPUT with `reason: INTERNAL_SERVER_ERROR`.
 * 3. A malformed percent-encoding in an asset URL (`/assets/%A/x/y`) and a request target no URL parser
 *    accepts (`//[`) answered 500; the same target on a WebSocket upgrade ended the process.
 * 4. A DateTime given as Unix milliseconds past the last instant a Date holds (9007199254740991) reached
 *    `toISOString` in an error message: INTERNAL_SERVER_ERROR. Now the scalar refuses it.
 */
import net from 'node:net';
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

/** Sends raw request bytes (targets fetch would refuse or rewrite) and returns the whole answer as text. */
function rawRequest(text: string): Promise<string> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      // One answer is enough: the server may keep the connection open.
      if (/\r\n\r\n/.test(answer) && /content-length: 0|\}\]\}$/i.test(answer)) socket.end();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('malformed URLs', () => {
  it.each(['GET', 'HEAD'])('answers %s /assets/%%A/x/y with 400 BAD_USER_INPUT', async (method) => {
    for (const path of ['/assets/%A/x/y', '/assets/x/%E0%A4/y?token=abc', '/assets/x/y/%']) {
      const res = await fetch(`${gw.url}${path}`, { method });
      expect([path, res.status]).toEqual([path, 400]);
      if (method === 'GET') expect(await res.json()).toEqual({ errors: [{ message: 'The URL path has a malformed percent-encoding', extensions: { code: 'BAD_USER_INPUT', reason: 'MALFORMED_URL' } }] });
    }
  });

  it('answers a request target that is not a URL with 400, on HTTP and on a WebSocket upgrade, and stays up', async () => {
    const plain = await rawRequest('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(plain.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(plain).toContain('"code":"BAD_USER_INPUT"');
    const upgrade = await rawRequest('GET //[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    expect(upgrade.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});

describe('DateTime past what a Date can hold', () => {
  it('refuses Unix milliseconds beyond year 275760 with BAD_USER_INPUT', async () => {
    const query = 'mutation($t: DateTime) { logLabels(input: { workspace: "reg", modelName: "m", modelVersion: "1", labels: [{ predictionId: "p", timestamp: $t, labels: {} }] }) { accepted } }';
    const result = await gql(gw.url, query, { t: Number.MAX_SAFE_INTEGER });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
  });
});
