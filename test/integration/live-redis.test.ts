/**
 * The live feed across replicas: two gateway processes on one store and a real redis-server. A subscriber on
 * one replica receives what is written through the other; Redis dies and comes back while subscribers stay
 * connected, and delivery resumes.
 */
import { rmSync } from 'node:fs';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { describeWith } from '../support/tools';
import { eventually, liveClient, record, startRedis, type LiveClient, type RedisServer } from '../support/live';


const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`;
const METRICS = `subscription($key: String!) { metricLogged(experimentKey: $key) { name points { step value } } }`;

interface Ready {
  status: string;
  live: { status: string; pubsub: string; redis?: string; subscribers: number };
}

async function ready(url: string): Promise<{ http: number; body: Ready }> {
  const res = await fetch(`${url}/readyz`);
  return { http: res.status, body: (await res.json()) as Ready };
}

type MetricEvent = { metricLogged: { name: string; points: { step: number; value: number }[] } };

describeWith('redis-server')('two replicas over Redis', () => {
  let redis: RedisServer;
  let a: ChildGateway;
  let b: ChildGateway;
  let dataDir: string;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = tempDir();
    const env = { TRACKQL_REDIS_URL: redis.url, TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' };
    a = await startChildGateway(env);
    b = await startChildGateway(env);
    for (const gw of [a, b]) await eventually(async () => (await ready(gw.url)).body.live.redis === 'ready', 10_000, 'redis ready');
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await a?.dispose();
    await b?.dispose();
    await redis?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function client(url: string): LiveClient {
    const c = liveClient(url);
    clients.push(c);
    return c;
  }

  it('delivers on replica B what was logged through replica A, and survives Redis going away', async () => {
    const key = (await gqlOk(a.url, `mutation { createExperiment(input: {workspace: "ml", project: "replicas"}) { experiment { key } } }`)).createExperiment.experiment.key;
    const onB = client(b.url);
    const onA = client(a.url);
    const feedB = record<MetricEvent>(onB.client, METRICS, { key });
    const feedA = record<MetricEvent>(onA.client, METRICS, { key });
    const projectOnB = record<{ experimentUpdated: { kind: string; experimentKey: string } }>(onB.client,
      `subscription { experimentUpdated(workspace: "ml", project: "replicas") { kind experimentKey } }`);
    await eventually(async () => (await ready(b.url)).body.live.subscribers === 2, 5000, 'subscriptions on B');
    await eventually(async () => (await ready(a.url)).body.live.subscribers === 1, 5000, 'subscription on A');

    await gqlOk(a.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: 0.5, step: 0 }, { name: 'loss', nonFinite: 'NAN', step: 1 }] } });
    const [first] = await feedB.waitFor(1);
    expect(first.data?.metricLogged).toEqual({ name: 'loss', points: [{ step: 0, value: 0.5 }, { step: 1, value: null }] });
    const created = (await gqlOk(a.url, `mutation { createExperiment(input: {workspace: "ml", project: "replicas"}) { experiment { key } } }`)).createExperiment.experiment.key;
    expect((await projectOnB.waitFor(1))[0].data?.experimentUpdated).toEqual({ kind: 'CREATED', experimentKey: created });

    await redis.kill();
    await eventually(async () => (await ready(b.url)).body.live.redis === 'reconnecting', 10_000, 'B to notice');
    const degraded = await ready(b.url);
    expect(degraded.http).toBe(200); // HTTP still serves: degraded, not down
    expect(degraded.body).toMatchObject({ status: 'degraded', live: { status: 'degraded', pubsub: 'redis', redis: 'reconnecting' } });
    // Meanwhile replica A's own subscribers keep their feed: local delivery does not go through Redis.
    await gqlOk(a.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: 0.25, step: 2 }] } });
    await feedA.waitFor(2);

    await redis.start();
    for (const gw of [a, b]) await eventually(async () => (await ready(gw.url)).body.status === 'ready', 15_000, 'redis back');
    // Resubscription follows the reconnect by a round trip: log until B sees a point again.
    let step = 3;
    await eventually(async () => {
      await gqlOk(a.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: step, step }] } });
      step += 1;
      return feedB.results.some((r) => (r.data?.metricLogged.points[0]?.step ?? 0) >= 3);
    }, 15_000, 'delivery to resume on B');
    // And the other way round.
    const before = feedA.results.length;
    await gqlOk(b.url, LOG, { input: { experimentKey: key, points: [{ name: 'from-b', value: 1, step: 0 }] } });
    await eventually(() => feedA.results.slice(before).some((r) => r.data?.metricLogged.name === 'from-b'), 10_000, 'A to hear from B');

    // Nobody crashed, nobody was disconnected.
    expect(a.process.exitCode).toBeNull();
    expect(b.process.exitCode).toBeNull();
    expect(onA.closed).toEqual([]);
    expect(onB.closed).toEqual([]);
    expect(onB.connects()).toBe(1);
  }, 90_000);
});
