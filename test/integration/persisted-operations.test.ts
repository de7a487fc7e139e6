/**
 * Persisted operations against the real server: Automatic Persisted Queries (hash first, text on a miss),
 * and trusted-documents mode, which runs only the operations of the manifest `npm run codegen` writes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { liveClient, record } from '../support/live';
import { CODEGEN_BIN, describeWith } from '../support/tools';

const QUERY = '{ workspaces { name } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function post(url: string, body: unknown): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}

const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('automatic persisted queries', () => {
  let gw: ChildGateway;
  beforeAll(async () => {
    gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
  });
  afterAll(() => gw.dispose());

  it('asks for the text of an unknown hash, stores it, then runs the hash alone (POST and GET)', async () => {
    const miss = await post(gw.url, { extensions: apq(sha256(QUERY)) });
    expect(miss.body.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_NOT_FOUND' } });
    const register = await post(gw.url, { query: QUERY, extensions: apq(sha256(QUERY)) });
    expect(register.body).toEqual({ data: { workspaces: [] } });
    expect((await post(gw.url, { extensions: apq(sha256(QUERY)) })).body).toEqual({ data: { workspaces: [] } });
    const search = new URLSearchParams({ extensions: JSON.stringify(apq(sha256(QUERY))) });
    const get = await fetch(`${gw.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await get.json()).toEqual({ data: { workspaces: [] } });
  });

  it('refuses a text that does not match its hash, and odd persistedQuery values, with BAD_USER_INPUT', async () => {
    const wrong = await post(gw.url, { query: QUERY, extensions: apq('0'.repeat(64)) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    for (const odd of [{ persistedQuery: { version: 2, sha256Hash: 'x' } }, { persistedQuery: { version: 1, sha256Hash: 42 } }, { persistedQuery: 'yes' }]) {
      const res = await post(gw.url, { extensions: odd });
      expect(res.status).toBeLessThan(500);
      expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describeWith('codegen')('trusted documents', () => {
  let dir: string;
  let manifestFile: string;
  let manifest: Record<string, string>;
  let gw: ChildGateway;

  beforeAll(async () => {
    // The manifest exactly as `npm run codegen` writes it, into a folder of this test's own.
    dir = tempDir('trackql-trusted-');
    const config = readFileSync(path.join(ROOT, 'codegen', 'codegen.yml'), 'utf8').replace('../examples/generated/:', `${dir}/:`);
    writeFileSync(path.join(dir, 'codegen.yml'), config);
    execFileSync(process.execPath, [CODEGEN_BIN, '--config', path.join(dir, 'codegen.yml')], { cwd: path.join(ROOT, 'codegen'), stdio: 'pipe' });
    manifestFile = path.join(dir, 'persisted-documents.json');
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>;
    gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_TRUSTED_DOCUMENTS: manifestFile });
  }, 120_000);
  afterAll(async () => {
    await gw?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const idOf = (operation: string) => {
    const entry = Object.entries(manifest).find(([, text]) => text.includes(`${operation}(`) || text.includes(`${operation} `));
    if (!entry) throw new Error(`no ${operation} in the manifest`);
    return entry;
  };

  it('runs a manifest operation named by documentId, by APQ hash, or sent as its exact text', async () => {
    const [id, text] = idOf('mutation CreateRun');
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const input = { workspace: 'trusted', project: 'p', name: 'run' };
    const byId = await post(gw.url, { documentId: id, variables: { input } });
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data).toMatchObject({ createExperiment: { experiment: { name: 'run', status: 'RUNNING' } } });
    const byHash = await post(gw.url, { extensions: apq(id.slice('sha256:'.length)), variables: { input } });
    expect(byHash.body.data).toMatchObject({ createExperiment: { experiment: { name: 'run' } } });
    expect((await post(gw.url, { query: text, variables: { input } })).body.data).toMatchObject({ createExperiment: { experiment: { name: 'run' } } });
    const [queryId] = idOf('query ProjectDashboard');
    const search = new URLSearchParams({ documentId: queryId, variables: JSON.stringify({ workspace: 'trusted', project: 'p' }) });
    const get = await fetch(`${gw.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(((await get.json()) as { data: { project: { experimentCount: number } } }).data.project.experimentCount).toBe(3);
  });

  it('refuses any other operation with FORBIDDEN (HTTP 403), before running it', async () => {
    const [id] = idOf('mutation CreateRun');
    const refusals = [
      { query: QUERY },
      { query: 'mutation { createProject(input: { workspace: "trusted", name: "sneaky" }) { project { name } } }' },
      { documentId: `sha256:${'0'.repeat(64)}` },
      { documentId: id, query: QUERY },
      { extensions: apq(sha256(QUERY)), query: QUERY },
      { documentId: 42 },
      {},
    ];
    for (const body of refusals) {
      const res = await post(gw.url, body);
      expect(res.status).toBe(403);
      expect(res.body.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'OPERATION_NOT_TRUSTED' });
    }
    const get = await fetch(`${gw.url}/graphql?query=${encodeURIComponent(QUERY)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(403);
    const listed = await post(gw.url, { documentId: idOf('query ProjectDashboard')[0], variables: { workspace: 'trusted', project: 'sneaky' } });
    expect(listed.body.data).toEqual({ project: null });
  });

  it('refuses a subscription that is not in the manifest over WebSocket too', async () => {
    const live = liveClient(gw.url);
    try {
      const feed = record(live.client, 'subscription { experimentUpdated(workspace: "trusted", project: "p") { kind } }');
      const { error } = await feed.done;
      expect(error).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN', reason: 'OPERATION_NOT_TRUSTED' } })]);
    } finally {
      await live.dispose();
    }
  });

  it('stops the start with one clear line when the manifest is missing', async () => {
    await expect(startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_TRUSTED_DOCUMENTS: path.join(dir, 'missing.json') }))
      .rejects.toThrow(/TRACKQL_TRUSTED_DOCUMENTS must name a readable JSON manifest/);
  });
});
