/**
 * `modelVersionUpdated` over graphql-ws on the embedded store: registry changes of a workspace arrive live,
 * all models or one; a workspace that does not exist is NOT_FOUND.
 */
import fs from 'node:fs';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { gqlOk, tempDir } from '../support/gateway';
import { liveClient, record, type LiveClient } from '../support/live';

const SUB = `subscription($w: String!, $m: String) { modelVersionUpdated(workspace: $w, modelName: $m) { kind addedAliases removedAliases version { version aliases stage } } }`;
type Event = { modelVersionUpdated: { kind: string; addedAliases: string[]; removedAliases: string[]; version: { version: string; aliases: string[]; stage: string | null } } };

describe('modelVersionUpdated', () => {
  let gateway: Gateway;
  let client: LiveClient;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir('trackql-model-live-');
    gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }));
    client = liveClient(gateway.url);
  });
  afterAll(async () => {
    await client.dispose();
    await gateway.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function modelOf(key: string, model: string): Promise<void> {
    const upload = await gqlOk(gateway.url, `mutation($k: String!, $m: String!) { createAssetUpload(input: {experimentKey: $k, fileName: "w.bin", type: "model-element", modelName: $m}) { uploadUrl } }`, { k: key, m: model });
    expect((await fetch(upload.createAssetUpload.uploadUrl, { method: 'PUT', body: 'weights' })).status).toBe(201);
  }

  it('sends versions created and changed, for the whole workspace or one model', async () => {
    const key = (await gqlOk(gateway.url, `mutation { createExperiment(input: {workspace: "reg", project: "p"}) { experiment { key } } }`)).createExperiment.experiment.key;
    await modelOf(key, 'm');
    await modelOf(key, 'n');
    const all = record<Event>(client.client, SUB, { w: 'reg' });
    const onlyClf = record<Event>(client.client, SUB, { w: 'reg', m: 'clf' });
    await new Promise((r) => setTimeout(r, 200)); // both subscriptions registered
    const REGISTER = `mutation($k: String!, $m: String!, $r: String!) { registerModel(input: {experimentKey: $k, experimentModelName: $m, registryName: $r}) { registeredModel { name } } }`;
    await gqlOk(gateway.url, REGISTER, { k: key, m: 'm', r: 'clf' });
    await gqlOk(gateway.url, REGISTER, { k: key, m: 'n', r: 'other' });
    await gqlOk(gateway.url, `mutation { updateModelVersion(input: {workspace: "reg", modelName: "clf", version: "1.0.0", stage: "production", addAliases: ["champion"]}) { version { version } } }`);

    const everything = await all.waitFor(3);
    expect(everything.map((r) => r.data?.modelVersionUpdated.kind)).toEqual(['CREATED', 'CREATED', 'UPDATED']);
    const clf = await onlyClf.waitFor(2);
    expect(clf.map((r) => r.data?.modelVersionUpdated)).toEqual([
      { kind: 'CREATED', addedAliases: [], removedAliases: [], version: { version: '1.0.0', aliases: [], stage: null } },
      { kind: 'UPDATED', addedAliases: ['champion'], removedAliases: [], version: { version: '1.0.0', aliases: ['champion'], stage: 'production' } },
    ]);
    all.unsubscribe();
    onlyClf.unsubscribe();
  });

  it('refuses a workspace that does not exist with NOT_FOUND', async () => {
    const sub = record<Event>(client.client, SUB, { w: 'nowhere' });
    await sub.done;
    expect(sub.results).toEqual([{ errors: [expect.objectContaining({ message: "No workspace 'nowhere'", extensions: { code: 'NOT_FOUND', field: 'workspace' } })] }]);
  });
});
