/**
 * Durability of webhook delivery with real gateway processes: an event written just before a SIGKILL is
 * delivered after the restart, and two replicas on one data dir deliver each event exactly once.
 */
import fs from 'node:fs';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { eventually, sleep } from '../support/live';
import { startReceiver, verifyStandardWebhook, type Receiver } from '../support/webhook-receiver';

const CREATE_HOOK = `mutation($url: String!) { createWebhook(input: {workspace: "ml", url: $url, events: [EXPERIMENT_CREATED]}) { secret } }`;
const CREATE_RUN = `mutation($n: String!) { createExperiment(input: {workspace: "ml", project: "p", name: $n}) { experiment { key } } }`;
const BASE = { TRACKQL_WEBHOOK_ALLOW_PRIVATE: 'true', TRACKQL_WEBHOOK_RETRY_SCHEDULE: '100ms', TRACKQL_LOG_LEVEL: 'notice' };

describe('durable webhook delivery', () => {
  let receiver: Receiver;
  let dataDir: string;
  const gateways: ChildGateway[] = [];

  beforeEach(async () => {
    receiver = await startReceiver();
    dataDir = tempDir('trackql-hooks-durable-');
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop('SIGKILL')));
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<ChildGateway> {
    const gateway = await startChildGateway({ ...BASE, TRACKQL_DATA_DIR: dataDir, ...env });
    gateways.push(gateway);
    return gateway;
  }

  it('delivers an event written just before a SIGKILL once the gateway is back', async () => {
    // The worker looks once at start, then not for a minute: the event is still in the outbox at the kill.
    const first = await start({ TRACKQL_WEBHOOK_POLL: '60s' });
    const { secret } = (await gqlOk(first.url, CREATE_HOOK, { url: receiver.url })).createWebhook;
    const { key } = (await gqlOk(first.url, CREATE_RUN, { n: 'before-kill' })).createExperiment.experiment;
    expect(await first.stop('SIGKILL')).toBeNull();
    expect(receiver.received).toHaveLength(0);

    await start({ TRACKQL_WEBHOOK_POLL: '20ms' });
    await eventually(() => receiver.received.length === 1, 10_000, 'the delivery after restart');
    const [r] = receiver.received;
    expect(r.json).toMatchObject({ type: 'experiment.created', data: { experimentKey: key, name: 'before-kill' } });
    expect(verifyStandardWebhook(secret, r.headers, r.body)).toBe(true);
  });

  it('sends again, with the same webhook-id, a delivery whose sender was killed mid-send, once its lease ends', async () => {
    const hanging = await startReceiver();
    hanging.script.push({ status: 200, hang: true });
    try {
      const first = await start({ TRACKQL_WEBHOOK_POLL: '20ms', TRACKQL_WEBHOOK_TIMEOUT: '500ms' });
      await gqlOk(first.url, CREATE_HOOK, { url: hanging.url });
      await gqlOk(first.url, CREATE_RUN, { n: 'mid-send' });
      await eventually(() => hanging.received.length === 1, 5000, 'the first attempt');
      await first.stop('SIGKILL'); // while the receiver still holds the request
      await start({ TRACKQL_WEBHOOK_POLL: '20ms', TRACKQL_WEBHOOK_TIMEOUT: '500ms' });
      await eventually(() => hanging.received.length === 2, 8000, 'the attempt after the lease ended');
      expect(hanging.received[1].headers['webhook-id']).toBe(hanging.received[0].headers['webhook-id']);
      expect(hanging.received[1].at - hanging.received[0].at).toBeGreaterThanOrEqual(1500); // not before the lease (2 × 500 ms + 1 s) ended
    } finally {
      await hanging.close();
    }
  });

  it('gives an attempt in flight back to the outbox on SIGTERM, so the next process sends it at once', async () => {
    const hanging = await startReceiver();
    hanging.script.push({ status: 200, hang: true });
    try {
      const first = await start({ TRACKQL_WEBHOOK_POLL: '20ms', TRACKQL_WEBHOOK_TIMEOUT: '10s' });
      await gqlOk(first.url, CREATE_HOOK, { url: hanging.url });
      await gqlOk(first.url, CREATE_RUN, { n: 'at-shutdown' });
      await eventually(() => hanging.received.length === 1, 5000, 'the first attempt');
      const stopping = Date.now();
      expect(await first.stop('SIGTERM')).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(5000); // not held by the 10 s attempt
      await start({ TRACKQL_WEBHOOK_POLL: '20ms', TRACKQL_WEBHOOK_TIMEOUT: '10s' });
      await eventually(() => hanging.received.length === 2, 5000, 'the attempt of the next process'); // well before a 21 s lease
      expect(hanging.received[1].headers['webhook-id']).toBe(hanging.received[0].headers['webhook-id']);
    } finally {
      await hanging.close();
    }
  });

  it('delivers each event once with two replicas on one data dir', async () => {
    const a = await start({ TRACKQL_WEBHOOK_POLL: '20ms' });
    const b = await start({ TRACKQL_WEBHOOK_POLL: '20ms' });
    await gqlOk(a.url, CREATE_HOOK, { url: receiver.url });
    const keys: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const via = i % 2 === 0 ? a : b;
      keys.push((await gqlOk(via.url, CREATE_RUN, { n: `run-${i}` })).createExperiment.experiment.key);
    }
    await eventually(() => receiver.received.length >= keys.length, 10_000, 'every delivery');
    await sleep(300); // a duplicate would arrive within a few polls
    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(keys.length);
    expect(new Set(ids).size).toBe(keys.length);
    expect(receiver.received.map((r) => r.json.data.experimentKey).sort()).toEqual([...keys].sort());
  });
});
