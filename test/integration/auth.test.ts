/**
 * API keys of the embedded store against the real server (child process): the `trackql keys` CLI, open by
 * default on loopback, UNAUTHENTICATED without a valid key, FORBIDDEN outside a key's workspaces or role,
 * and nothing secret on disk or in the logs.
 */
import { rmSync } from 'node:fs';
import { codes, gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { eventually } from '../support/live';
import { bearer, createKey, databaseBytes, revokeKey, trackql, type CreatedKey } from '../support/keys';

const CREATE = `mutation($w: String!, $p: String!) { createExperiment(input: {workspace: $w, project: $p, name: "run"}) { experiment { key id } } }`;
const LOG = `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.5, step: 1}]}) { accepted status } }`;
const WORKSPACES = '{ workspaces { name } }';

describe('trackql keys (CLI)', () => {
  let dataDir: string;
  beforeEach(() => void (dataDir = tempDir('trackql-cli-')));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates a key, printing the secret alone on stdout and once only', () => {
    const created = trackql(['keys', 'create', '--workspace', 'ml', '--role', 'write', '--name', 'ci'], { TRACKQL_DATA_DIR: dataDir });
    expect(created.status).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^tqk_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/^Created API key k_[0-9a-f]{16} \(ci\): ml=write\.\n.*shown only once/);

    const listed = trackql(['keys', 'list'], { TRACKQL_DATA_DIR: dataDir });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^ID +NAME +GRANTS +CREATED +LAST USED +REVOKED\nk_[0-9a-f]{16} +ci +ml=write +\d{4}-\d\d-\d\dT[\d:.]+Z +- +-\n$/);
    expect(listed.stdout + listed.stderr).not.toContain(secret.slice(4));
  });

  it('lists as JSON, revokes by id, and says so when revoked twice', () => {
    const key = createKey(dataDir, ['ml', 'cv'], 'read');
    expect(trackql(['keys', 'revoke', key.id, '--data-dir', dataDir])).toMatchObject({ status: 0, stdout: expect.stringContaining(`Revoked API key ${key.id}`) });
    expect(trackql(['keys', 'revoke', key.id, '--data-dir', dataDir])).toMatchObject({ status: 0, stdout: expect.stringContaining('already revoked') });
    const listed = JSON.parse(trackql(['keys', 'list', '--json', '--data-dir', dataDir]).stdout) as Record<string, unknown>[];
    expect(listed).toEqual([{
      id: key.id, name: null, grants: [{ workspace: 'cv', role: 'read' }, { workspace: 'ml', role: 'read' }],
      createdAt: expect.any(String), lastUsedAt: null, revokedAt: expect.any(String),
    }]);
  });

  it.each([
    [['keys', 'create', '--workspace', 'ml'], 2, 'create needs --role read, write or admin'],
    [['keys', 'create', '--role', 'write'], 2, 'create needs --workspace'],
    [['keys', 'create', '--workspace', 'ml', '--role', 'owner'], 2, "--role must be read, write or admin, got 'owner'"],
    [['keys', 'create', '--workspace', 'ml', '--workspace', 'ml', '--role', 'read'], 1, "workspace 'ml' is given twice"],
    [['keys', 'revoke'], 2, 'revoke takes exactly one key id'],
    [['keys', 'revoke', 'k_0000000000000000'], 1, "No API key with id 'k_0000000000000000'"],
    [['keys', 'rotate'], 2, "unknown command 'rotate'"],
    [['keys', 'list', '--verbose'], 2, "Unknown option '--verbose'"],
  ])('refuses %j with exit code %i and one clear line', (args, status, message) => {
    const result = trackql(args, { TRACKQL_DATA_DIR: dataDir });
    expect(result.status).toBe(status);
    expect(result.stderr.split('\n')[0]).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('explains itself with --help, and refuses to run against the Comet backend', () => {
    expect(trackql(['keys', '--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('usage: trackql keys') });
    expect(trackql(['--help']).stdout).toContain('keys');
    const comet = trackql(['keys', 'list'], { TRACKQL_BACKEND: 'comet', TRACKQL_DATA_DIR: dataDir });
    expect(comet.status).toBe(2);
    expect(comet.stderr).toContain("TRACKQL_BACKEND is 'comet'");
  });
});

describe('an open store (no key created)', () => {
  let gw: ChildGateway;
  beforeAll(async () => void (gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' })));
  afterAll(() => gw.dispose());

  it('serves everyone on loopback, then needs keys as soon as one is created, without a restart', async () => {
    const { createExperiment } = await gqlOk(gw.url, CREATE, { w: 'ml', p: 'open' });
    expect((await gqlOk(gw.url, LOG, { k: createExperiment.experiment.key }, bearer('anything'))).logMetrics.status).toBe('ACCEPTED');

    const key = createKey(gw.dataDir, 'ml', 'read');
    const refused = await eventually(async () => {
      const res = await gql(gw.url, WORKSPACES);
      return res.status === 401 ? res : null;
    }, 5000, 'anonymous requests to be refused');
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    expect((await gqlOk(gw.url, WORKSPACES, {}, bearer(key))).workspaces).toEqual([{ name: 'ml' }]);
  });
});

describe('a store with keys', () => {
  let gw: ChildGateway;
  let dataDir: string;
  let admin: CreatedKey;
  let reader: CreatedKey;
  let writer: CreatedKey;
  let mlKey: string;
  let cvKey: string;
  let cvId: string;

  beforeAll(async () => {
    dataDir = tempDir('trackql-auth-');
    admin = createKey(dataDir, '*', 'admin', 'ops');
    reader = createKey(dataDir, 'ml', 'read', 'dashboard');
    writer = createKey(dataDir, 'ml', 'write', 'ci');
    gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'info' });
    mlKey = (await gqlOk(gw.url, CREATE, { w: 'ml', p: 'vision' }, bearer(admin))).createExperiment.experiment.key;
    const cv = (await gqlOk(gw.url, CREATE, { w: 'cv', p: 'secret' }, bearer(admin))).createExperiment.experiment;
    cvKey = cv.key;
    cvId = cv.id;
  });
  afterAll(async () => {
    await gw.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 401 UNAUTHENTICATED without a key and with an unknown one', async () => {
    for (const headers of [{}, bearer('tqk_not-a-key'), { authorization: '' }, { authorization: 'Bearer ' }]) {
      const res = await gql(gw.url, WORKSPACES, {}, headers);
      expect(res.status).toBe(401);
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data).toBeUndefined();
    }
    expect((await gql(gw.url, WORKSPACES, {}, { authorization: admin.secret })).status).toBe(200); // raw key, as Comet clients send it
  });

  it('lets a read key query its workspace and refuses its mutations with FORBIDDEN', async () => {
    const query = `query($k: String!) { experiment(key: $k) { key metric(name: "loss") { last } } project(workspace: "ml", name: "vision") { experiments { totalCount } } }`;
    await gqlOk(gw.url, LOG, { k: mlKey }, bearer(writer));
    const data = await gqlOk(gw.url, query, { k: mlKey }, bearer(reader));
    expect(data).toEqual({ experiment: { key: mlKey, metric: { last: 0.5 } }, project: { experiments: { totalCount: 1 } } });
    for (const [mutation, variables] of [[LOG, { k: mlKey }], [CREATE, { w: 'ml', p: 'vision' }]] as const) {
      const res = await gql(gw.url, mutation, variables, bearer(reader));
      expect(codes(res)).toEqual(['FORBIDDEN']);
      expect(res.errors?.[0].message).toMatch(/^API key k_[0-9a-f]{16} has the read role on workspace 'ml'; \w+ needs write$/);
    }
  });

  it('lets a write key log metrics, but not create projects (admin only)', async () => {
    expect((await gqlOk(gw.url, LOG, { k: mlKey }, bearer(writer))).logMetrics).toEqual({ accepted: 1, status: 'ACCEPTED' });
    const project = `mutation { createProject(input: {workspace: "ml", name: "planned"}) { project { name } } }`;
    expect(codes(await gql(gw.url, project, {}, bearer(writer)))).toEqual(['FORBIDDEN']);
    expect((await gqlOk(gw.url, project, {}, bearer(admin))).createProject.project.name).toBe('planned');
  });

  it('hides other workspaces: their experiments are null, naming them is FORBIDDEN', async () => {
    expect((await gqlOk(gw.url, WORKSPACES, {}, bearer(writer))).workspaces).toEqual([{ name: 'ml' }]);
    const byKey = await gqlOk(gw.url, `query($k: String!, $ks: [String!]!, $id: ID!) { experiment(key: $k) { key } experiments(keys: $ks) { key } node(id: $id) { id } }`,
      { k: cvKey, ks: [mlKey, cvKey], id: cvId }, bearer(writer));
    expect(byKey).toEqual({ experiment: null, experiments: [{ key: mlKey }, null], node: null });
    const named = await gql(gw.url, `{ project(workspace: "cv", name: "secret") { name } workspace(name: "cv") { name } }`, {}, bearer(writer));
    expect(named.data).toEqual({ project: null, workspace: null });
    expect(codes(named)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const write = await gql(gw.url, LOG, { k: cvKey }, bearer(writer));
    expect(codes(write)).toEqual(['NOT_FOUND']);
    expect(write.errors?.[0].message).toBe(`Experiment '${cvKey}' does not exist`);
  });

  it('logs the key id, never the key, and stores no secret in the database', async () => {
    await gqlOk(gw.url, WORKSPACES, {}, bearer(writer));
    await eventually(() => gw.logs.some((l) => l.includes(`"keyId":"${writer.id}"`)), 5000, 'a request log line with the key id');
    for (const key of [admin, reader, writer]) {
      expect(gw.logs.join('\n')).not.toContain(key.secret.slice(4));
      expect(databaseBytes(dataDir).includes(Buffer.from(key.secret.slice(4)))).toBe(false);
    }
  });

  it('refuses a revoked key within seconds, without a restart', async () => {
    const temporary = createKey(dataDir, 'ml', 'read');
    expect((await gql(gw.url, WORKSPACES, {}, bearer(temporary))).status).toBe(200);
    revokeKey(dataDir, temporary.id);
    const res = await eventually(async () => {
      const r = await gql(gw.url, WORKSPACES, {}, bearer(temporary));
      return r.status === 401 ? r : null;
    }, 5000, 'the revoked key to be refused');
    expect(res.errors?.[0].message).toContain('unknown or revoked');
    const listed = JSON.parse(trackql(['keys', 'list', '--json', '--data-dir', dataDir]).stdout) as { id: string; lastUsedAt: string | null }[];
    expect(listed.find((k) => k.id === temporary.id)?.lastUsedAt).toEqual(expect.any(String));
  });
});
