/** Production monitoring over the real server: the mutations, the ModelVersion fields, and hostile input refused whole. */
import { Readable } from 'node:stream';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { codes, gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { eventually, liveClient, record } from '../support/live';

const HOUR = 3_600_000;
const T0 = Math.floor((Date.now() - 24 * HOUR) / HOUR) * HOUR;
const VERSION = { workspace: 'ml', modelName: 'churn', modelVersion: '1.0.0' };

let gw: ChildGateway;
beforeAll(async () => {
  const dataDir = tempDir('trackql-monitoring-');
  const seed = createSqliteBackend({ dataDir });
  const caller = { apiKey: null, keyId: 'anonymous' };
  const { key } = await seed.experiments.create(caller, { workspace: 'ml', project: 'p' });
  await seed.assets.put(caller, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName: 'net', maxBytes: 10 }, Readable.from([Buffer.from('w')]));
  await seed.registry.register(caller, { experimentKey: key, experimentModelName: 'net', registryName: 'churn', version: '1.0.0' });
  await seed.close();
  gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir });
});
afterAll(() => gw.dispose());

const LOG = `mutation($input: LogPredictionsInput!) { logPredictions(input: $input) { accepted status } }`;
const COUNT = `{ registeredModel(workspace: "ml", name: "churn") { version(version: "1.0.0") { predictions(first: 1) { totalCount } } } }`;

async function stored(): Promise<number> {
  return (await gqlOk(gw.url, COUNT)).registeredModel.version.predictions.totalCount as number;
}

describe('monitoring over GraphQL', () => {
  it('logs events and columns, then answers counts, distribution, drift and features for the version', async () => {
    const before = await stored();
    const columns = { predictionIds: ['c1', 'c2', 'c3'], timestamps: [T0, T0 + 1, T0 + HOUR], features: [{ name: 'age', values: [30, 40, null] }], prediction: [{ name: 'value', values: [true, false, true] }] };
    const events = [{ predictionId: 'e1', timestamp: new Date(T0 + 2).toISOString(), features: { age: 50, plan: 'pro' } }];
    expect(await gqlOk(gw.url, LOG, { input: { ...VERSION, events, columns } })).toEqual({ logPredictions: { accepted: 4, status: 'ACCEPTED' } });
    expect(await stored()).toBe(before + 4);
    const data = await gqlOk(gw.url, `query($from: DateTime!, $to: DateTime!) { registeredModel(workspace: "ml", name: "churn") { version(version: "1.0.0") {
      predictionCounts(from: $from, to: $to) { start count value }
      featureDistribution(feature: "age") { type missing bins { count } percentiles { min max } }
      featureDrift(feature: "age", interval: HOUR, reference: FIRST_WINDOW) { start value count }
      monitoredFeatures { name source type }
    } } workspace(name: "ml") { capabilities { monitoring { supported listPredictions } } } }`, { from: T0, to: T0 + 2 * HOUR });
    const v = data.registeredModel.version;
    expect(v.predictionCounts).toEqual([
      { start: new Date(T0).toISOString(), count: 3, value: 3 },
      { start: new Date(T0 + HOUR).toISOString(), count: 1, value: 1 },
    ]);
    expect(v.featureDistribution).toMatchObject({ type: 'NUMERICAL', missing: 1, percentiles: { min: 30, max: 50 } });
    expect(v.featureDrift).toEqual([{ start: new Date(T0).toISOString(), value: 0, count: 3 }]);
    expect(v.monitoredFeatures).toEqual([
      { name: 'age', source: 'INPUT', type: 'NUMERICAL' }, { name: 'plan', source: 'INPUT', type: 'CATEGORICAL' }, { name: 'value', source: 'OUTPUT', type: 'CATEGORICAL' },
    ]);
    expect(data.workspace.capabilities.monitoring).toEqual({ supported: true, listPredictions: true });
  });

  it('answers a retry with the same idempotency key from its record, storing nothing more', async () => {
    const input = { ...VERSION, idempotencyKey: 'once-1', events: [{ predictionId: 'i1', timestamp: T0, features: { age: 1 } }] };
    await gqlOk(gw.url, LOG, { input });
    const after = await stored();
    expect(await gqlOk(gw.url, LOG, { input })).toEqual({ logPredictions: { accepted: 1, status: 'ACCEPTED' } });
    expect(await stored()).toBe(after);
  });

  it.each([
    ['10,000 features on one event', { events: [{ predictionId: 'h1', features: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i])) }] }, 'PAYLOAD_TOO_LARGE'],
    ['10,001 events in one call', { columns: { predictionIds: Array.from({ length: 10_001 }, (_, i) => `x${i}`) } }, 'PAYLOAD_TOO_LARGE'],
    ['a nested feature value', { events: [{ predictionId: 'ok', features: { a: 1 } }, { predictionId: 'h2', features: { a: { nested: 1 } } }] }, 'BAD_USER_INPUT'],
    ['a list as a feature value', { events: [{ predictionId: 'h3', features: { a: [1, 2] } }] }, 'BAD_USER_INPUT'],
    ['a timestamp far in the future', { events: [{ predictionId: 'ok2', features: { a: 1 } }, { predictionId: 'h4', timestamp: '2999-01-01T00:00:00Z', features: { a: 1 } }] }, 'BAD_USER_INPUT'],
    ['a column of the wrong length', { columns: { predictionIds: ['a', 'b'], features: [{ name: 'age', values: [1] }] } }, 'BAD_USER_INPUT'],
    ['no events at all', { events: [] }, 'BAD_USER_INPUT'],
  ])('refuses %s with a stable code and stores nothing', async (_what, body, code) => {
    const before = await stored();
    const res = await gql(gw.url, LOG, { input: { ...VERSION, ...body } });
    expect(codes(res)).toEqual([code]);
    expect(await stored()).toBe(before);
  });

  it('refuses a model version that is not registered with NOT_FOUND', async () => {
    const res = await gql(gw.url, LOG, { input: { ...VERSION, modelVersion: '7.0.0', events: [{ predictionId: 'n1', features: { a: 1 } }] } });
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.errors?.[0].message).toBe("Model version 'ml/churn' 7.0.0 does not exist");
  });
});

describe('predictionsLogged', () => {
  const SUBSCRIBE = `subscription($m: String!, $v: String!) { predictionsLogged(workspace: "ml", modelName: $m, modelVersion: $v) { workspace modelName modelVersion count from to } }`;
  const subscribers = async () => ((await (await fetch(`${gw.url}/readyz`)).json()) as { live: { subscribers: number } }).live.subscribers;

  it('delivers one event per logPredictions call with its count and time range', async () => {
    const live = liveClient(gw.url);
    try {
      const before = await subscribers();
      const feed = record(live.client, SUBSCRIBE, { m: 'churn', v: '1.0.0' });
      await eventually(async () => (await subscribers()) > before, 5000, 'the subscription');
      await gqlOk(gw.url, LOG, { input: { ...VERSION, events: [{ predictionId: 'live-1', timestamp: T0 + 5, features: { age: 3 } }, { predictionId: 'live-2', timestamp: T0 + 9 }] } });
      const [first] = await feed.waitFor(1);
      expect(first).toEqual({ data: { predictionsLogged: {
        workspace: 'ml', modelName: 'churn', modelVersion: '1.0.0', count: 2, from: new Date(T0 + 5).toISOString(), to: new Date(T0 + 9).toISOString(),
      } } });
      feed.unsubscribe();
    } finally {
      await live.dispose();
    }
  });

  it('answers NOT_FOUND for a model version that does not exist', async () => {
    const live = liveClient(gw.url);
    try {
      const feed = record(live.client, SUBSCRIBE, { m: 'churn', v: '9.0.0' });
      await feed.done;
      expect(feed.results[0].errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await live.dispose();
    }
  });
});
