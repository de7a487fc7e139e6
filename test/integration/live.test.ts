/**
 * The live feed against the real server (child process, embedded store): subscribe over graphql-ws,
 * write through mutations, receive the events; and the refusals.
 */
import { codes, gql, gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';
import { eventually, liveClient, record, sleep, type LiveClient } from '../support/live';

let gw: ChildGateway;
let live: LiveClient;
beforeAll(async () => {
  gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
  live = liveClient(gw.url);
  await gqlOk(gw.url, `mutation { createProject(input: {workspace: "ml", name: "live"}) { project { name } } }`);
});
afterAll(async () => {
  await live.dispose();
  await gw.dispose();
});

const CREATE = `mutation($name: String) { createExperiment(input: {workspace: "ml", project: "live", name: $name}) { experiment { key } } }`;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`;
const METRICS = `subscription($key: String!, $names: [String!]) {
  metricLogged(experimentKey: $key, names: $names) { experimentKey name dropped points { step epoch value nonFinite timestamp context } }
}`;

interface PointOut { step: number; epoch: number | null; value: number | null; nonFinite: string | null; timestamp: string; context: string | null }
interface MetricOut { metricLogged: { experimentKey: string; name: string; dropped: number; points: PointOut[] } }
interface ExperimentOut { experimentUpdated: { kind: string; experimentKey: string; tags: string[] | null; experiment: Record<string, unknown> | null } }

async function newExperiment(name = 'run'): Promise<string> {
  return (await gqlOk(gw.url, CREATE, { name })).createExperiment.experiment.key as string;
}

/** Subscriptions start asynchronously (an access check runs first): wait until the server counts it. */
async function subscribed(count: number): Promise<void> {
  await eventually(async () => {
    const ready = (await (await fetch(`${gw.url}/readyz`)).json()) as { live: { subscribers: number } };
    return ready.live.subscribers >= count;
  }, 5000, `${count} subscribers`);
}

/** Ends a subscription and waits until the server has let it go, so the next test counts from a settled state. */
async function end(feed: { unsubscribe(): void }, count: number): Promise<void> {
  feed.unsubscribe();
  await eventually(async () => (await subscriberCount()) === count, 5000, 'the subscriber to leave');
}

async function subscriberCount(): Promise<number> {
  return ((await (await fetch(`${gw.url}/readyz`)).json()) as { live: { subscribers: number } }).live.subscribers;
}

describe('metricLogged', () => {
  it('delivers one event per metric per write, points in logged order, NaN and infinities via nonFinite', async () => {
    const key = await newExperiment();
    const before = await subscriberCount();
    const feed = record<MetricOut>(live.client, METRICS, { key });
    await subscribed(before + 1);
    const points = [
      { name: 'loss', value: 1.5, step: 0, epoch: 0, context: 'train', timestamp: '2026-01-01T00:00:00Z' },
      { name: 'acc', value: 0.25, step: 0 },
      { name: 'loss', nonFinite: 'NAN', step: 1 },
      { name: 'loss', nonFinite: 'NEGATIVE_INFINITY', step: 2 },
      { name: 'acc', value: 0.5, step: 1 },
      { name: 'loss', value: 0.75, step: 3 },
    ];
    await gqlOk(gw.url, LOG, { input: { experimentKey: key, points } });
    const [loss, acc] = (await feed.waitFor(2)).map((r) => r.data!.metricLogged);
    expect(loss).toMatchObject({ experimentKey: key, name: 'loss', dropped: 0 });
    expect(loss.points).toEqual([
      { step: 0, epoch: 0, value: 1.5, nonFinite: null, timestamp: '2026-01-01T00:00:00.000Z', context: 'train' },
      expect.objectContaining({ step: 1, value: null, nonFinite: 'NAN', epoch: null, context: null }),
      expect.objectContaining({ step: 2, value: null, nonFinite: 'NEGATIVE_INFINITY' }),
      expect.objectContaining({ step: 3, value: 0.75, nonFinite: null }),
    ]);
    expect(acc).toMatchObject({ name: 'acc', dropped: 0, points: [expect.objectContaining({ step: 0, value: 0.25 }), expect.objectContaining({ step: 1, value: 0.5 })] });
    await end(feed, before);
  });

  it('keeps writes in order across calls and filters by names', async () => {
    const key = await newExperiment();
    const before = await subscriberCount();
    const onlyLoss = record<MetricOut>(live.client, METRICS, { key, names: ['loss'] });
    await subscribed(before + 1);
    for (let step = 0; step < 20; step += 1) {
      await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: step, step }, { name: 'lr', value: 0.1, step }] } });
    }
    const events = (await onlyLoss.waitFor(20)).map((r) => r.data!.metricLogged);
    expect(events.every((e) => e.name === 'loss')).toBe(true);
    expect(events.flatMap((e) => e.points.map((p) => p.step))).toEqual([...Array(20).keys()]);
    await sleep(100);
    expect(onlyLoss.results).toHaveLength(20); // no lr event arrived late
    await end(onlyLoss, before);
  });

  it('measures delivery latency from the write to the subscriber', async () => {
    const key = await newExperiment();
    const before = await subscriberCount();
    const feed = record<MetricOut>(live.client, METRICS, { key });
    await subscribed(before + 1);
    const latencies: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const sent = performance.now();
      await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: i, step: i }] } });
      await feed.waitFor(i + 1);
      latencies.push(performance.now() - sent);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[25];
    const p95 = latencies[47];
    // Mutation round trip plus delivery, on loopback: a generous bound, the figures are in the test output.
    process.stdout.write(`live: write-to-event latency p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (50 writes)\n`);
    expect(p50).toBeLessThan(250);
    await end(feed, before);
  });

  it('answers NOT_FOUND for an unknown experiment, and BAD_USER_INPUT for a malformed key', async () => {
    const unknown = record(live.client, METRICS, { key: 'doesnotexist0000' });
    await unknown.done;
    expect(unknown.results).toEqual([{ errors: [expect.objectContaining({ message: "No experiment with key 'doesnotexist0000'", extensions: { code: 'NOT_FOUND', field: 'experimentKey' } })] }]);
    const malformed = record(live.client, METRICS, { key: 'not a key!' });
    await malformed.done;
    expect(malformed.results[0].errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a subscription sent over HTTP, pointing at the WebSocket endpoint', async () => {
    const res = await gql(gw.url, `subscription { metricLogged(experimentKey: "abc") { name } }`);
    expect(codes(res)[0]).toBe('BAD_USER_INPUT');
  });
});

describe('experimentUpdated', () => {
  const EXPERIMENTS = `subscription($ws: String!, $p: String!) {
    experimentUpdated(workspace: $ws, project: $p) { kind experimentKey tags experiment { key status archived tags } }
  }`;

  it('reports creation, tags, end, archive and deletion of experiments of the project', async () => {
    const before = await subscriberCount();
    const feed = record<ExperimentOut>(live.client, EXPERIMENTS, { ws: 'ml', p: 'live' });
    await subscribed(before + 1);
    const key = (await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "ml", project: "live", tags: ["b", "a"]}) { experiment { key } } }`)).createExperiment.experiment.key;
    await gqlOk(gw.url, `mutation($k: String!) { addTags(input: {experimentKey: $k, tags: ["c"]}) { tags } }`, { k: key });
    await gqlOk(gw.url, `mutation($k: String!) { endExperiment(input: {experimentKey: $k, status: FINISHED}) { experiment { key } } }`, { k: key });
    await gqlOk(gw.url, `mutation($k: String!) { archiveExperiment(input: {experimentKey: $k}) { experiment { key } } }`, { k: key });
    await gqlOk(gw.url, `mutation($k: String!) { deleteExperiment(input: {experimentKey: $k}) { deletedKey } }`, { k: key });
    const events = (await feed.waitFor(5)).map((r) => r.data!.experimentUpdated);
    expect(events).toEqual([
      { kind: 'CREATED', experimentKey: key, tags: ['a', 'b'], experiment: { key, status: 'RUNNING', archived: false, tags: ['a', 'b'] } },
      // Nested fields are read fresh for each event: tags here are the ones after the change.
      { kind: 'TAGS_CHANGED', experimentKey: key, tags: ['a', 'b', 'c'], experiment: { key, status: 'RUNNING', archived: false, tags: ['a', 'b', 'c'] } },
      { kind: 'ENDED', experimentKey: key, tags: null, experiment: { key, status: 'FINISHED', archived: false, tags: ['a', 'b', 'c'] } },
      { kind: 'ARCHIVED', experimentKey: key, tags: null, experiment: { key, status: 'FINISHED', archived: true, tags: ['a', 'b', 'c'] } },
      { kind: 'DELETED', experimentKey: key, tags: null, experiment: null },
    ]);
    await end(feed, before);
  });

  it('answers NOT_FOUND for an unknown project', async () => {
    const feed = record(live.client, EXPERIMENTS, { ws: 'ml', p: 'nope' });
    await feed.done;
    expect(feed.results[0].errors?.[0].extensions).toEqual({ code: 'NOT_FOUND', field: 'project' });
  });
});

describe('connectionParams', () => {
  async function closeOf(connectionParams: Record<string, unknown>) {
    const client = liveClient(gw.url, { connectionParams });
    const feed = record(client.client, METRICS, { key: 'abc' });
    const outcome = await feed.done;
    await client.dispose();
    return { outcome, closed: client.closed };
  }

  it('refuses an authorization that is not a string with 4400 and a reason', async () => {
    const { closed } = await closeOf({ authorization: { key: 'x' } });
    expect(closed[0]).toEqual({ code: 4400, reason: 'Invalid connectionParams: connectionParams.authorization must be a string' });
  });

  it('refuses oversized connectionParams with 4400', async () => {
    const { closed } = await closeOf({ authorization: 'k', padding: 'x'.repeat(20_000) });
    expect(closed[0]).toEqual({ code: 4400, reason: 'Invalid connectionParams: connectionParams must be at most 8192 bytes' });
  });

  it('refuses two different keys', async () => {
    const { closed } = await closeOf({ authorization: 'a', Authorization: 'Bearer b' });
    expect(closed[0].code).toBe(4400);
  });

  it('accepts a raw key and a Bearer key (the store is open: both read the same experiment)', async () => {
    const key = await newExperiment();
    for (const connectionParams of [{ authorization: 'my-key' }, { Authorization: 'Bearer my-key' }]) {
      const client = liveClient(gw.url, { connectionParams });
      const before = await subscriberCount();
      const feed = record(client.client, METRICS, { key });
      await subscribed(before + 1);
      await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'x', value: 1, step: 0 }] } });
      await feed.waitFor(1);
      await client.dispose();
      await eventually(async () => (await subscriberCount()) === before, 5000, 'the client to leave');
    }
  });
});
