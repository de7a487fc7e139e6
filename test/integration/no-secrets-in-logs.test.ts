/**
 * No secret ever reaches a log: a mixed workload at `debug` level on both backends — API keys of the
 * embedded store, Comet keys (good, bad, enhanced, the server's fallback), URL-signing secrets and the
 * signed tokens made from them, errors and an upstream outage — then every line either process wrote to
 * stdout or stderr is searched for each secret.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { SIM_KEY, startSim } from '../support/comet-backend';
import type { CometSim } from '../support/comet-sim';
import { MAIN, gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { liveClient, record } from '../support/live';

const URL_SECRETS = ['log-grep-url-secret-one-0123456789', 'log-grep-url-secret-two-9876543210'];
const COMET_URL_SECRET = 'log-grep-url-secret-comet-abcdefgh';
const OTHER_COMET_KEY = 'log-grep-other-comet-key-0123456789';
const BOGUS_COMET_KEY = 'log-grep-bogus-comet-key-0123456789';
const WS = 'grep-ws';

const UPLOAD = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { uploadUrl } }`;
const ASSETS = `query($k: String!) { experiment(key: $k) { assets(first: 5) { nodes { downloadUrl } } } }`;
const LOG = `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.1, step: 0}]}) { status } }`;

/** Creates an API key of the embedded store with the project's own CLI and returns its secret. */
function createApiKey(dataDir: string, role: string): string {
  const run = spawnSync(process.execPath, [MAIN, 'keys', 'create', '--workspace', '*', '--role', role, '--json', '--data-dir', dataDir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`trackql keys create failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { secret: string }).secret;
}

/** Uploads and downloads one asset; returns the signed tokens it was handed. */
async function assetRoundTrip(gw: ChildGateway, key: string, headers: Record<string, string>): Promise<string[]> {
  const uploadUrl: string = (await gqlOk(gw.url, UPLOAD, { input: { experimentKey: key, fileName: 'notes.txt' } }, headers)).createAssetUpload.uploadUrl;
  expect((await fetch(uploadUrl, { method: 'PUT', body: 'hello' })).status).toBe(201);
  expect((await fetch(`${uploadUrl}x`, { method: 'PUT', body: 'forged' })).status).toBe(401);
  const downloadUrl: string = (await gqlOk(gw.url, ASSETS, { k: key }, headers)).experiment.assets.nodes[0].downloadUrl;
  expect(await (await fetch(downloadUrl)).text()).toBe('hello');
  return [uploadUrl, downloadUrl].map((u) => new URL(u).searchParams.get('token') ?? '');
}

function expectNoneIn(logs: readonly string[], secrets: readonly string[]): void {
  // The workload was logged at all: one line per GraphQL request at least.
  expect(logs.filter((l) => l.includes('"msg":"graphql"')).length).toBeGreaterThanOrEqual(5);
  const text = logs.join('\n');
  const leaked = secrets.filter((s) => text.includes(s));
  expect(leaked).toEqual([]);
}

describe('no secret in any log line', () => {
  it('on the embedded store, with API keys, signed URLs and the live feed', async () => {
    const dataDir = tempDir();
    const admin = createApiKey(dataDir, 'admin');
    const reader = createApiKey(dataDir, 'read');
    const gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'debug', TRACKQL_URL_SECRETS: URL_SECRETS.join(',') });
    const tokens: string[] = [];
    try {
      const bearer = { authorization: `Bearer ${admin}` };
      const key: string = (await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "${WS}", project: "p"}) { experiment { key } } }`, {}, bearer)).createExperiment.experiment.key;
      expect((await gqlOk(gw.url, LOG, { k: key }, { authorization: admin })).logMetrics.status).toBe('ACCEPTED');
      tokens.push(...(await assetRoundTrip(gw, key, bearer)));
      // Refusals: a read-only key writing, a wrong key, no key, broken queries.
      expect((await gql(gw.url, LOG, { k: key }, { authorization: reader })).errors?.length).toBeGreaterThan(0);
      expect((await gql(gw.url, '{ workspaces { name } }', {}, { authorization: `${admin}-wrong` })).status).toBe(401);
      expect((await gql(gw.url, '{ workspaces { name } }')).status).toBe(401);
      await gql(gw.url, '{ experiment(key: "x") { key ', {}, bearer);
      // The live feed: a key in connectionParams.
      const live = liveClient(gw.url, { connectionParams: { authorization: admin } });
      const feed = record(live.client, 'subscription($k: String!) { metricLogged(experimentKey: $k) { name } }', { k: key });
      await new Promise((r) => setTimeout(r, 200));
      await gqlOk(gw.url, LOG, { k: key }, bearer);
      await feed.waitFor(1);
      await live.dispose();
    } finally {
      await gw.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expectNoneIn(gw.logs, [admin, reader, ...URL_SECRETS, ...tokens]);
  });

  describe('on the Comet backend', () => {
    let sim: CometSim;
    beforeAll(async () => {
      sim = await startSim([WS], [{ apiKey: OTHER_COMET_KEY, workspaces: ['other-ws'] }]);
    });
    afterAll(() => sim.stop());

    it('with the server key, callers’ keys, a refused key, an enhanced key and an outage', async () => {
      const gw = await startChildGateway({
        TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url, COMET_API_KEY: SIM_KEY, TRACKQL_LOG_LEVEL: 'debug',
        TRACKQL_URL_SECRETS: COMET_URL_SECRET, TRACKQL_COMET_TIMEOUT_MS: '1000',
      });
      const tokens: string[] = [];
      const enhanced = `${BOGUS_COMET_KEY}*${Buffer.from(JSON.stringify({ baseUrl: sim.url })).toString('base64')}`;
      try {
        // The fallback key (no Authorization), then callers' own keys, raw and as Bearer.
        const key: string = (await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "${WS}", project: "p"}) { experiment { key } } }`)).createExperiment.experiment.key;
        tokens.push(...(await assetRoundTrip(gw, key, { authorization: SIM_KEY })));
        await gqlOk(gw.url, '{ workspaces { name } }', {}, { authorization: `Bearer ${OTHER_COMET_KEY}` });
        for (const bad of [BOGUS_COMET_KEY, enhanced]) expect((await gql(gw.url, '{ workspaces { name } }', {}, { authorization: bad })).errors?.length).toBeGreaterThan(0);
        // An outage: the write is queued in the outbox with its key, retried, then delivered.
        sim.setDown(true);
        expect((await gqlOk(gw.url, LOG, { k: key }, { authorization: SIM_KEY })).logMetrics.status).toBe('QUEUED');
        // A read nothing has cached: it fails with UPSTREAM_UNAVAILABLE.
        expect((await gql(gw.url, '{ project(workspace: "other-ws", name: "down") { name } }', {}, { authorization: OTHER_COMET_KEY })).errors?.length).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 1500));
        sim.setDown(false);
        await new Promise((r) => setTimeout(r, 2500));
      } finally {
        await gw.dispose();
      }
      const enhancedParts = enhanced.split('*');
      expectNoneIn(gw.logs, [SIM_KEY, OTHER_COMET_KEY, BOGUS_COMET_KEY, enhancedParts[1], COMET_URL_SECRET, ...tokens]);
    });
  });
});
