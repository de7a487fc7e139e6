/**
 * Webhooks on the Comet backend (over the simulator): writes through the gateway queue their events in the
 * gateway's own outbox (`notify.db`) right after Comet took the write; run events, metric alerts and the
 * signature are as on the embedded store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { SIM_KEY, cometBackend, startSim, tempDataDir } from '../support/comet-backend';
import type { CometSim } from '../support/comet-sim';
import { codes, gql, gqlOk } from '../support/gateway';
import { eventually, sleep } from '../support/live';
import { startReceiver, verifyStandardWebhook, type Receiver } from '../support/webhook-receiver';

const WS = 'hooks-ws';
const AUTH = { authorization: SIM_KEY };

describe('webhooks on Comet', () => {
  let sim: CometSim;
  let gateway: Gateway;
  let receiver: Receiver;
  let dir: string;

  beforeAll(async () => {
    sim = await startSim([WS]);
    dir = tempDataDir();
    receiver = await startReceiver();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_BACKEND: 'comet', TRACKQL_DATA_DIR: dir, TRACKQL_COMET_URL: sim.url, TRACKQL_LOG_LEVEL: 'silent',
      TRACKQL_WEBHOOK_ALLOW_PRIVATE: 'true', TRACKQL_WEBHOOK_RETRY_SCHEDULE: '100ms', TRACKQL_WEBHOOK_POLL: '20ms',
    }), { backend: cometBackend(sim, dir, { fallbackApiKey: null }) });
  });
  afterAll(async () => {
    await gateway?.stop();
    await receiver?.close();
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends signed run events and a metric alert for writes through the gateway', async () => {
    const created = await gqlOk(gateway.url, `mutation($w: String!) { createWebhook(input: {workspace: $w, url: "${receiver.url}", events: [EXPERIMENT_CREATED, EXPERIMENT_ENDED, METRIC_ALERT]}) { secret } }`, { w: WS }, AUTH);
    const secret = created.createWebhook.secret as string;
    await gqlOk(gateway.url, `mutation($w: String!) { createMetricAlert(input: {workspace: $w, project: "p", metric: "acc", aggregate: MAX, op: GTE, value: 0.9}) { metricAlert { id } } }`, { w: WS }, AUTH);
    const key = (await gqlOk(gateway.url, `mutation($w: String!) { createExperiment(input: {workspace: $w, project: "p", name: "c1"}) { experiment { key } } }`, { w: WS }, AUTH)).createExperiment.experiment.key;
    await gqlOk(gateway.url, `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "acc", value: 0.8, step: 1}, {name: "acc", value: 0.93, step: 2}]}) { accepted } }`, { k: key }, AUTH);
    await gqlOk(gateway.url, `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "acc", value: 0.95, step: 3}]}) { accepted } }`, { k: key }, AUTH);
    await gqlOk(gateway.url, `mutation($k: String!) { endExperiment(input: {experimentKey: $k, status: FAILED}) { experiment { status } } }`, { k: key }, AUTH);

    await eventually(() => receiver.received.length === 3, 5000, 'three events');
    await sleep(200);
    const byType = Object.fromEntries(receiver.received.map((r) => [r.json.type, r]));
    expect(Object.keys(byType).sort()).toEqual(['experiment.created', 'experiment.ended', 'metric.alert']);
    for (const r of receiver.received) expect(verifyStandardWebhook(secret, r.headers, r.body)).toBe(true);
    expect(byType['metric.alert'].json.data).toMatchObject({ experimentKey: key, metric: 'acc', value: 0.93, step: 2 });
    expect(byType['experiment.ended'].json.data).toMatchObject({ experimentKey: key, workspace: WS, project: 'p', status: 'FAILED' });
    expect(fs.existsSync(path.join(dir, 'notify.db'))).toBe(true);
  });

  it('sends registry events for versions registered and updated through the gateway', async () => {
    const models = await startReceiver();
    try {
      await gqlOk(gateway.url, `mutation($w: String!) { createWebhook(input: {workspace: $w, url: "${models.url}", events: [MODEL_VERSION_CREATED, MODEL_VERSION_UPDATED]}) { secret } }`, { w: WS }, AUTH);
      const key = (await gqlOk(gateway.url, `mutation($w: String!) { createExperiment(input: {workspace: $w, project: "reg"}) { experiment { key } } }`, { w: WS }, AUTH)).createExperiment.experiment.key;
      const upload = await gqlOk(gateway.url, `mutation($k: String!) { createAssetUpload(input: {experimentKey: $k, fileName: "w.bin", type: "model-element", modelName: "net"}) { uploadUrl } }`, { k: key }, AUTH);
      expect((await fetch(upload.createAssetUpload.uploadUrl, { method: 'PUT', body: 'weights', headers: AUTH })).status).toBe(201);
      await gqlOk(gateway.url, `mutation($k: String!) { registerModel(input: {experimentKey: $k, experimentModelName: "net", registryName: "clf"}) { registeredModel { name } } }`, { k: key }, AUTH);
      await gqlOk(gateway.url, `mutation($w: String!) { updateModelVersion(input: {workspace: $w, modelName: "clf", version: "1.0.0", stage: "production"}) { version { stage } } }`, { w: WS }, AUTH);
      await eventually(() => models.received.length === 2, 5000, 'two registry events');
      expect(models.received.map((r) => [r.json.type, r.json.data.modelName, r.json.data.stage])).toEqual([
        ['model_version.created', 'clf', null], ['model_version.updated', 'clf', 'production'],
      ]);
    } finally {
      await models.close();
    }
  });

  it('refuses to manage the webhooks of a workspace the Comet key cannot see', async () => {
    const res = await gql(gateway.url, `mutation { createWebhook(input: {workspace: "someone-else", url: "${receiver.url}", events: [EXPERIMENT_ENDED]}) { secret } }`, {}, AUTH);
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });
});
