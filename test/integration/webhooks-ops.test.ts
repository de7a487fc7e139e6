/**
 * Webhooks as operators see them, on a real gateway process at `debug`: only workspace admins manage them,
 * `/metrics` counts deliveries by event and status and shows the age of the oldest waiting one, and no
 * webhook secret reaches a log line.
 */
import { codes, gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { eventually, sleep } from '../support/live';
import { bearer, createKey, type CreatedKey } from '../support/keys';
import { find, parseExposition } from '../support/prom';
import { startReceiver, type Receiver } from '../support/webhook-receiver';

const CREATE_HOOK = `mutation($url: String!) { createWebhook(input: {workspace: "ml", url: $url, events: [EXPERIMENT_CREATED]}) { secret webhook { id } } }`;
const CREATE_RUN = `mutation { createExperiment(input: {workspace: "ml", project: "p", name: "r"}) { experiment { key } } }`;

describe('webhooks in operation', () => {
  let gateway: ChildGateway;
  let ok: Receiver;
  let failing: Receiver;
  let admin: CreatedKey;
  let writer: CreatedKey;

  beforeAll(async () => {
    const dataDir = tempDir('trackql-hooks-ops-');
    admin = createKey(dataDir, 'ml', 'admin');
    writer = createKey(dataDir, 'ml', 'write');
    [ok, failing] = [await startReceiver(), await startReceiver()];
    gateway = await startChildGateway({
      TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'debug', TRACKQL_WEBHOOK_ALLOW_PRIVATE: 'true',
      TRACKQL_WEBHOOK_RETRY_SCHEDULE: '1h', TRACKQL_WEBHOOK_POLL: '20ms',
    });
  });
  afterAll(async () => {
    await gateway?.dispose();
    await ok?.close();
    await failing?.close();
  });

  it('lets only workspace admins manage webhooks and alerts', async () => {
    const denied = await gql(gateway.url, CREATE_HOOK, { url: ok.url }, bearer(writer));
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    expect(codes(await gql(gateway.url, `mutation { createMetricAlert(input: {workspace: "ml", project: "p", metric: "m", op: GT, value: 1}) { metricAlert { id } } }`, {}, bearer(writer)))).toEqual(['FORBIDDEN']);
    const mine = await gqlOk(gateway.url, CREATE_HOOK, { url: ok.url }, bearer(admin));
    const id = mine.createWebhook.webhook.id as string;
    expect(codes(await gql(gateway.url, `mutation($id: ID!) { deleteWebhook(input: {id: $id}) { deletedId } }`, { id }, bearer(writer)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(gateway.url, `mutation($id: ID!) { testWebhook(input: {id: $id}) { status } }`, { id }))).toEqual(['UNAUTHENTICATED']);
    await gqlOk(gateway.url, `mutation($id: ID!) { deleteWebhook(input: {id: $id}) { deletedId } }`, { id }, bearer(admin));
  });

  it('counts deliveries by event and status, shows the oldest waiting one, and logs no secret', async () => {
    const secrets: string[] = [];
    for (const r of [ok, failing]) {
      const created = await gqlOk(gateway.url, CREATE_HOOK, { url: r.url }, bearer(admin));
      secrets.push(created.createWebhook.secret);
      const rotated = await gqlOk(gateway.url, `mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { secret } }`, { id: created.createWebhook.webhook.id }, bearer(admin));
      secrets.push(rotated.rotateWebhookSecret.secret);
    }
    failing.script.push(...Array.from({ length: 5 }, () => ({ status: 500 })));
    await gqlOk(gateway.url, CREATE_RUN, {}, bearer(admin));
    await eventually(() => ok.received.length === 1 && failing.received.length === 1, 5000, 'one attempt each');
    await sleep(100);

    const samples = parseExposition(await (await fetch(`${gateway.url}/metrics`)).text());
    expect(find(samples, 'trackql_webhook_deliveries_total', { event: 'experiment.created', status: 'DELIVERED' })[0]?.value).toBe(1);
    expect(find(samples, 'trackql_webhook_deliveries_total', { event: 'experiment.created', status: 'RETRY' })[0]?.value).toBe(1);
    const oldest = find(samples, 'trackql_webhook_oldest_pending_seconds')[0]?.value ?? 0;
    expect(oldest).toBeGreaterThan(0);
    expect(oldest).toBeLessThan(30);

    const logs = gateway.logs.join('\n');
    expect(logs).toContain('webhook delivery failed, will retry');
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(secret.slice(6, 26));
    }
  });
});
