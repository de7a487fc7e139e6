/**
 * Rotating the URL-signing secret (`TRACKQL_URL_SECRETS`: the first signs, all verify) never breaks a URL
 * already handed out while its secret is still listed, and retires it once the secret is dropped.
 */
import { rmSync } from 'node:fs';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';

const A = 'rotation-secret-A-0123456789abcdef';
const B = 'rotation-secret-B-fedcba9876543210';
const UPLOAD = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { uploadUrl } }`;
const ASSETS = `query($k: String!) { experiment(key: $k) { assets(first: 10) { nodes { fileName downloadUrl } } } }`;

/** A signed URL, moved onto another gateway (restarts pick a new port; the signature covers no host). */
function onto(gw: ChildGateway, signed: string): string {
  const url = new URL(signed);
  return `${gw.url}${url.pathname}${url.search}`;
}

describe('URL secret rotation', () => {
  const dataDir = tempDir();
  let gw: ChildGateway | null = null;
  afterEach(async () => {
    await gw?.stop();
    gw = null;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = async (secrets: string) => {
    gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_URL_SECRETS: secrets });
    return gw;
  };
  const put = (gateway: ChildGateway, url: string, body: string) => fetch(onto(gateway, url), { method: 'PUT', body });

  it('keeps URLs signed with A working under "B,A", and refuses them under "B" alone', async () => {
    let g = await start(A);
    const key = (await gqlOk(g.url, `mutation { createExperiment(input: {workspace: "w", project: "rotation"}) { experiment { key } } }`)).createExperiment.experiment.key;
    const signedWithA = async (fileName: string) => (await gqlOk(g.url, UPLOAD, { input: { experimentKey: key, fileName } })).createAssetUpload.uploadUrl as string;
    const first = await signedWithA('during-rotation.txt');
    const second = await signedWithA('after-rotation.txt');
    expect((await put(g, await signedWithA('before.txt'), 'before')).status).toBe(201);
    const downloadA = (await gqlOk(g.url, ASSETS, { k: key })).experiment.assets.nodes[0].downloadUrl as string;
    await g.stop();

    // Rotation: B signs from now on, A still verifies.
    g = await start(`${B},${A}`);
    expect((await put(g, first, 'uploaded while rotating')).status).toBe(201);
    expect(await (await fetch(onto(g, downloadA))).text()).toBe('before');
    const signedWithB = (await gqlOk(g.url, UPLOAD, { input: { experimentKey: key, fileName: 'signed-with-b.txt' } })).createAssetUpload.uploadUrl as string;
    expect(new URL(signedWithB).searchParams.get('token')).not.toBe(new URL(first).searchParams.get('token'));
    await g.stop();

    // A dropped: its URLs are refused as forged, B's work.
    g = await start(B);
    const refused = await put(g, second, 'too late');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await fetch(onto(g, downloadA))).status).toBe(401);
    expect((await put(g, signedWithB, 'signed with B')).status).toBe(201);
    const names = (await gqlOk(g.url, ASSETS, { k: key })).experiment.assets.nodes.map((a: { fileName: string }) => a.fileName).sort();
    expect(names).toEqual(['before.txt', 'during-rotation.txt', 'signed-with-b.txt']);
  });
});
