/**
 * Paging through the real server on both backends: `Experiment.assets(first, after)` pages in the backend,
 * `hasPreviousPage` is true only when an item precedes the page (not whenever `after` is given), an asset is
 * reached by id (node, model assets, download) without listing its run.
 */
import fs from 'node:fs';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import type { CometSim } from '../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../support/comet-backend';
import { gqlOk } from '../support/gateway';

const WS = 'pages-ws';
const UPLOAD = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { uploadUrl } }`;
const PAGE = `query($k: String!, $first: Int!, $after: String, $type: String) { experiment(key: $k) {
  assets(first: $first, after: $after, type: $type) { totalCount edges { cursor node { id assetId fileName type } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
const HISTORY = `query($k: String!, $first: Int!, $after: String, $afterStep: SafeInt) { experiment(key: $k) { metric(name: "loss") {
  history(first: $first, after: $after, afterStep: $afterStep) { totalCount points { step } pageInfo { hasNextPage hasPreviousPage endCursor } } } } }`;

interface AssetPage {
  totalCount: number;
  edges: { cursor: string; node: { id: string; assetId: string; fileName: string; type: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

interface Setup {
  url: string;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

async function sqliteGateway(): Promise<Setup> {
  const dataDir = tempDataDir('trackql-pages-');
  const gateway: Gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }));
  return { url: gateway.url, headers: {}, stop: async () => { await gateway.stop(); fs.rmSync(dataDir, { recursive: true, force: true }); } };
}

async function cometGateway(): Promise<Setup> {
  const sim: CometSim = await startSim([WS]);
  const dataDir = tempDataDir('trackql-pages-comet-');
  const gateway = await startGateway(loadConfig({
    TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url, TRACKQL_LIVE_POLL: 'off',
  }));
  return {
    url: gateway.url, headers: { authorization: SIM_KEY },
    stop: async () => { await gateway.stop(); await sim.stop(); fs.rmSync(dataDir, { recursive: true, force: true }); },
  };
}

describe.each([['the embedded store', sqliteGateway], ['Comet', cometGateway]])('paging on %s', (_name, start) => {
  let setup: Setup;
  let key: string;
  const q = <T = any>(query: string, variables: Record<string, unknown>) => gqlOk<T>(setup.url, query, variables, setup.headers);
  const page = async (variables: Record<string, unknown>) => (await q(PAGE, { k: key, ...variables })).experiment.assets as AssetPage;

  beforeAll(async () => {
    setup = await start();
    const created = await q(`mutation { createExperiment(input: {workspace: "${WS}", project: "p", name: "r"}) { experiment { key } } }`, {});
    key = created.createExperiment.experiment.key;
    for (let i = 0; i < 5; i++) {
      const input = { experimentKey: key, fileName: `file-${i}.bin`, type: i % 2 ? 'odd' : 'even', modelName: i === 3 ? 'net' : null };
      const { createAssetUpload } = await q(UPLOAD, { input });
      const res = await fetch(createAssetUpload.uploadUrl, { method: 'PUT', body: `bytes of ${i}` });
      expect(res.status).toBe(201);
    }
    await q(`mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`, {
      input: { experimentKey: key, series: [{ name: 'loss', steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], values: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0] }] },
    });
  }, 30_000);
  afterAll(() => setup.stop());

  it('pages assets by cursor with exact totals, next and previous pages', async () => {
    const whole = await page({ first: 50 });
    expect(whole.totalCount).toBe(5);
    expect(whole.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const seen: string[] = [];
    let current = await page({ first: 2 });
    expect(current.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const flags: boolean[] = [];
    for (;;) {
      expect(current.totalCount).toBe(5);
      expect(current.pageInfo.endCursor).toBe(current.edges.at(-1)?.cursor ?? null);
      seen.push(...current.edges.map((e) => e.node.assetId));
      flags.push(current.pageInfo.hasPreviousPage);
      if (!current.pageInfo.hasNextPage) break;
      current = await page({ first: 2, after: current.pageInfo.endCursor });
    }
    expect(seen).toEqual(whole.edges.map((e) => e.node.assetId));
    expect(flags).toEqual([false, true, true]);
    const odd = await page({ first: 1, type: 'odd' });
    expect(odd).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    expect(odd.edges.map((e) => e.node.type)).toEqual(['odd']);
  });

  it('says there is no previous page when nothing precedes the cursor', async () => {
    const [first] = (await page({ first: 1 })).edges;
    // A cursor of the unfiltered list, reused on a listing where nothing comes before it.
    const none = await page({ first: 2, after: first.cursor, type: 'no-such-type' });
    expect(none).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
    const after = await page({ first: 2, after: first.cursor, type: 'odd' });
    expect(after.pageInfo.hasPreviousPage).toBe(first.node.type === 'odd');
  });

  it('says the same of experiment and project listings', async () => {
    await q(`mutation { createExperiment(input: {workspace: "${WS}", project: "p", name: "second"}) { experiment { key } } }`, {});
    await q(`mutation { createProject(input: {workspace: "${WS}", name: "q"}) { project { name } } }`, {});
    const EXPERIMENTS = `query($after: String, $filter: ExperimentFilterInput) { project(workspace: "${WS}", name: "p") {
      experiments(first: 1, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } } } }`;
    const head = (await q(EXPERIMENTS, {})).project.experiments;
    expect(head).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const next = (await q(EXPERIMENTS, { after: head.pageInfo.endCursor })).project.experiments;
    expect(next).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    const none = (await q(EXPERIMENTS, { after: head.pageInfo.endCursor, filter: { nameContains: 'no such run' } })).project.experiments;
    expect(none).toMatchObject({ totalCount: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false } });

    const PROJECTS = `query($after: String) { workspace(name: "${WS}") { projects(first: 1, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } } } }`;
    const first = (await q(PROJECTS, {})).workspace.projects;
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const second = (await q(PROJECTS, { after: first.pageInfo.endCursor })).workspace.projects;
    expect(second).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false, hasPreviousPage: true } });
  });

  it('says the same of a metric history narrowed after a cursor', async () => {
    const history = async (variables: Record<string, unknown>) => (await q(HISTORY, { k: key, ...variables })).experiment.metric.history;
    const head = await history({ first: 2 });
    expect(head.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await history({ first: 2, after: head.pageInfo.endCursor });
    expect(next).toMatchObject({ points: [{ step: 2 }, { step: 3 }], pageInfo: { hasPreviousPage: true } });
    // The same cursor with a range that starts after it: nothing of the range precedes the page.
    const narrowed = await history({ first: 2, after: head.pageInfo.endCursor, afterStep: 5 });
    expect(narrowed).toMatchObject({ totalCount: 4, points: [{ step: 6 }, { step: 7 }], pageInfo: { hasNextPage: true, hasPreviousPage: false } });
  });

  it('reaches one asset by id: node, model assets and the download URL', async () => {
    const whole = await page({ first: 50 });
    const target = whole.edges.find((e) => e.node.fileName === 'file-3.bin')!.node;
    const data = await q(`query($id: ID!, $k: String!) {
      node(id: $id) { ... on Asset { assetId fileName downloadUrl } }
      experiment(key: $k) { models { name assets { assetId } } } }`, { id: target.id, k: key });
    expect(data.node).toMatchObject({ assetId: target.assetId, fileName: 'file-3.bin' });
    expect(data.experiment.models).toEqual([{ name: 'net', assets: [{ assetId: target.assetId }] }]);
    const res = await fetch(data.node.downloadUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('bytes of 3');
  });
});
