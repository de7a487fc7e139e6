/**
 * Assets through the gateway's signed URLs on the Comet backend: the bytes stream through to Comet's
 * multipart upload and back from `get-asset`, byte ranges cut in the gateway.
 */
import fs from 'node:fs';
import { Agent, fetch as fetchWith } from 'undici';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { gqlOk } from '../../support/gateway';

const WS = 'asset-ws';
const AUTH = { authorization: SIM_KEY };
const UPLOAD = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { uploadUrl } }`;
const ASSETS = `query($k: String!) { experiment(key: $k) { assets(first: 50) { nodes { assetId fileName size type metadata downloadUrl } } } }`;

describe('comet backend: assets over signed URLs', () => {
  let sim: CometSim;
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    sim = await startSim([WS]);
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url,
      TRACKQL_MAX_ASSET_BYTES: '100000',
    }));
  });

  afterAll(async () => {
    await gateway.stop();
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('uploads a file streamed through to Comet and serves it back whole and by range', async () => {
    const [key] = sim.seed({ experiments: [{ workspace: WS, project: 'p' }] }).experimentKeys;
    const bytes = Buffer.from(Array.from({ length: 5_000 }, (_, i) => i % 251));
    const { createAssetUpload } = await gqlOk(gateway.url, UPLOAD, {
      input: { experimentKey: key, fileName: 'weights/w.bin', type: 'weights', metadata: { epoch: 3 } },
    }, AUTH);
    const put = await fetch(createAssetUpload.uploadUrl, { method: 'PUT', body: bytes });
    expect(put.status).toBe(201);
    const stored = sim.dump().experiments[key].assets;
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0].bytesBase64, 'base64')).toEqual(bytes);
    expect(stored[0].type).toBe('asset'); // Comet's list has no `weights`: the port's type travels in metadata

    const data = await gqlOk(gateway.url, ASSETS, { k: key }, AUTH);
    const [asset] = data.experiment.assets.nodes;
    expect(asset).toMatchObject({ fileName: 'weights/w.bin', size: 5_000, type: 'weights', metadata: { epoch: 3 } });
    const whole = await fetch(asset.downloadUrl);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);
    const part = await fetch(asset.downloadUrl, { headers: { range: 'bytes=1000-1099' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(1000, 1100));
  });

  it('refuses a body over the limit with 413 and stores nothing', async () => {
    const [key] = sim.seed({ experiments: [{ workspace: WS, project: 'p' }] }).experimentKeys;
    const { createAssetUpload } = await gqlOk(gateway.url, UPLOAD, { input: { experimentKey: key, fileName: 'big.bin' } }, AUTH);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 20; i++) yield new Uint8Array(10_000);
    }
    const connections = () => new Promise<number>((resolve, reject) => gateway.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    const before = await connections();
    // Its own client, closed after the answer: the gateway must let go of the connection too.
    const client = new Agent();
    const res = await fetchWith(createAssetUpload.uploadUrl, { method: 'PUT', body: ReadableStream.from(chunks()), duplex: 'half', dispatcher: client }).catch(() => null);
    if (res) expect(res.status).toBe(413);
    expect(sim.dump().experiments[key].assets).toEqual([]);
    await res?.text();
    await client.close();
    // The upload was abandoned part-way: left open, its connection would sit unread until the idle timeout.
    const deadline = Date.now() + 5_000;
    while ((await connections()) > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await connections()).toBe(before);
  });
});
