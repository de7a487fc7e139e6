/**
 * Webhooks against a real receiver on loopback, embedded store: signed per Standard Webhooks (checked by the
 * receiver's own verifier), retried with the same webhook-id until a success, 410 disables the endpoint,
 * rotation signs with both secrets, metric alerts fire once per run, secrets never come back.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { codes, gql, gqlOk, tempDir } from '../support/gateway';
import { eventually, sleep } from '../support/live';
import { startReceiver, verifyStandardWebhook, type Receiver } from '../support/webhook-receiver';

const CREATE_HOOK = `mutation($in: CreateWebhookInput!) { createWebhook(input: $in) { secret webhook { id url events active } } }`;
const CREATE_RUN = `mutation($p: String!) { createExperiment(input: {workspace: "ml", project: $p, name: "r1"}) { experiment { key } } }`;
const END_RUN = `mutation($k: String!) { endExperiment(input: {experimentKey: $k, status: FINISHED}) { experiment { status } } }`;
const LOG = `mutation($k: String!, $v: Float!, $s: SafeInt!) { logMetrics(input: {experimentKey: $k, points: [{name: "val_loss", value: $v, step: $s}]}) { accepted } }`;
const DELIVERIES = `query($w: String!) { workspace(name: $w) { webhooks { id active disabledReason deliveries(first: 10) { totalCount nodes { id event messageId status attempts responseStatus } } } } }`;

describe('an endpoint that never succeeds', () => {
  it('is disabled once it has failed for TRACKQL_WEBHOOK_DISABLE_AFTER, its waiting deliveries with it', async () => {
    const dataDir = tempDir('trackql-hooks-failing-');
    const receiver = await startReceiver();
    receiver.script.push(...Array.from({ length: 100 }, () => ({ status: 500 })));
    const gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_WEBHOOK_ALLOW_PRIVATE: 'true',
      TRACKQL_WEBHOOK_RETRY_SCHEDULE: Array.from({ length: 20 }, () => '100ms').join(','), TRACKQL_WEBHOOK_POLL: '20ms', TRACKQL_WEBHOOK_DISABLE_AFTER: '1s',
    }));
    try {
      await gqlOk(gateway.url, CREATE_HOOK, { in: { workspace: 'ml', url: receiver.url, events: ['EXPERIMENT_CREATED'] } });
      await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' });
      const w = await eventually(async () => {
        const hook = (await gqlOk(gateway.url, DELIVERIES, { w: 'ml' })).workspace.webhooks[0];
        return hook.active === false && hook;
      }, 5000, 'the endpoint disabled');
      expect(w.disabledReason).toMatch(/failed every attempt/);
      expect(w.deliveries.nodes).toEqual([expect.objectContaining({ status: 'DISABLED', responseStatus: 500 })]);
      expect(receiver.received.length).toBeGreaterThanOrEqual(5);
      const sent = receiver.received.length;
      await sleep(300);
      expect(receiver.received).toHaveLength(sent);
    } finally {
      await gateway.stop();
      await receiver.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('webhooks on the embedded store', () => {
  let gateway: Gateway;
  let receiver: Receiver;
  let dataDir: string;

  beforeEach(async () => {
    dataDir = tempDir('trackql-hooks-');
    receiver = await startReceiver();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent',
      TRACKQL_WEBHOOK_ALLOW_PRIVATE: 'true', TRACKQL_WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms', TRACKQL_WEBHOOK_POLL: '20ms',
    }));
  });
  afterEach(async () => {
    await gateway.stop();
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function hook(events: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
    const data = await gqlOk(gateway.url, CREATE_HOOK, { in: { workspace: 'ml', url: receiver.url, events, ...extra } });
    return { id: data.createWebhook.webhook.id, secret: data.createWebhook.secret };
  }

  async function deliveries() {
    return (await gqlOk(gateway.url, DELIVERIES, { w: 'ml' })).workspace.webhooks[0];
  }

  it('signs run events so that an independent Standard Webhooks verifier accepts them', async () => {
    const { secret } = await hook(['EXPERIMENT_CREATED', 'EXPERIMENT_ENDED']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const key = (await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' })).createExperiment.experiment.key;
    await gqlOk(gateway.url, LOG, { k: key, v: 0.25, s: 3 });
    await gqlOk(gateway.url, END_RUN, { k: key });
    await eventually(() => receiver.received.length === 2, 5000, 'two deliveries');

    const [created, ended] = receiver.received;
    for (const r of receiver.received) {
      expect(verifyStandardWebhook(secret, r.headers, r.body)).toBe(true);
      expect(verifyStandardWebhook(`whsec_${randomBytes(32).toString('base64')}`, r.headers, r.body)).toBe(false);
      expect(verifyStandardWebhook(secret, r.headers, `${r.body} `)).toBe(false);
      expect(r.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(r.headers['x-mlflow-signature']).toBe(r.headers['webhook-signature']);
    }
    expect(created.json).toMatchObject({ type: 'experiment.created', data: { experimentKey: key, workspace: 'ml', project: 'p1', status: 'RUNNING' } });
    expect(ended.json).toMatchObject({
      type: 'experiment.ended',
      data: { experimentKey: key, name: 'r1', status: 'FINISHED', durationMs: expect.any(Number), metrics: [{ name: 'val_loss', last: 0.25, min: 0.25, max: 0.25, lastStep: 3 }] },
    });
    expect(new Date(ended.json.timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('retries a receiver that fails three times, then delivers once more with the same webhook-id', async () => {
    await hook(['EXPERIMENT_CREATED']);
    receiver.script.push({ status: 500 }, { status: 502 }, { status: 503 });
    await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' });
    await eventually(() => receiver.received.length === 4, 5000, 'four attempts');
    await sleep(300); // no fifth attempt after the success
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const w = await deliveries();
    expect(w.deliveries.nodes).toEqual([expect.objectContaining({ event: 'experiment.created', status: 'DELIVERED', attempts: 4, responseStatus: 204, messageId: receiver.received[0].headers['webhook-id'] })]);
  });

  it('waits at least as long as Retry-After asks', async () => {
    await hook(['EXPERIMENT_CREATED']);
    receiver.script.push({ status: 429, headers: { 'retry-after': '1' } });
    await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' });
    await eventually(() => receiver.received.length === 2, 5000, 'the retry');
    expect(receiver.received[1].at - receiver.received[0].at).toBeGreaterThanOrEqual(950);
  });

  it('disables the endpoint when it answers 410, and sends it nothing more', async () => {
    await hook(['EXPERIMENT_CREATED']);
    receiver.script.push({ status: 410 });
    await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' });
    await eventually(async () => (await deliveries()).active === false, 5000, 'the endpoint disabled');
    const w = await deliveries();
    expect(w.disabledReason).toMatch(/410/);
    expect(w.deliveries.nodes).toEqual([expect.objectContaining({ status: 'DISABLED', attempts: 1, responseStatus: 410 })]);
    await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' });
    await sleep(300);
    expect(receiver.received).toHaveLength(1);
    const id = w.id as string;
    expect(codes(await gql(gateway.url, `mutation($id: ID!) { testWebhook(input: {id: $id}) { status } }`, { id }))).toEqual(['BAD_USER_INPUT']);
    await gqlOk(gateway.url, `mutation($id: ID!) { updateWebhook(input: {id: $id, active: true}) { webhook { active } } }`, { id });
    const test = await gqlOk(gateway.url, `mutation($id: ID!) { testWebhook(input: {id: $id}) { status } }`, { id });
    expect(test.testWebhook.status).toBe('DELIVERED');
    expect((await deliveries()).disabledReason).toBeNull();
  });

  it('does not follow redirects: a 3xx is a failed attempt, retried at the same URL', async () => {
    const elsewhere = await startReceiver();
    try {
      await hook(['EXPERIMENT_CREATED']);
      receiver.script.push({ status: 307, headers: { location: elsewhere.url } });
      await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' });
      await eventually(() => receiver.received.length === 2, 5000, 'the retry at the same URL');
      expect(elsewhere.received).toHaveLength(0);
      expect((await deliveries()).deliveries.nodes[0]).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    } finally {
      await elsewhere.close();
    }
  });

  it('signs with the old and the new secret after a rotation, and never shows a secret again', async () => {
    const { id, secret: old } = await hook(['EXPERIMENT_CREATED']);
    const rotated = await gqlOk(gateway.url, `mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { secret } }`, { id });
    const fresh = rotated.rotateWebhookSecret.secret as string;
    expect(fresh).not.toBe(old);
    const test = await gqlOk(gateway.url, `mutation($id: ID!) { testWebhook(input: {id: $id}) { event status attempts } }`, { id });
    expect(test.testWebhook).toEqual({ event: 'webhook.test', status: 'DELIVERED', attempts: 1 });
    const [r] = receiver.received;
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(old, r.headers, r.body)).toBe(true);
    expect(verifyStandardWebhook(fresh, r.headers, r.body)).toBe(true);
    const listed = await gql(gateway.url, `{ workspace(name: "ml") { webhooks { secret } } }`);
    expect(listed.status).toBe(400); // no field holds it
    expect(listed.errors?.[0].message).toMatch(/Cannot query field "secret"/);
    const db = fs.readFileSync(`${dataDir}/trackql.db`).toString('latin1') + fs.readFileSync(`${dataDir}/trackql.db-wal`).toString('latin1');
    expect(db).not.toContain(fresh.slice(6, 30));
  });

  it('fires a metric alert once per run when the summary crosses the threshold', async () => {
    await hook(['METRIC_ALERT']);
    const alert = await gqlOk(gateway.url, `mutation { createMetricAlert(input: {workspace: "ml", project: "p1", metric: "val_loss", aggregate: MIN, op: LT, value: 0.2, name: "good enough"}) { metricAlert { id op aggregate value } } }`);
    expect(alert.createMetricAlert.metricAlert).toMatchObject({ op: 'LT', aggregate: 'MIN', value: 0.2 });
    const key = (await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' })).createExperiment.experiment.key;
    const other = (await gqlOk(gateway.url, CREATE_RUN, { p: 'p2' })).createExperiment.experiment.key;
    await gqlOk(gateway.url, LOG, { k: key, v: 0.5, s: 1 });
    await gqlOk(gateway.url, LOG, { k: other, v: 0.1, s: 1 }); // another project: not watched
    await gqlOk(gateway.url, LOG, { k: key, v: 0.15, s: 2 });
    await gqlOk(gateway.url, LOG, { k: key, v: 0.1, s: 3 });
    await eventually(() => receiver.received.length === 1, 5000, 'the alert');
    await sleep(300);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].json).toMatchObject({
      type: 'metric.alert',
      data: { experimentKey: key, metric: 'val_loss', aggregate: 'MIN', op: 'LT', threshold: 0.2, value: 0.15, step: 2, alertName: 'good enough' },
    });
  });

  it('tells of registry changes, filtered by model: version created, updated, alias set', async () => {
    await hook(['MODEL_VERSION_CREATED', 'MODEL_VERSION_UPDATED', 'MODEL_VERSION_ALIAS_SET'], { filter: { modelName: 'clf' } });
    const key = (await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' })).createExperiment.experiment.key;
    for (const model of ['m', 'other']) {
      const upload = await gqlOk(gateway.url, `mutation($k: String!, $m: String!) { createAssetUpload(input: {experimentKey: $k, fileName: "w.bin", type: "model-element", modelName: $m}) { uploadUrl } }`, { k: key, m: model });
      expect((await fetch(upload.createAssetUpload.uploadUrl, { method: 'PUT', body: 'weights' })).status).toBe(201);
    }
    const REGISTER = `mutation($k: String!, $m: String!, $r: String!) { registerModel(input: {experimentKey: $k, experimentModelName: $m, registryName: $r}) { registeredModel { name } } }`;
    await gqlOk(gateway.url, REGISTER, { k: key, m: 'm', r: 'clf' });
    await gqlOk(gateway.url, REGISTER, { k: key, m: 'other', r: 'not-watched' });
    await gqlOk(gateway.url, `mutation { updateModelVersion(input: {workspace: "ml", modelName: "clf", version: "1.0.0", addAliases: ["champion"]}) { version { aliases } } }`);
    await eventually(() => receiver.received.length === 3, 5000, 'three registry events');
    await sleep(200);
    expect(receiver.received.map((r) => r.json.type)).toEqual(['model_version.created', 'model_version.updated', 'model_version.alias_set']);
    expect(receiver.received[0].json.data).toMatchObject({ workspace: 'ml', modelName: 'clf', version: '1.0.0', experimentKey: key });
    expect(receiver.received[2].json.data).toMatchObject({ modelName: 'clf', version: '1.0.0', alias: 'champion', aliases: ['champion'] });
  });

  it('refuses bad input with stable codes and keeps nothing', async () => {
    expect(codes(await gql(gateway.url, CREATE_HOOK, { in: { workspace: 'ml', url: 'ftp://x/y', events: ['EXPERIMENT_ENDED'] } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gateway.url, CREATE_HOOK, { in: { workspace: 'ml', url: receiver.url, events: [] } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(gateway.url, `mutation { deleteWebhook(input: {id: "wh_nope"}) { deletedId } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(gateway.url, `mutation($k: String!) { endExperiment(input: {experimentKey: $k, notify: {emails: ["a@b.c"]}}) { experiment { status } } }`, { k: 'nope' }))).toEqual(['BAD_USER_INPUT']);
    await gqlOk(gateway.url, CREATE_RUN, { p: 'p1' }); // the workspace exists from here on
    expect((await gqlOk(gateway.url, `{ workspace(name: "ml") { webhooks { id } metricAlerts { id } } }`)).workspace).toEqual({ webhooks: [], metricAlerts: [] });
  });
});
