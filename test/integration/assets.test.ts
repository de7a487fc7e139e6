/** Assets over signed URLs (streamed both ways, Range, limits) and the model registry, against the real server. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { UrlSigner } from '../../src/services/signing';
import { codes, gql, gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';

const SECRET = 'integration-test-secret-0123456789';
const MAX_BYTES = 64 * 1024;
let gw: ChildGateway;
let key: string;

beforeAll(async () => {
  gw = await startChildGateway({ TRACKQL_URL_SECRETS: SECRET, TRACKQL_MAX_ASSET_BYTES: String(MAX_BYTES) });
  const data = await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "ml", project: "models", name: "trainer"}) { experiment { key } } }`);
  key = data.createExperiment.experiment.key;
});
afterAll(() => gw.dispose());

const UPLOAD = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { uploadUrl expiresAt maxBytes } }`;
const ASSETS = `query($k: String!) { experiment(key: $k) { assets(first: 50) { totalCount nodes { id assetId fileName size type step metadata modelName downloadUrl } } } }`;

async function upload(input: Record<string, unknown>, body: Buffer | string): Promise<Response> {
  const data = await gqlOk(gw.url, UPLOAD, { input: { experimentKey: key, ...input } });
  expect(data.createAssetUpload.maxBytes).toBe(MAX_BYTES);
  return fetch(data.createAssetUpload.uploadUrl, { method: 'PUT', body });
}

async function assetCount(): Promise<number> {
  return (await gqlOk(gw.url, ASSETS, { k: key })).experiment.assets.totalCount;
}

function blobFiles(): string[] {
  const root = path.join(gw.dataDir, 'blobs');
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
  } catch {
    return [];
  }
}

describe('assets', () => {
  it('uploads through a signed URL and streams the bytes back, whole and by range', async () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    const res = await upload({ fileName: 'plots/curve.bin', type: 'curve', step: 3, metadata: { dpi: 300 } }, bytes);
    expect(res.status).toBe(201);
    const { asset } = (await res.json()) as { asset: { assetId: string; size: number } };
    expect(asset.size).toBe(10_000);

    const listed = (await gqlOk(gw.url, ASSETS, { k: key })).experiment.assets.nodes.find((a: { assetId: string }) => a.assetId === asset.assetId);
    expect(listed).toMatchObject({ fileName: 'plots/curve.bin', size: 10_000, type: 'curve', step: 3, metadata: { dpi: 300 }, modelName: null });

    const whole = await fetch(listed.downloadUrl);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

    const part = await fetch(listed.downloadUrl, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);

    const tail = await fetch(listed.downloadUrl, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(9990))).toBe(true);

    const bad = await fetch(listed.downloadUrl, { headers: { range: 'bytes=20000-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */10000');
  });

  it('refuses an upload over the size limit while streaming and keeps nothing', async () => {
    const before = await assetCount();
    const blobs = blobFiles().length;
    const data = await gqlOk(gw.url, UPLOAD, { input: { experimentKey: key, fileName: 'big.bin' } });
    // A chunked body (no content-length), so the limit must be enforced while the bytes stream in.
    const chunks = async function* () {
      for (let i = 0; i < 20; i += 1) yield new Uint8Array(8 * 1024);
    };
    const res = await fetch(data.createAssetUpload.uploadUrl, { method: 'PUT', body: ReadableStream.from(chunks()), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await assetCount()).toBe(before);
    expect(blobFiles().length).toBe(blobs);
    const leftovers = readdirSync(gw.dataDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && /tmp|partial/i.test(path.relative(gw.dataDir, path.join(d.parentPath, d.name))));
    expect(leftovers).toEqual([]);
  });

  it('refuses forged, expired and misused URLs', async () => {
    const data = await gqlOk(gw.url, UPLOAD, { input: { experimentKey: key, fileName: 'x.txt' } });
    const url = new URL(data.createAssetUpload.uploadUrl);
    const forged = new URL(url);
    forged.searchParams.set('token', `${url.searchParams.get('token')}x`);
    expect((await fetch(forged, { method: 'PUT', body: 'x' })).status).toBe(401);

    const signer = new UrlSigner([SECRET]);
    const expired = new URL(url);
    expired.searchParams.set('token', signer.sign({ purpose: 'upload', keyId: 'anonymous', experimentKey: key, exp: 1, fileName: 'x.txt', type: 'asset' }));
    const res = await fetch(expired, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(/expired/);

    const asDownload = new URL(`${gw.url}/assets/${key}/whatever/x.txt`);
    asDownload.searchParams.set('token', url.searchParams.get('token') ?? '');
    expect((await fetch(asDownload)).status).toBe(401);
    expect((await fetch(`${gw.url}/assets/upload`, { method: 'PUT', body: 'x' })).status).toBe(401);
  });

  it.each(['../../etc/passwd', '/etc/passwd', 'a/../../b', 'a\\..\\b', 'nul\u0000byte'])('refuses the file name %j', async (fileName) => {
    const res = await gql(gw.url, UPLOAD, { input: { experimentKey: key, fileName } });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses an upload for an unknown experiment', async () => {
    const res = await gql(gw.url, UPLOAD, { input: { experimentKey: 'ffffffffffffffffffffffffffffffff', fileName: 'a.txt' } });
    expect(codes(res)).toEqual(['NOT_FOUND']);
  });
});

describe('model registry', () => {
  it('registers an experiment model with its child runs and moves aliases between versions', async () => {
    const child = (await gqlOk(gw.url, `mutation($p: String!) { createExperiment(input: {workspace: "ml", project: "models", name: "child", parentKey: $p}) { experiment { key } } }`, { p: key })).createExperiment.experiment.key;
    for (const [experimentKey, body] of [[key, 'parent weights'], [child, 'child weights']]) {
      const data = await gqlOk(gw.url, UPLOAD, { input: { experimentKey, fileName: 'weights.pt', type: 'model-element', modelName: 'net' } });
      expect((await fetch(data.createAssetUpload.uploadUrl, { method: 'PUT', body })).status).toBe(201);
    }
    const models = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { models { name assets { fileName } } } }`, { k: key });
    expect(models.experiment.models).toEqual([{ name: 'net', assets: [{ fileName: 'weights.pt' }] }]);

    const registered = await gqlOk(gw.url, `mutation($k: String!) { registerModel(input: {experimentKey: $k, experimentModelName: "net", registryName: "classifier", version: "1.0.0", includeChildren: true, stage: "staging", tags: ["cnn"]}) {
      registeredModel { name public } versions { version stage tags experiment { key } } } }`, { k: key });
    expect(registered.registerModel.registeredModel).toEqual({ name: 'classifier', public: false });
    expect(registered.registerModel.versions).toHaveLength(2);
    expect(registered.registerModel.versions[0]).toEqual({ version: '1.0.0', stage: 'staging', tags: ['cnn'], experiment: { key } });
    expect(registered.registerModel.versions[1].experiment).toEqual({ key: child });
    const childVersion = registered.registerModel.versions[1].version;

    const UPDATE = `mutation($input: UpdateModelVersionInput!) { updateModelVersion(input: $input) { version { version stage status comment tags aliases } } }`;
    const promoted = await gqlOk(gw.url, UPDATE, { input: { workspace: 'ml', modelName: 'classifier', version: '1.0.0', stage: 'production', status: 'Approved', comment: 'ship it', addAliases: ['champion'] } });
    expect(promoted.updateModelVersion.version).toEqual({ version: '1.0.0', stage: 'production', status: 'Approved', comment: 'ship it', tags: ['cnn'], aliases: ['champion'] });
    await gqlOk(gw.url, UPDATE, { input: { workspace: 'ml', modelName: 'classifier', version: childVersion, addAliases: ['champion'] } });

    const read = await gqlOk(gw.url, `{ registeredModel(workspace: "ml", name: "classifier") { name latestVersion { version }
      champion: version(alias: "champion") { version } first: version(version: "1.0.0") { aliases stage } versions { version } } }`);
    expect(read.registeredModel.champion).toEqual({ version: childVersion });
    expect(read.registeredModel.first).toEqual({ aliases: [], stage: 'production' });
    expect(read.registeredModel.versions).toHaveLength(2);

    const dup = await gql(gw.url, `mutation($k: String!) { registerModel(input: {experimentKey: $k, experimentModelName: "net", registryName: "classifier", version: "1.0.0"}) { versions { version } } }`, { k: key });
    expect(codes(dup)).toEqual(['BAD_USER_INPUT']);
    const missing = await gql(gw.url, `mutation($k: String!) { registerModel(input: {experimentKey: $k, experimentModelName: "nope", registryName: "x"}) { versions { version } } }`, { k: key });
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    const listed = await gqlOk(gw.url, `{ workspace(name: "ml") { registeredModels { totalCount nodes { name } } } }`);
    expect(listed.workspace.registeredModels).toEqual({ totalCount: 1, nodes: [{ name: 'classifier' }] });
  });
});
