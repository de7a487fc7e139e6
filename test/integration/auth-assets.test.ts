/**
 * API keys on asset URLs (real server): minting an upload URL needs write, the URLs act as the key they were
 * issued to, and stop working once that key is revoked, or once keys exist for URLs issued while open.
 */
import { rmSync } from 'node:fs';
import { codes, gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { bearer, createKey, revokeKey, type CreatedKey } from '../support/keys';
import { eventually } from '../support/live';

const UPLOAD = `mutation($k: String!) { createAssetUpload(input: {experimentKey: $k, fileName: "weights.bin", type: "model"}) { uploadUrl } }`;
const ASSETS = `query($k: String!) { experiment(key: $k) { assets { nodes { assetId downloadUrl } } } }`;
const CREATE = `mutation($w: String!) { createExperiment(input: {workspace: $w, project: "assets"}) { experiment { key } } }`;

async function uploadUrl(key: string, who: CreatedKey | null): Promise<string> {
  return (await gqlOk(gw.url, UPLOAD, { k: key }, who ? bearer(who) : {})).createAssetUpload.uploadUrl;
}

async function downloadUrl(key: string, who: CreatedKey | null): Promise<string> {
  return (await gqlOk(gw.url, ASSETS, { k: key }, who ? bearer(who) : {})).experiment.assets.nodes[0].downloadUrl;
}

/** Waits until `request` answers 401 (keys are looked up again within seconds) and returns its error code. */
async function refusedCode(request: () => Promise<Response>): Promise<string> {
  const res = await eventually(async () => {
    const r = await request();
    return r.status === 401 ? r : null;
  }, 5000, 'the URL to be refused with 401');
  return ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code;
}

let gw: ChildGateway;

describe('asset URLs on a store with keys', () => {
  let dataDir: string;
  let writer: CreatedKey;
  let reader: CreatedKey;
  let outsider: CreatedKey;
  let mlKey: string;

  beforeAll(async () => {
    dataDir = tempDir('trackql-auth-assets-');
    writer = createKey(dataDir, 'ml', 'write');
    reader = createKey(dataDir, 'ml', 'read');
    outsider = createKey(dataDir, 'cv', 'admin');
    gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
    mlKey = (await gqlOk(gw.url, CREATE, { w: 'ml' }, bearer(writer))).createExperiment.experiment.key;
    expect((await fetch(await uploadUrl(mlKey, writer), { method: 'PUT', body: 'weights' })).status).toBe(201);
  });
  afterAll(async () => {
    await gw.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives upload URLs to write keys only, and none across workspaces', async () => {
    expect(codes(await gql(gw.url, UPLOAD, { k: mlKey }, bearer(reader)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(gw.url, UPLOAD, { k: mlKey }, bearer(outsider)))).toEqual(['NOT_FOUND']);
    expect((await gqlOk(gw.url, ASSETS, { k: mlKey }, bearer(outsider))).experiment).toBeNull();
  });

  it('lets a read key download, by a URL acting as that key', async () => {
    const res = await fetch(await downloadUrl(mlKey, reader));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('weights');
  });

  it('stops both URLs of a key once it is revoked', async () => {
    const temporary = createKey(dataDir, 'ml', 'write');
    const put = await uploadUrl(mlKey, temporary);
    const get = await downloadUrl(mlKey, temporary);
    expect((await fetch(get)).status).toBe(200);
    revokeKey(dataDir, temporary.id);
    expect(await refusedCode(() => fetch(get))).toBe('UNAUTHENTICATED');
    expect(await refusedCode(() => fetch(put, { method: 'PUT', body: 'more' }))).toBe('UNAUTHENTICATED');
    expect((await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { assets { totalCount } } }`, { k: mlKey }, bearer(writer))).experiment.assets.totalCount).toBe(1);
  });
});

describe('asset URLs issued while the store was open', () => {
  afterAll(() => gw.dispose());

  it('stop working once a key exists', async () => {
    gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
    const key = (await gqlOk(gw.url, CREATE, { w: 'ml' })).createExperiment.experiment.key;
    expect((await fetch(await uploadUrl(key, null), { method: 'PUT', body: 'open' })).status).toBe(201);
    const get = await downloadUrl(key, null);
    expect((await fetch(get)).status).toBe(200);
    createKey(gw.dataDir, '*', 'admin');
    expect(await refusedCode(() => fetch(get))).toBe('UNAUTHENTICATED');
  });
});
