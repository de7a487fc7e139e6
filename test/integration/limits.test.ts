/** Query limits answer QUERY_TOO_COMPLEX before any resolver runs, and let the example dashboard queries through. */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { codes, gql, gqlOk, ROOT, startChildGateway, type ChildGateway } from '../support/gateway';

let gw: ChildGateway;
beforeAll(async () => {
  gw = await startChildGateway({ TRACKQL_MAX_DEPTH: '12', TRACKQL_MAX_COST: '100000', TRACKQL_MAX_ALIASES: '5', TRACKQL_MAX_ROOT_FIELDS: '4', TRACKQL_MAX_DOCUMENT_BYTES: '4096', TRACKQL_MAX_TOKENS: '500' });
  await gqlOk(gw.url, 'mutation { createProject(input: {workspace: "w", name: "p"}) { project { name } } }');
});
afterAll(() => gw.dispose());

describe('query limits', () => {
  it('lets the example operations through', async () => {
    const dashboard = readFileSync(path.join(ROOT, 'examples', 'operations', 'dashboard.graphql'), 'utf8');
    const res = await gql(gw.url, dashboard, { workspace: 'w', project: 'p' });
    expect(res.errors).toBeUndefined();
    const curve = readFileSync(path.join(ROOT, 'examples', 'operations', 'history.graphql'), 'utf8');
    expect((await gql(gw.url, curve, { key: 'nope', metric: 'loss' })).errors).toBeUndefined();
  });

  it('refuses a query whose lists multiply past the cost limit', async () => {
    const res = await gql(gw.url, `{ project(workspace: "w", name: "p") { experiments(first: 1000) { nodes { metrics { history(samples: 10000) { points { step value } } } } } } }`);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(res.errors?.[0].message).toMatch(/cost is \d+; the limit is 100000 \(TRACKQL_MAX_COST\)/);
    expect(res.data).toBeUndefined();
  });

  it('counts variables in the cost', async () => {
    const query = `query($n: Int!) { project(workspace: "w", name: "p") { experiments(first: $n) { nodes { metrics { history(first: $n) { points { step } } } } } } }`;
    expect(codes(await gql(gw.url, query, { n: 1000 }))).toEqual(['QUERY_TOO_COMPLEX']);
    expect((await gql(gw.url, query, { n: 10 })).errors).toBeUndefined();
  });

  it('refuses deep queries, too many aliases, too many root fields and big documents', async () => {
    let deep = 'key';
    for (let i = 0; i < 12; i += 1) deep = `parent { ${deep} }`;
    expect(codes(await gql(gw.url, `{ experiment(key: "x") { ${deep} } }`))).toEqual(['QUERY_TOO_COMPLEX']);
    expect(codes(await gql(gw.url, `{ workspaces { ${Array.from({ length: 6 }, (_, i) => `a${i}: name`).join(' ')} } }`))).toEqual(['QUERY_TOO_COMPLEX']);
    expect(codes(await gql(gw.url, `{ ${Array.from({ length: 5 }, (_, i) => `w${i}: workspaces { name }`).join(' ')} }`))).toEqual(['QUERY_TOO_COMPLEX']);
    expect(codes(await gql(gw.url, `{ workspaces { name } } # ${'x'.repeat(5000)}`))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('accepts a 100-run dashboard with a sampled history of one metric: samples, not the first default, bounds it', async () => {
    const query = `{ project(workspace: "w", name: "p") { experiments(first: 100) { nodes { key metric(name: "loss") {
      history(samples: 100) { points { step value timestamp } } } } } } }`;
    expect(await gql(gw.url, query)).toEqual({ status: 200, data: { project: { experiments: { nodes: [] } } } });
    // The same shape paged 1,000 points a run is 10 times the work, and is refused.
    expect(codes(await gql(gw.url, query.replace('samples: 100', 'first: 1000')))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('counts lists without a size argument at their documented estimate', async () => {
    const query = `{ experiment(key: "x") { children { children { metrics { history(first: 10) { points { step } } } } } } }`;
    const res = await gql(gw.url, query);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(res.errors?.[0].message).toMatch(/cost is \d+; the limit is 100000/);
    // Naming the metrics bounds the list by the names given.
    expect((await gql(gw.url, query.replace('metrics {', 'metrics(names: ["loss"]) {'))).errors).toBeUndefined();
  });

  it('refuses an 8 MiB document before parsing it, by its size', async () => {
    const aliases = 'a: name '.repeat(1024 * 1024);
    for (const query of [`{ workspaces { ${aliases} } }`, `{ workspaces { ${aliases}`]) {
      const res = await gql(gw.url, query.slice(0, 8 * 1024 * 1024 - 64));
      expect(res.status).toBe(400);
      expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(res.errors?.[0].message).toMatch(/Query document is \d+ bytes; the limit is 4096 \(TRACKQL_MAX_DOCUMENT_BYTES\)/);
    }
  });

  it('refuses a document with more tokens than TRACKQL_MAX_TOKENS before parsing it', async () => {
    const res = await gql(gw.url, `{ workspaces { ${'name '.repeat(600)}} }`);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(res.errors?.[0]).toMatchObject({ message: 'Query document has more than 500 tokens (TRACKQL_MAX_TOKENS)', extensions: { limit: 500, setting: 'TRACKQL_MAX_TOKENS' } });
    // Comments are not tokens.
    expect((await gql(gw.url, `{ workspaces { name } } ${'# comment\n'.repeat(300)}`)).errors).toBeUndefined();
  });

  it('counts fragments and does not loop on fragment cycles', async () => {
    const res = await gql(gw.url, `query { experiment(key: "x") { ...A } } fragment A on Experiment { parent { ...B } } fragment B on Experiment { parent { ...A } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    const nested = `query { project(workspace: "w", name: "p") { experiments(first: 1000) { nodes { ...M } } } } fragment M on Experiment { metrics { history(first: 10000) { points { step } } } }`;
    expect(codes(await gql(gw.url, nested))).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('deeply nested documents', () => {
  it('refuses brackets nested thousands deep before parsing, with QUERY_TOO_COMPLEX', async () => {
    const deep = `{ ${'a { '.repeat(5000)}b${' }'.repeat(5000)} }`;
    const res = await gql(gw.url, deep);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    const list = `query { workspaces { name } } # ${'['.repeat(10)}`;
    expect((await gql(gw.url, list)).errors).toBeUndefined();
    const inString = `query { workspace(name: "${'{'.repeat(300)}") { name } }`;
    expect((await gql(gw.url, inString)).errors).toBeUndefined();
  });
});

/**
 * Sends a 10 MB body to /graphql over a raw socket, 64 KiB at a time with a pause every MiB (as a slow client
 * would), and reads what the server answers: status line, body, and whether the client could send it all.
 */
async function sendLargeBody(url: string, chunked: boolean, total = 10_000_000): Promise<{ status: string; body: string; sent: number; writeError: string | null }> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let answer = '';
  let writeError: string | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { answer += chunk; });
  socket.on('error', (err: NodeJS.ErrnoException) => { writeError ??= err.code ?? err.message; });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const length = chunked ? 'transfer-encoding: chunked' : `content-length: ${total}`;
  socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${length}\r\n\r\n`);
  const piece = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  while (sent < total && writeError === null && !socket.destroyed) {
    const n = Math.min(piece.length, total - sent);
    const data = chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece.subarray(0, n), Buffer.from('\r\n')]) : piece.subarray(0, n);
    if (!socket.write(data)) await new Promise<void>((resolve) => socket.once('drain', resolve).once('close', resolve));
    sent += n;
    if (sent % (1024 * 1024) < piece.length) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (chunked && writeError === null && !socket.destroyed) socket.write('0\r\n\r\n');
  // The whole answer: headers, then a JSON body of the length they announce.
  for (let i = 0; i < 100 && !/\r\n\r\n\{.*\}\]\}$/s.test(answer) && !socket.destroyed; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  socket.end();
  await closed;
  const [head, body = ''] = answer.split('\r\n\r\n');
  return { status: head.split('\r\n')[0], body, sent, writeError };
}

describe('request bodies over TRACKQL_MAX_BODY_BYTES', () => {
  it.each([['with a Content-Length', false], ['chunked', true]])('answers 413 PAYLOAD_TOO_LARGE to a client that keeps sending 10 MB (%s)', async (_how, chunked) => {
    const res = await sendLargeBody(gw.url, chunked);
    expect(res.status).toBe('HTTP/1.1 413 Payload Too Large');
    expect(JSON.parse(res.body).errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', limit: 8 * 1024 * 1024 });
    expect(res).toMatchObject({ sent: 10_000_000, writeError: null });
    // The server is still serving.
    expect((await gql(gw.url, '{ workspaces { name } }')).status).toBe(200);
  });

  it('drops at most 16 MiB of a refused body, then cuts the connection', async () => {
    const res = await sendLargeBody(gw.url, false, 64 * 1024 * 1024);
    expect(res.status).toBe('HTTP/1.1 413 Payload Too Large');
    expect(res.sent).toBeLessThan(64 * 1024 * 1024);
  });
});
