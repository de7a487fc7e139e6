/**
 * The whole API over HTTP against the real server on the embedded store: write through mutations, read it
 * all back through nested fields, filters, ordering, pagination and downsampled history.
 */
import { codes, gql, gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';

let gw: ChildGateway;
beforeAll(async () => {
  gw = await startChildGateway();
});
afterAll(() => gw.dispose());

const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { experiment { key name status project { name } } } }`;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { experimentKey accepted status } }`;

async function createExperiment(input: Record<string, unknown>): Promise<string> {
  const data = await gqlOk(gw.url, CREATE, { input: { workspace: 'ml', project: 'vision', ...input } });
  return data.createExperiment.experiment.key as string;
}

describe('the API on the embedded store', () => {
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    await gqlOk(gw.url, `mutation { createProject(input: {workspace: "ml", name: "vision", description: "CNNs"}) { project { name description experimentCount } } }`);
    const runs = [
      { name: 'resnet-a', lr: '0.1', loss: [1.0, 0.5, 0.30], tags: ['baseline', 'resnet'], status: 'FINISHED' },
      { name: 'resnet-b', lr: '0.01', loss: [1.0, 0.4, 0.05], tags: ['resnet'], status: 'FINISHED' },
      { name: 'vit-a', lr: '0.001', loss: [2.0, 1.5, 0.08], tags: ['vit'], status: 'FAILED' },
      { name: 'vit-b', lr: '0.3', loss: [2.0, 1.9, 1.80], tags: ['vit', 'baseline'], status: null },
    ];
    let day = 1;
    for (const run of runs) {
      const key = await createExperiment({
        name: run.name, tags: run.tags, parameters: [{ name: 'lr', value: Number(run.lr) }, { name: 'optimizer', value: 'adam' }],
        startedAt: `2026-01-0${day}T00:00:00Z`,
      });
      day += 1;
      keys[run.name] = key;
      const points = run.loss.map((value, step) => ({ name: 'loss', value, step, context: 'train' }));
      const logged = await gqlOk(gw.url, LOG, { input: { experimentKey: key, points } });
      expect(logged.logMetrics).toEqual({ experimentKey: key, accepted: 3, status: 'ACCEPTED' });
      if (run.status) {
        await gqlOk(gw.url, `mutation($k: String!, $s: ExperimentStatus!) { endExperiment(input: {experimentKey: $k, status: $s}) { experiment { status endedAt } } }`, { k: key, s: run.status });
      }
    }
  });

  it('reads an experiment back through nested fields', async () => {
    const key = keys['resnet-b'];
    await gqlOk(gw.url, `mutation($k: String!) { logOthers(input: {experimentKey: $k, others: [{key: "gpu", value: "A100"}, {key: "seed", value: 7}]}) { accepted } }`, { k: key });
    const data = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) {
        id key name status startedAt endedAt durationMs archived tags
        project { name description workspace { name } }
        parameters { name value } parameter(name: "lr") { value }
        metrics { name last min max count lastStep minStep maxStep }
        metric(name: "loss") { last }
        others { key value } parent { key } children { key }
      } }`, { k: key });
    expect(data.experiment).toMatchObject({
      key, name: 'resnet-b', status: 'FINISHED', startedAt: '2026-01-02T00:00:00.000Z', archived: false,
      tags: ['resnet'], project: { name: 'vision', description: 'CNNs', workspace: { name: 'ml' } },
      parameters: [{ name: 'lr', value: '0.01' }, { name: 'optimizer', value: 'adam' }], parameter: { value: '0.01' },
      metrics: [{ name: 'loss', last: 0.05, min: 0.05, max: 1.0, count: 3, lastStep: 2, minStep: 2, maxStep: 0 }],
      metric: { last: 0.05 }, others: [{ key: 'gpu', value: 'A100' }, { key: 'seed', value: '7' }], parent: null, children: [],
    });
    expect(typeof data.experiment.endedAt).toBe('string');
    const refetched = await gqlOk(gw.url, `query($id: ID!) { node(id: $id) { id ... on Experiment { key } } }`, { id: data.experiment.id });
    expect(refetched.node).toEqual({ id: data.experiment.id, key });
  });

  it('answers experiments(keys) in key order with null for unknown keys', async () => {
    const data = await gqlOk(gw.url, `query($keys: [String!]!) { experiments(keys: $keys) { key } }`, {
      keys: [keys['vit-a'], 'doesnotexist', keys['resnet-a'], keys['vit-a']],
    });
    expect(data.experiments).toEqual([{ key: keys['vit-a'] }, null, { key: keys['resnet-a'] }, { key: keys['vit-a'] }]);
  });

  const LIST = `query($filter: ExperimentFilterInput, $orderBy: [ExperimentOrderInput!], $first: Int, $after: String) {
    project(workspace: "ml", name: "vision") { experimentCount experiments(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { name } } } }`;
  const names = async (variables: Record<string, unknown>) => {
    const data = await gqlOk(gw.url, LIST, variables);
    return (data.project.experiments.nodes as { name: string }[]).map((n) => n.name);
  };

  it('filters by metric summary, tag, parameter, status, name and time, composed with and/or/not', async () => {
    expect(await names({ filter: { metric: { name: 'loss', op: 'LT', value: 0.1 } }, orderBy: [{ field: 'NAME' }] })).toEqual(['resnet-b', 'vit-a']);
    expect(await names({ filter: { tag: 'baseline' }, orderBy: [{ field: 'NAME' }] })).toEqual(['resnet-a', 'vit-b']);
    expect(await names({ filter: { parameter: { name: 'lr', op: 'GTE', value: '0.1' } }, orderBy: [{ field: 'NAME' }] })).toEqual(['resnet-a', 'vit-b']);
    expect(await names({ filter: { status: ['RUNNING', 'FAILED'] }, orderBy: [{ field: 'NAME' }] })).toEqual(['vit-a', 'vit-b']);
    expect(await names({ filter: { nameContains: 'RESNET' }, orderBy: [{ field: 'NAME' }] })).toEqual(['resnet-a', 'resnet-b']);
    expect(await names({ filter: { startedAfter: '2026-01-01T12:00:00Z', startedBefore: '2026-01-04T00:00:00Z' }, orderBy: [{ field: 'NAME' }] })).toEqual(['resnet-b', 'vit-a']);
    expect(await names({ filter: { or: [{ tag: 'vit' }, { metric: { name: 'loss', aggregate: 'MAX', op: 'LTE', value: 1 } }], not: { status: ['FAILED'] } }, orderBy: [{ field: 'NAME' }] }))
      .toEqual(['resnet-a', 'resnet-b', 'vit-b']);
  });

  it('orders by several keys, by metric and by parameter, each with a direction', async () => {
    expect(await names({ orderBy: [{ field: 'METRIC', metric: 'loss', aggregate: 'LAST', direction: 'ASC' }] })).toEqual(['resnet-b', 'vit-a', 'resnet-a', 'vit-b']);
    expect(await names({ orderBy: [{ field: 'PARAMETER', parameter: 'lr', direction: 'DESC' }] })).toEqual(['vit-b', 'resnet-a', 'resnet-b', 'vit-a']);
    expect(await names({ orderBy: [{ field: 'METRIC', metric: 'loss', aggregate: 'MAX', direction: 'DESC' }, { field: 'NAME', direction: 'DESC' }] }))
      .toEqual(['vit-b', 'vit-a', 'resnet-b', 'resnet-a']);
    expect(await names({})).toEqual(['resnet-a', 'resnet-b', 'vit-a', 'vit-b']);
  });

  it('pages with cursors and an exact totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const data: any = await gqlOk(gw.url, LIST, { first: 3, after, orderBy: [{ field: 'NAME' }] });
      const conn = data.project.experiments;
      expect(conn.totalCount).toBe(4);
      seen.push(...conn.nodes.map((n: { name: string }) => n.name));
      after = conn.pageInfo.endCursor;
      if (!conn.pageInfo.hasNextPage) break;
    }
    expect(seen).toEqual(['resnet-a', 'resnet-b', 'vit-a', 'vit-b']);
  });

  it('stores NaN and infinities faithfully and downsamples long series keeping spikes', async () => {
    const key = await createExperiment({ name: 'long-run' });
    const points = Array.from({ length: 5000 }, (_, step) => ({ name: 'loss', value: step === 2500 ? 99 : 1 / (step + 1), step }));
    await gqlOk(gw.url, LOG, { input: { experimentKey: key, points } });
    await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [
      { name: 'grad', nonFinite: 'NAN', step: 0 }, { name: 'grad', nonFinite: 'INFINITY', step: 1 },
      { name: 'grad', nonFinite: 'NEGATIVE_INFINITY', step: 2 }, { name: 'grad', value: 3, step: 3 },
    ] } });
    const data = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) {
        loss: metric(name: "loss") { count history(samples: 100) { totalCount sampled points { step value } } }
        ranged: metric(name: "loss") { history(afterStep: 999, beforeStep: 2000, samples: 10) { totalCount points { step } } }
        grad: metric(name: "grad") { last lastNonFinite min minNonFinite max maxNonFinite history { points { step value nonFinite } } }
      } }`, { k: key });
    const { loss, ranged, grad } = data.experiment;
    expect(loss.count).toBe(5000);
    expect(loss.history.totalCount).toBe(5000);
    expect(loss.history.sampled).toBe(true);
    expect(loss.history.points.length).toBeLessThanOrEqual(100);
    expect(loss.history.points[0]).toEqual({ step: 0, value: 1 });
    expect(loss.history.points.at(-1)).toEqual({ step: 4999, value: 1 / 5000 });
    expect(loss.history.points).toContainEqual({ step: 2500, value: 99 });
    expect(ranged.history.totalCount).toBe(1000);
    expect(ranged.history.points[0].step).toBe(1000);
    expect(ranged.history.points.at(-1).step).toBe(1999);
    expect(grad).toEqual({
      last: 3, lastNonFinite: null, min: null, minNonFinite: 'NEGATIVE_INFINITY', max: null, maxNonFinite: 'INFINITY',
      history: { points: [
        { step: 0, value: null, nonFinite: 'NAN' }, { step: 1, value: null, nonFinite: 'INFINITY' },
        { step: 2, value: null, nonFinite: 'NEGATIVE_INFINITY' }, { step: 3, value: 3, nonFinite: null },
      ] },
    });
    const again = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { metric(name: "loss") { history(samples: 100) { points { step value } } } } }`, { k: key });
    expect(again.experiment.metric.history.points).toEqual(loss.history.points);
  });

  it('takes a batch in column form, stored with the points of the same call', async () => {
    const key = await createExperiment({ name: 'columns' });
    const logged = await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [{ name: 'acc', value: 0.1, step: 0 }], series: [
      { name: 'loss', steps: [0, 1, 2], values: [0.9, null, 0.4], nonFinite: [null, 'NAN', null], timestamps: [1_700_000_000_000, '2023-11-14T22:13:21Z', 1_700_000_002_000], context: 'train' },
    ] } });
    expect(logged.logMetrics.accepted).toBe(4);
    const data = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { metrics { name count } metric(name: "loss") {
      history { points { step value nonFinite timestamp context } } } } }`, { k: key });
    expect(data.experiment.metrics).toEqual([{ name: 'acc', count: 1 }, { name: 'loss', count: 3 }]);
    expect(data.experiment.metric.history.points).toEqual([
      { step: 0, value: 0.9, nonFinite: null, timestamp: '2023-11-14T22:13:20.000Z', context: 'train' },
      { step: 1, value: null, nonFinite: 'NAN', timestamp: '2023-11-14T22:13:21.000Z', context: 'train' },
      { step: 2, value: 0.4, nonFinite: null, timestamp: '2023-11-14T22:13:22.000Z', context: 'train' },
    ]);
  });

  it('pages raw history in step order with cursors', async () => {
    const key = await createExperiment({ name: 'paged' });
    await gqlOk(gw.url, LOG, { input: { experimentKey: key, points: [5, 3, 1, 4, 2, 0].map((step) => ({ name: 'acc', value: step / 10, step })) } });
    const page = async (after: string | null) => (await gqlOk(gw.url, `query($k: String!, $after: String) { experiment(key: $k) { metric(name: "acc") {
      history(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } points { step } } } } }`, { k: key, after })).experiment.metric.history;
    const first = await page(null);
    expect(first.points.map((p: { step: number }) => p.step)).toEqual([0, 1, 2, 3]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(first.pageInfo.endCursor);
    expect(second.points.map((p: { step: number }) => p.step)).toEqual([4, 5]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('builds parent and child runs, and tags, archives and deletes experiments', async () => {
    const parent = await createExperiment({ name: 'sweep' });
    const child = await createExperiment({ name: 'sweep-1', parentKey: parent });
    const tree = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { children { key parent { key } } } }`, { k: parent });
    expect(tree.experiment.children).toEqual([{ key: child, parent: { key: parent } }]);

    const added = await gqlOk(gw.url, `mutation($k: String!) { addTags(input: {experimentKey: $k, tags: ["a", "b", "a"]}) { tags } }`, { k: child });
    expect(added.addTags.tags).toEqual(['a', 'b']);
    const removed = await gqlOk(gw.url, `mutation($k: String!) { removeTags(input: {experimentKey: $k, tags: ["a"]}) { tags } }`, { k: child });
    expect(removed.removeTags.tags).toEqual(['b']);

    // The payload carries the experiment, so a normalised client cache (keyed by `id`) updates without a refetch.
    const before = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { id tags } }`, { k: child });
    const tagged = await gqlOk(gw.url, `mutation($k: String!) { addTags(input: {experimentKey: $k, tags: ["c"]}) { tags experiment { id key tags } } }`, { k: child });
    expect(tagged.addTags).toEqual({ tags: ['b', 'c'], experiment: { id: before.experiment.id, key: child, tags: ['b', 'c'] } });
    const untagged = await gqlOk(gw.url, `mutation($k: String!) { removeTags(input: {experimentKey: $k, tags: ["c"]}) { experiment { id tags } } }`, { k: child });
    expect(untagged.removeTags.experiment).toEqual({ id: before.experiment.id, tags: ['b'] });

    const archived = await gqlOk(gw.url, `mutation($k: String!) { archiveExperiment(input: {experimentKey: $k}) { experiment { archived } } }`, { k: child });
    expect(archived.archiveExperiment.experiment.archived).toBe(true);
    expect(await names({ filter: { nameContains: 'sweep' } })).toEqual(['sweep']);
    expect(await names({ filter: { nameContains: 'sweep', archived: true } })).toEqual(['sweep-1']);

    const deleted = await gqlOk(gw.url, `mutation($k: String!) { deleteExperiment(input: {experimentKey: $k}) { deletedKey } }`, { k: child });
    expect(deleted.deleteExperiment.deletedKey).toBe(child);
    const gone = await gqlOk(gw.url, `query($k: String!) { experiment(key: $k) { key } }`, { k: child });
    expect(gone.experiment).toBeNull();
  });

  it('lists workspaces and projects, and reports the backend capabilities', async () => {
    const data = await gqlOk(gw.url, `{ workspaces { name } workspace(name: "ml") { id name projects(first: 10) { totalCount nodes { name experimentCount } }
      project(name: "vision") { name } capabilities { backend metricPointCounts removeTags modelAliases orFilters } } }`);
    expect(data.workspaces).toEqual([{ name: 'ml' }]);
    expect(data.workspace.projects.totalCount).toBe(1);
    expect(data.workspace.projects.nodes[0].name).toBe('vision');
    expect(data.workspace.capabilities).toEqual({ backend: 'sqlite', metricPointCounts: true, removeTags: true, modelAliases: true, orFilters: true });
  });

  it('answers unknown names with null, not an error', async () => {
    const res = await gql(gw.url, `{ workspace(name: "nope") { name } project(workspace: "ml", name: "nope") { name } experiment(key: "nope") { key } registeredModel(workspace: "ml", name: "nope") { name } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ workspace: null, project: null, experiment: null, registeredModel: null });
    expect(codes(res)).toEqual([]);
  });
});
