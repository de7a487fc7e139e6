/**
 * API keys on the live feed (graphql-ws over the real server): a subscription needs a valid key in
 * connectionParams, and sees only what its key may read.
 */
import { rmSync } from 'node:fs';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { bearer, createKey, revokeKey, type CreatedKey } from '../support/keys';
import { eventually, liveClient, record } from '../support/live';

const METRICS = `subscription($key: String!) { metricLogged(experimentKey: $key) { name points { step value } } }`;
const EXPERIMENTS = `subscription($ws: String!, $p: String!) { experimentUpdated(workspace: $ws, project: $p) { kind experimentKey } }`;
const CREATE = `mutation($w: String!, $p: String!) { createExperiment(input: {workspace: $w, project: $p}) { experiment { key } } }`;
const LOG = `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.25, step: 7}]}) { accepted } }`;

let gw: ChildGateway;
let dataDir: string;
let admin: CreatedKey;
let reader: CreatedKey;
let mlKey: string;
let cvKey: string;

beforeAll(async () => {
  dataDir = tempDir('trackql-auth-live-');
  admin = createKey(dataDir, '*', 'admin');
  reader = createKey(dataDir, 'ml', 'read');
  gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
  mlKey = (await gqlOk(gw.url, CREATE, { w: 'ml', p: 'live' }, bearer(admin))).createExperiment.experiment.key;
  cvKey = (await gqlOk(gw.url, CREATE, { w: 'cv', p: 'hidden' }, bearer(admin))).createExperiment.experiment.key;
});
afterAll(async () => {
  await gw.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts one subscription with these connectionParams and returns the errors it ended with. */
async function refusal(connectionParams: Record<string, unknown>, query: string, variables: Record<string, unknown>) {
  const live = liveClient(gw.url, { connectionParams });
  const feed = record(live.client, query, variables);
  await feed.done;
  await live.dispose();
  return feed.results.flatMap((r) => r.errors ?? []).map((e) => ({ code: e.extensions?.code, message: e.message }));
}

async function subscribers(): Promise<number> {
  return ((await (await fetch(`${gw.url}/readyz`)).json()) as { live: { subscribers: number } }).live.subscribers;
}

describe('subscriptions on a store with keys', () => {
  it('are refused with UNAUTHENTICATED without a key or with an unknown one', async () => {
    expect(await refusal({}, METRICS, { key: mlKey })).toEqual([{ code: 'UNAUTHENTICATED', message: expect.stringContaining('API key is required') }]);
    expect(await refusal({ authorization: 'Bearer tqk_nope' }, METRICS, { key: mlKey })).toEqual([{ code: 'UNAUTHENTICATED', message: expect.stringContaining('unknown or revoked') }]);
  });

  it('see nothing outside the key\'s workspaces: NOT_FOUND by experiment key, FORBIDDEN by workspace', async () => {
    expect(await refusal({ authorization: reader.secret }, METRICS, { key: cvKey })).toEqual([{ code: 'NOT_FOUND', message: `No experiment with key '${cvKey}'` }]);
    expect(await refusal({ Authorization: `Bearer ${reader.secret}` }, EXPERIMENTS, { ws: 'cv', p: 'hidden' }))
      .toEqual([{ code: 'FORBIDDEN', message: expect.stringContaining("has no access to workspace 'cv'") }]);
  });

  it('deliver events to a read key within its workspace', async () => {
    const live = liveClient(gw.url, { connectionParams: { authorization: reader.secret } });
    const before = await subscribers();
    const metrics = record<{ metricLogged: { name: string; points: { step: number; value: number }[] } }>(live.client, METRICS, { key: mlKey });
    const projects = record<{ experimentUpdated: { kind: string; experimentKey: string } }>(live.client, EXPERIMENTS, { ws: 'ml', p: 'live' });
    await eventually(async () => (await subscribers()) >= before + 2, 5000, 'both subscriptions to start');
    await gqlOk(gw.url, LOG, { k: mlKey }, bearer(admin));
    const created = (await gqlOk(gw.url, CREATE, { w: 'ml', p: 'live' }, bearer(admin))).createExperiment.experiment.key;
    expect((await metrics.waitFor(1))[0].data?.metricLogged).toEqual({ name: 'loss', points: [{ step: 7, value: 0.25 }] });
    expect((await projects.waitFor(1))[0].data?.experimentUpdated).toEqual({ kind: 'CREATED', experimentKey: created });
    await live.dispose();
    await eventually(async () => (await subscribers()) === before, 5000, 'the subscribers to be let go');
  });

  it('end with 4401 once their key is revoked, without reconnecting', async () => {
    const temporary = createKey(dataDir, 'ml', 'read');
    const live = liveClient(gw.url, { connectionParams: { authorization: temporary.secret } });
    const before = await subscribers();
    const feed = record(live.client, METRICS, { key: mlKey });
    await eventually(async () => (await subscribers()) >= before + 1, 5000, 'the subscription to start');
    revokeKey(dataDir, temporary.id);
    await eventually(() => live.closed.length > 0, 8000, 'the socket to close');
    expect(live.closed).toEqual([{ code: 4401, reason: 'API key revoked or no longer valid' }]);
    await feed.done;
    expect(live.connects()).toBe(1);
    await eventually(async () => (await subscribers()) === before, 5000, 'the subscriber to be let go');
    await live.dispose();
  });
});
