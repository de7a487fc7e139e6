/**
 * Idempotent mutations on the embedded store, through the real server: a retry with the same key returns
 * the first result and stores nothing twice, across concurrent duplicates and a restart; the same key with
 * another input is BAD_USER_INPUT.
 */
import { codes, gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { rmSync } from 'node:fs';

const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { experiment { key name startedAt } } }`;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { experimentKey accepted status } }`;
const COUNT = `query($k: String!) { experiment(key: $k) { metric(name: "loss") { count last } tags parameters { name value } others { key value } } }`;
const PROJECT = `query($w: String!, $p: String!) { project(workspace: $w, name: $p) { experimentCount } }`;

describe('idempotent mutations (SQLite)', () => {
  let gw: ChildGateway;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir();
    gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
  });
  afterAll(async () => {
    await gw.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function experiment(project: string): Promise<string> {
    return (await gqlOk(gw.url, CREATE, { input: { workspace: 'idem', project } })).createExperiment.experiment.key;
  }

  it('answers a retried createExperiment with the first experiment and creates no second one', async () => {
    const input = { workspace: 'idem', project: 'create', name: 'run-1', tags: ['a'], idempotencyKey: 'create-1' };
    const first = await gqlOk(gw.url, CREATE, { input });
    const again = await gqlOk(gw.url, CREATE, { input });
    expect(again).toEqual(first);
    expect((await gqlOk(gw.url, PROJECT, { w: 'idem', p: 'create' })).project.experimentCount).toBe(1);
  });

  it('stores a metric batch once when the same call comes twice, and when ten copies come at once', async () => {
    const key = await experiment('metrics');
    // No timestamps: the gateway fills in the receive time, which differs between retries and must not matter.
    const input = { experimentKey: key, idempotencyKey: 'batch-1', points: [{ name: 'loss', value: 0.5, step: 0 }, { name: 'loss', value: 0.25, step: 1 }] };
    const first = await gqlOk(gw.url, LOG, { input });
    expect(first.logMetrics).toEqual({ experimentKey: key, accepted: 2, status: 'ACCEPTED' });
    expect(await gqlOk(gw.url, LOG, { input })).toEqual(first);
    const concurrent = { ...input, idempotencyKey: 'batch-2', points: [{ name: 'loss', value: 0.125, step: 2 }] };
    const answers = await Promise.all(Array.from({ length: 10 }, () => gql(gw.url, LOG, { input: concurrent })));
    expect(answers.map((a) => a.data)).toEqual(Array(10).fill({ logMetrics: { experimentKey: key, accepted: 1, status: 'ACCEPTED' } }));
    expect((await gqlOk(gw.url, COUNT, { k: key })).experiment.metric).toEqual({ count: 3, last: 0.125 });
  });

  it('refuses the same key with another input or for another mutation, with BAD_USER_INPUT', async () => {
    const key = await experiment('conflict');
    const input = { experimentKey: key, idempotencyKey: 'k-conflict', points: [{ name: 'loss', value: 1, step: 0 }] };
    await gqlOk(gw.url, LOG, { input });
    const other = await gql(gw.url, LOG, { input: { ...input, points: [{ name: 'loss', value: 2, step: 0 }] } });
    expect(codes(other)).toEqual(['BAD_USER_INPUT']);
    expect(other.errors?.[0].extensions).toMatchObject({ field: 'idempotencyKey', reason: 'IDEMPOTENCY_KEY_REUSED' });
    const tags = await gql(gw.url, `mutation($k: String!) { addTags(input: { experimentKey: $k, tags: ["x"], idempotencyKey: "k-conflict" }) { tags } }`, { k: key });
    expect(codes(tags)).toEqual(['BAD_USER_INPUT']);
    const bad = await gql(gw.url, LOG, { input: { ...input, idempotencyKey: '   ' } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect((await gqlOk(gw.url, COUNT, { k: key })).experiment.metric.count).toBe(1);
  });

  it('replays every other mutation: parameters, others, tags, end, upload URL, archive and delete', async () => {
    const key = await experiment('all');
    const calls: [string, Record<string, unknown>][] = [
      ['mutation($i: LogParametersInput!) { logParameters(input: $i) { accepted status } }', { experimentKey: key, parameters: [{ name: 'lr', value: 0.1 }] }],
      ['mutation($i: LogOthersInput!) { logOthers(input: $i) { accepted status } }', { experimentKey: key, others: [{ key: 'host', value: 'gpu' }] }],
      ['mutation($i: TagsInput!) { addTags(input: $i) { tags } }', { experimentKey: key, tags: ['best'] }],
      ['mutation($i: TagsInput!) { removeTags(input: $i) { tags } }', { experimentKey: key, tags: ['best'] }],
      ['mutation($i: EndExperimentInput!) { endExperiment(input: $i) { experiment { status endedAt } } }', { experimentKey: key, status: 'FAILED' }],
      ['mutation($i: CreateAssetUploadInput!) { createAssetUpload(input: $i) { uploadUrl expiresAt } }', { experimentKey: key, fileName: 'a.txt' }],
      ['mutation($i: ExperimentKeyInput!) { archiveExperiment(input: $i) { experiment { archived } } }', { experimentKey: key }],
      ['mutation($i: CreateProjectInput!) { createProject(input: $i) { project { name } } }', { workspace: 'idem', name: 'made-once' }],
    ];
    for (const [index, [query, input]] of calls.entries()) {
      const i = { ...input, idempotencyKey: `all-${index}` };
      const first = await gqlOk(gw.url, query, { i });
      expect(await gqlOk(gw.url, query, { i })).toEqual(first);
    }
    // addTags then removeTags: the replayed addTags still answers what it answered first, and changes nothing.
    expect((await gqlOk(gw.url, COUNT, { k: key })).experiment).toMatchObject({ tags: [], parameters: [{ name: 'lr', value: '0.1' }] });
    const del = { i: { experimentKey: key, idempotencyKey: 'all-delete' } };
    const DELETE = 'mutation($i: ExperimentKeyInput!) { deleteExperiment(input: $i) { deletedKey } }';
    expect(await gqlOk(gw.url, DELETE, del)).toEqual({ deleteExperiment: { deletedKey: key } });
    expect(await gqlOk(gw.url, DELETE, del)).toEqual({ deleteExperiment: { deletedKey: key } });
    const notFound = await gql(gw.url, DELETE, { i: { experimentKey: key } });
    expect(codes(notFound)).toEqual(['NOT_FOUND']);
  });

  it('registers a model version once and keeps the records across a restart', async () => {
    const key = await experiment('models');
    const upload = await gqlOk(gw.url, `mutation($k: String!) { createAssetUpload(input: { experimentKey: $k, fileName: "m.pt", modelName: "net" }) { uploadUrl } }`, { k: key });
    expect((await fetch(upload.createAssetUpload.uploadUrl, { method: 'PUT', body: 'weights' })).status).toBe(201);
    const REGISTER = `mutation($i: RegisterModelInput!) { registerModel(input: $i) { registeredModel { name } versions { version } } }`;
    const i = { experimentKey: key, experimentModelName: 'net', registryName: 'idem-net', version: '1.0.0', idempotencyKey: 'reg-1' };
    const first = await gqlOk(gw.url, REGISTER, { i });
    expect(await gqlOk(gw.url, REGISTER, { i })).toEqual(first);
    const logInput = { experimentKey: key, idempotencyKey: 'before-restart', points: [{ name: 'loss', value: 3, step: 0 }] };
    await gqlOk(gw.url, LOG, { input: logInput });

    await gw.stop('SIGTERM');
    gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
    expect(await gqlOk(gw.url, REGISTER, { i })).toEqual(first);
    expect((await gqlOk(gw.url, LOG, { input: logInput })).logMetrics.status).toBe('ACCEPTED');
    expect((await gqlOk(gw.url, COUNT, { k: key })).experiment.metric.count).toBe(1);
    const versions = await gqlOk(gw.url, `{ registeredModel(workspace: "idem", name: "idem-net") { versions { version } } }`);
    expect(versions.registeredModel.versions).toEqual([{ version: '1.0.0' }]);
  });
});
