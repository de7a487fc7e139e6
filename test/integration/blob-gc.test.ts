/**
 * Two gateways on one data dir (a rolling restart, or replicas on shared storage): one deletes the only
 * experiment using some bytes while the other stores the same bytes. Whatever the interleaving, the stored
 * asset keeps its blob. The test stops the deleting gateway exactly where it is about to unlink the blob and
 * lets the other process upload the same bytes there, in a process of its own.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';

const BYTES = 'the same weights, stored twice';
const SHA = createHash('sha256').update(BYTES).digest('hex');
/** How long the deleting process waits at the unlink for the other process's upload to finish. */
const WAIT_AT_UNLINK_MS = 1_500;

const CREATE = `mutation($name: String!) { createExperiment(input: {workspace: "ml", project: "shared", name: $name}) { experiment { key } } }`;
const UPLOAD = `mutation($key: String!) { createAssetUpload(input: {experimentKey: $key, fileName: "w.bin"}) { uploadUrl } }`;
const ASSETS = `query($key: String!) { experiment(key: $key) { assets(first: 10) { nodes { assetId size downloadUrl } } } }`;

/** Sleeps the whole thread (the event loop too), as a process stopped between two instructions would be. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('blob collection with two processes on one data dir', () => {
  let dataDir: string;
  let other: ChildGateway;
  let gateway: Gateway;

  beforeAll(async () => {
    dataDir = tempDir('trackql-blob-gc-');
    gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }));
    other = await startChildGateway({ TRACKQL_DATA_DIR: dataDir });
  }, 30_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await other?.dispose();
    await gateway?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function upload(url: string, key: string): Promise<void> {
    const { createAssetUpload } = await gqlOk(url, UPLOAD, { key });
    expect((await fetch(createAssetUpload.uploadUrl, { method: 'PUT', body: BYTES })).status).toBe(201);
  }

  it('keeps the blob of an upload that lands while a delete collects the same bytes', async () => {
    const doomed = (await gqlOk(gateway.url, CREATE, { name: 'doomed' })).createExperiment.experiment.key as string;
    await upload(gateway.url, doomed);
    const kept = (await gqlOk(other.url, CREATE, { name: 'kept' })).createExperiment.experiment.key as string;
    const { createAssetUpload } = await gqlOk(other.url, UPLOAD, { key: kept });
    const blob = path.join(dataDir, 'blobs', SHA.slice(0, 2), SHA);
    expect(fs.existsSync(blob)).toBe(true);

    // At the dangerous point (this process about to unlink the blob), the other gateway stores the same bytes,
    // driven by a third process since this one is stopped.
    const marker = path.join(dataDir, 'upload-status');
    const realRm = fs.rmSync;
    let interleaved = false;
    jest.spyOn(fs, 'rmSync').mockImplementation((target, options) => {
      if (target === blob && !interleaved) {
        interleaved = true;
        const script = `fetch(process.argv[1], { method: 'PUT', body: process.argv[2] })
          .then((r) => require('fs').writeFileSync(process.argv[3], String(r.status)), (e) => require('fs').writeFileSync(process.argv[3], String(e)))`;
        spawn(process.execPath, ['-e', script, createAssetUpload.uploadUrl, BYTES, marker], { stdio: 'ignore' });
        for (let waited = 0; waited < WAIT_AT_UNLINK_MS && !fs.existsSync(marker); waited += 20) sleepSync(20);
      }
      realRm(target, options);
    });

    await gqlOk(gateway.url, `mutation($key: String!) { deleteExperiment(input: {experimentKey: $key}) { deletedKey } }`, { key: doomed });
    jest.restoreAllMocks();
    expect(interleaved).toBe(true);
    for (let waited = 0; !fs.existsSync(marker) && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(fs.readFileSync(marker, 'utf8')).toBe('201');

    // The other gateway's row must have its bytes, read back through either gateway.
    for (const url of [other.url, gateway.url]) {
      const [asset] = (await gqlOk(url, ASSETS, { key: kept })).experiment.assets.nodes;
      expect(asset).toMatchObject({ size: BYTES.length });
      const res = await fetch(asset.downloadUrl);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(BYTES);
    }
    expect(fs.existsSync(blob)).toBe(true);
  }, 30_000);

  it('removes the blob once no experiment in any process uses it', async () => {
    // Every experiment holding the bytes goes: the blob goes with the last one.
    const holders = (await gqlOk(gateway.url, `{ project(workspace: "ml", name: "shared") { experiments(first: 50) { nodes { key assets(first: 1) { totalCount } } } } }`))
      .project.experiments.nodes.filter((e: { assets: { totalCount: number } }) => e.assets.totalCount > 0);
    expect(holders).toHaveLength(1);
    const blob = path.join(dataDir, 'blobs', SHA.slice(0, 2), SHA);
    await gqlOk(other.url, `mutation($key: String!) { deleteExperiment(input: {experimentKey: $key}) { deletedKey } }`, { key: holders[0].key });
    expect(fs.existsSync(blob)).toBe(false);
  });
});
