/** Renames, restores and deletes through the real server, with their live events and idempotent retries. */
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { codes, gql, gqlOk, tempDir } from '../support/gateway';
import { eventually, liveClient, record, type LiveClient } from '../support/live';

let gateway: Gateway;
let dataDir: string;
let live: LiveClient;

beforeAll(async () => {
  dataDir = tempDir();
  gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }));
  live = liveClient(gateway.url);
});
afterAll(async () => {
  await live.dispose();
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const create = async (project: string, name = 'run'): Promise<string> =>
  (await gqlOk(gateway.url, `mutation($p: String!, $n: String) { createExperiment(input: {workspace: "ml", project: $p, name: $n}) { experiment { key } } }`, { p: project, n: name })).createExperiment.experiment.key;

type Event = { kind: string; experimentKey: string; experiment: { name: string | null; archived: boolean } | null };

/** The events after `act` (creations left out); `count` says how many to wait for once `act` is done. */
async function watching(project: string, act: () => Promise<void>, count: () => number): Promise<Event[]> {
  const feed = record<{ experimentUpdated: Event }>(live.client, `subscription($p: String!) { experimentUpdated(workspace: "ml", project: $p) { kind experimentKey experiment { name archived } } }`, { p: project });
  // Subscriptions start asynchronously: a throwaway run's creation tells when this one is live.
  await eventually(async () => {
    await create(project, 'probe');
    return feed.results.length > 0;
  }, 5000, 'the subscription');
  const seen = feed.results.length;
  await act();
  // Probes' CREATED events may still be arriving: count only the others.
  const after = () => feed.results.slice(seen).map((r) => r.data!.experimentUpdated).filter((e) => e.kind !== 'CREATED');
  await eventually(() => after().length >= count(), 10_000, `${count()} events`);
  feed.unsubscribe();
  return after();
}

describe('lifecycle mutations', () => {
  it('renames and restores an experiment, publishing UPDATED and RESTORED', async () => {
    const key = await create('life-a', 'before');
    await gqlOk(gateway.url, `mutation($k: String!) { archiveExperiment(input: {experimentKey: $k}) { experiment { key } } }`, { k: key });
    const events = await watching('life-a', async () => {
      const renamed = await gqlOk(gateway.url, `mutation($k: String!) { updateExperiment(input: {experimentKey: $k, name: "after", idempotencyKey: "rename-1"}) { experiment { name } } }`, { k: key });
      expect(renamed.updateExperiment.experiment.name).toBe('after');
      const restored = await gqlOk(gateway.url, `mutation($k: String!) { restoreExperiment(input: {experimentKey: $k}) { experiment { archived } } }`, { k: key });
      expect(restored.restoreExperiment.experiment.archived).toBe(false);
    }, () => 2);
    expect(events).toEqual([
      { kind: 'UPDATED', experimentKey: key, experiment: { name: 'after', archived: true } },
      { kind: 'RESTORED', experimentKey: key, experiment: { name: 'after', archived: false } },
    ]);
  });

  it('refuses to delete a non-empty project, then deletes it with force, publishing DELETED per experiment; a retry replays', async () => {
    const key = await create('life-b');
    const refused = await gql(gateway.url, `mutation { deleteProject(input: {workspace: "ml", name: "life-b"}) { deletedExperiments } }`);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors?.[0].extensions?.reason).toBe('NOT_EMPTY');
    const DELETE = `mutation { deleteProject(input: {workspace: "ml", name: "life-b", force: true, idempotencyKey: "del-b"}) { workspace deletedProject deletedExperiments } }`;
    let first: unknown;
    const events = await watching('life-b', async () => {
      first = (await gqlOk(gateway.url, DELETE)).deleteProject;
    }, () => (first as { deletedExperiments: number }).deletedExperiments);
    // The run made here, and the probe runs that told the subscription was live.
    const deleted = (first as { deletedExperiments: number }).deletedExperiments;
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect(first).toEqual({ workspace: 'ml', deletedProject: 'life-b', deletedExperiments: deleted });
    expect(events.map((e) => e.kind)).toEqual(Array(deleted).fill('DELETED'));
    expect(events.map((e) => e.experimentKey)).toContain(key);
    expect((await gqlOk(gateway.url, DELETE)).deleteProject).toEqual(first);
    expect((await gqlOk(gateway.url, `query { project(workspace: "ml", name: "life-b") { name } }`)).project).toBeNull();
  });

  it('updates a project and deletes an asset and a model version', async () => {
    const key = await create('life-c');
    const updated = await gqlOk(gateway.url, `mutation { updateProject(input: {workspace: "ml", name: "life-c", newName: "life-c2", description: "d", isPublic: true}) { project { name description isPublic } } }`);
    expect(updated.updateProject.project).toEqual({ name: 'life-c2', description: 'd', isPublic: true });
    const upload = await gqlOk(gateway.url, `mutation($k: String!) { createAssetUpload(input: {experimentKey: $k, fileName: "w.bin", type: "model-element", modelName: "net"}) { uploadUrl } }`, { k: key });
    await fetch(upload.createAssetUpload.uploadUrl, { method: 'PUT', body: 'weights' });
    await gqlOk(gateway.url, `mutation($k: String!) { registerModel(input: {experimentKey: $k, experimentModelName: "net", registryName: "life-net", version: "1.0.0"}) { registeredModel { name } } }`, { k: key });
    const deleted = await gqlOk(gateway.url, `mutation { deleteModelVersion(input: {workspace: "ml", modelName: "life-net", version: "1.0.0"}) { deletedVersion } }`);
    expect(deleted.deleteModelVersion.deletedVersion).toBe('1.0.0');
    const { experiment } = await gqlOk(gateway.url, `query($k: String!) { experiment(key: $k) { assets { nodes { assetId } } } }`, { k: key });
    const assetId = experiment.assets.nodes[0].assetId;
    expect((await gqlOk(gateway.url, `mutation($k: String!, $a: String!) { deleteAsset(input: {experimentKey: $k, assetId: $a}) { deletedAssetId } }`, { k: key, a: assetId })).deleteAsset.deletedAssetId).toBe(assetId);
    expect((await gqlOk(gateway.url, `query($k: String!) { experiment(key: $k) { assets { totalCount } } }`, { k: key })).experiment.assets.totalCount).toBe(0);
  });
});
