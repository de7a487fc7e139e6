/**
 * Execute once, fan out bytes, against the real server and real graphql-ws clients: subscribers of the same
 * document, variables and key share one execution per event (counted by `/readyz`'s `live.fanout`), while
 * different variables, different keys and different operations never share, and each subscriber still gets
 * its own subscription id and its own end.
 */
import { rmSync } from 'node:fs';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { bearer, createKey, type CreatedKey } from '../support/keys';
import { eventually, liveClient, record, type LiveClient, type Recording } from '../support/live';

const CREATE = `mutation($w: String!, $p: String!) { createExperiment(input: {workspace: $w, project: $p}) { experiment { key } } }`;
const LOG = `mutation($k: String!, $points: [MetricPointInput!]!) { logMetrics(input: {experimentKey: $k, points: $points}) { accepted } }`;
const BY_NAMES = `subscription($key: String!, $names: [String!]) { metricLogged(experimentKey: $key, names: $names) { name points { step value } } }`;

type Event = { metricLogged: { name: string; points: { step: number; value: number }[] } };
interface Fanout {
  groups: number;
  executions: number;
  deliveries: number;
}

let gw: ChildGateway;
let dataDir: string;
let writer: CreatedKey;
let readers: CreatedKey[];
let key: string;
const clients: LiveClient[] = [];

beforeAll(async () => {
  dataDir = tempDir('trackql-live-fanout-');
  writer = createKey(dataDir, 'ml', 'write');
  readers = [createKey(dataDir, 'ml', 'read'), createKey(dataDir, 'ml', 'read')];
  gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
  key = (await gqlOk(gw.url, CREATE, { w: 'ml', p: 'fanout' }, bearer(writer))).createExperiment.experiment.key;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await eventually(async () => (await status()).subscribers === 0, 10_000, 'subscriptions to end');
});
afterAll(async () => {
  await gw.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function status(): Promise<{ subscribers: number; fanout: Fanout }> {
  return ((await (await fetch(`${gw.url}/readyz`)).json()) as { live: { subscribers: number; fanout: Fanout } }).live;
}

function connect(as: CreatedKey): LiveClient {
  const live = liveClient(gw.url, { connectionParams: { authorization: as.secret } });
  clients.push(live);
  return live;
}

/** Subscribes, then waits until the server counts `total` subscribers (so none misses the next write). */
async function subscribeAll(entries: { client: LiveClient; variables: Record<string, unknown> }[], total: number): Promise<Recording<Event>[]> {
  const feeds = entries.map((e) => record<Event>(e.client.client, BY_NAMES, e.variables));
  await eventually(async () => (await status()).subscribers === total, 10_000, `${total} subscribers`);
  return feeds;
}

let step = 0;
async function log(names: string[]): Promise<number> {
  step += 1;
  await gqlOk(gw.url, LOG, { k: key, points: names.map((name) => ({ name, value: step / 10, step })) }, bearer(writer));
  return step;
}

describe('live fan-out', () => {
  it('executes once per event for subscribers of the same document, variables and key, on several sockets', async () => {
    const sockets = [connect(readers[0]), connect(readers[0]), connect(readers[0])];
    // Two subscriptions per socket: graphql-ws ids repeat across sockets and differ within one.
    const feeds = await subscribeAll(sockets.flatMap((client) => [0, 1].map(() => ({ client, variables: { key, names: ['loss'] } }))), 6);
    expect((await status()).fanout.groups).toBe(1);
    const before = (await status()).fanout;
    const at = await log(['loss']);
    const received = await Promise.all(feeds.map((f) => f.waitFor(1)));
    for (const results of received) expect(results[0]).toEqual({ data: { metricLogged: { name: 'loss', points: [{ step: at, value: at / 10 }] } } });
    const after = (await status()).fanout;
    expect(after.executions - before.executions).toBe(1);
    expect(after.deliveries - before.deliveries).toBe(6);
  });

  it('never shares between different variables', async () => {
    const client = connect(readers[0]);
    const [lossOnly, both] = await subscribeAll([
      { client, variables: { key, names: ['loss'] } },
      { client, variables: { key, names: ['loss', 'acc'] } },
    ], 2);
    expect((await status()).fanout.groups).toBe(2);
    const before = (await status()).fanout;
    const at = await log(['loss', 'acc']);
    await both.waitFor(2);
    await lossOnly.waitFor(1);
    // loss: one execution per group; acc: only the group that wants it.
    await eventually(async () => (await status()).fanout.executions - before.executions === 3, 5000, 'three executions');
    expect(lossOnly.results.map((r) => r.data?.metricLogged.name)).toEqual(['loss']);
    expect(both.results.map((r) => r.data?.metricLogged.name).sort()).toEqual(['acc', 'loss']);
    expect(both.results.every((r) => r.data?.metricLogged.points[0].step === at)).toBe(true);
  });

  it('never shares between different keys, even for the same document and variables', async () => {
    const [first, second] = await subscribeAll([
      { client: connect(readers[0]), variables: { key, names: ['loss'] } },
      { client: connect(readers[1]), variables: { key, names: ['loss'] } },
    ], 2);
    expect((await status()).fanout.groups).toBe(2);
    const before = (await status()).fanout;
    await log(['loss']);
    await Promise.all([first.waitFor(1), second.waitFor(1)]);
    expect((await status()).fanout.executions - before.executions).toBe(2);
  });

  it('keeps delivering to the others when one subscriber of a shared group completes', async () => {
    const client = connect(readers[0]);
    const [leaving, staying] = await subscribeAll([0, 1].map(() => ({ client, variables: { key, names: ['loss'] } })), 2);
    await log(['loss']);
    await Promise.all([leaving.waitFor(1), staying.waitFor(1)]);
    leaving.unsubscribe();
    await eventually(async () => (await status()).subscribers === 1, 5000, 'one subscriber left');
    const at = await log(['loss']);
    const results = await staying.waitFor(2);
    expect(results[1].data?.metricLogged.points[0].step).toBe(at);
    expect(leaving.results).toHaveLength(1);
    expect((await status()).fanout.groups).toBe(1);
  });
});
