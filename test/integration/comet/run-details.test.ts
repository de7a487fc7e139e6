/**
 * Run details of 100 experiments through the real GraphQL server on the Comet backend: one upstream call per
 * part asked for per run (Comet has no multi-run read of them), none twice, none when cached; filters on end
 * times go to project/query; and a project's columns as a recorded Comet answer gives them.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createCometBackend } from '../../../src/backends/comet';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { gql, gqlOk } from '../../support/gateway';
import { spawnSync } from 'node:child_process';

/** Opens an archive with Python's zipfile: an implementation other than the gateway's own reader. */
function unzipWithPython(zip: Buffer, name: string): string {
  const run = spawnSync('python3', ['-c', 'import io,sys,zipfile; sys.stdout.write(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read(sys.argv[1]).decode())', name], { input: zip });
  if (run.status !== 0) throw new Error(`python3 could not open the archive: ${run.stderr.toString()}`);
  return run.stdout.toString();
}

const WS = 'details-ws';
const T0 = Date.UTC(2024, 0, 1);
const RUNS = `query($filter: ExperimentFilterInput) { project(workspace: "${WS}", name: "runs") { experiments(first: 100, filter: $filter) {
  totalCount nodes { key code html systemDetails { hostname gpus { name } } } } } }`;

describe('comet backend: run details of 100 experiments through GraphQL', () => {
  let sim: CometSim;
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    sim = await startSim([WS]);
    sim.seed({
      experiments: Array.from({ length: 100 }, (_, i) => ({
        workspace: WS, project: 'runs', name: `run-${i}`, startTimeMillis: T0, endTimeMillis: T0 + (i + 1) * 1000,
        details: { code: `print(${i})`, html: `<p>${i}</p>`, systemDetails: { hostname: `host-${i}`, gpuStaticInfoList: [{ gpuIndex: 0, name: 'A100', uuid: 'u', totalMemory: 1 }] } },
      })),
    });
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
      TRACKQL_COMET_URL: sim.url, TRACKQL_CACHE_TTL_SECONDS: '60',
    }));
  });
  afterAll(async () => {
    await gateway.stop();
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => sim.resetCounts());

  it('costs one call per part asked for per run, cold, and none warm', async () => {
    const data = await gqlOk(gateway.url, RUNS, {}, { authorization: SIM_KEY });
    const nodes = data.project.experiments.nodes as { code: string; html: string; systemDetails: { hostname: string; gpus: { name: string }[] } }[];
    expect(nodes).toHaveLength(100);
    expect(nodes.map((n) => n.code).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `print(${i})`).sort());
    expect(nodes.every((n) => n.html.startsWith('<p>') && n.systemDetails.hostname.startsWith('host-') && n.systemDetails.gpus[0].name === 'A100')).toBe(true);
    expect(sim.requestCounts()).toEqual({
      'GET project': 1,
      'GET experiments': 1,
      'GET project/column-names': 1,
      'GET experiment/code': 100,
      'GET experiment/html': 100,
      'GET experiment/system-details': 100,
    });
    sim.resetCounts();
    await gqlOk(gateway.url, RUNS, {}, { authorization: SIM_KEY });
    expect(sim.totalRequests()).toBe(0);
  });

  it('serves a git patch uploaded as an asset, and refuses what Comet cannot give back with UNSUPPORTED', async () => {
    const auth = { authorization: SIM_KEY };
    const key = (await gqlOk(gateway.url, `mutation { createExperiment(input: {workspace: "${WS}", project: "patches"}) { experiment { key } } }`, {}, auth)).createExperiment.experiment.key;
    await gqlOk(gateway.url, `mutation($k: String!) { updateRunDetails(input: {experimentKey: $k, git: {commit: "abc", branch: "main"}}) { experiment { key } } }`, { k: key }, auth);
    const upload = await gqlOk(gateway.url, `mutation($k: String!) { createAssetUpload(input: {experimentKey: $k, fileName: "git_diff.patch", type: "git-patch"}) { uploadUrl } }`, { k: key }, auth);
    expect((await fetch(upload.createAssetUpload.uploadUrl, { method: 'PUT', body: 'diff --git a/x b/x\n' })).status).toBe(201);
    const read = await gqlOk(gateway.url, `query($k: String!) { experiment(key: $k) { git { commit branch patchUrl } } }`, { k: key }, auth);
    expect(read.experiment.git).toMatchObject({ commit: 'abc', branch: 'main' });
    expect(await (await fetch(read.experiment.git.patchUrl)).text()).toBe('diff --git a/x b/x\n');
    // Written where Comet's own clients look: zipped, to write/experiment/git/patch, not as an asset.
    expect(sim.requestCounts()).toMatchObject({ 'POST write/experiment/git/patch': 1 });
    expect(sim.requestCounts()['POST write/experiment/upload-asset']).toBeUndefined();
    const stored = Buffer.from(sim.dump().experiments[key].details.gitPatch as Uint8Array);
    expect(unzipWithPython(stored, 'git_diff.patch')).toBe('diff --git a/x b/x\n');
    const refused = await gql(gateway.url, `query($k: String!) { experiment(key: $k) { output(stream: STDERR) { totalCount } } dependenciesOnly: experiment(key: $k) { dependencies { name } } }`, { k: key }, auth);
    expect(refused.errors?.map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.reason])).toEqual(expect.arrayContaining([
      ['experiment.output', 'BAD_USER_INPUT', 'UNSUPPORTED'], ['dependenciesOnly.dependencies', 'BAD_USER_INPUT', 'UNSUPPORTED'],
    ]));
  });

  it('serves a git patch logged by another Comet client (a zip holding git_diff.patch) through patchUrl, ranges included', async () => {
    const auth = { authorization: SIM_KEY };
    const zip = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'comet', 'git-patch.zip'));
    const [patched, plain] = sim.seed({ experiments: [
      { workspace: WS, project: 'sdk-runs', name: 'with-patch', details: { gitPatch: zip } },
      { workspace: WS, project: 'sdk-runs', name: 'without' },
    ] }).experimentKeys;
    const withPatch = { experimentKey: patched };
    const without = { experimentKey: plain };
    const q = `query($a: String!, $b: String!) { a: experiment(key: $a) { git { commit patchUrl } assets(type: "git-patch") { totalCount nodes { fileName size type } } }
      b: experiment(key: $b) { git { patchUrl } } }`;
    const data = await gqlOk(gateway.url, q, { a: withPatch.experimentKey, b: without.experimentKey }, auth);
    expect(data.b.git).toBeNull();
    expect(data.a.assets).toEqual({ totalCount: 1, nodes: [{ fileName: 'git_diff.patch', size: 96, type: 'git-patch' }] });
    const text = await (await fetch(data.a.git.patchUrl)).text();
    expect(text).toMatch(/^diff --git a\/train.py b\/train.py\n[\s\S]*\+lr = 0.01\n$/);
    const ranged = await fetch(data.a.git.patchUrl, { headers: { range: 'bytes=0-9' } });
    expect([ranged.status, await ranged.text()]).toEqual([206, 'diff --git']);
    // Comet has no delete of a patch: refused, and the patch is still there.
    const refused = await gql(gateway.url, `mutation($k: String!) { deleteAsset(input: {experimentKey: $k, assetId: "git-patch"}) { experimentKey } }`, { k: withPatch.experimentKey }, auth);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNSUPPORTED' });
    expect(Buffer.from(sim.dump().experiments[withPatch.experimentKey].details.gitPatch as Uint8Array)).toEqual(zip);
  });

  it('sends end-time bounds to project/query, widened to the second, and applies them exactly', async () => {
    const endedAfter = new Date(T0 + 95_500).toISOString();
    const data = await gqlOk(gateway.url, `query($f: ExperimentFilterInput) { project(workspace: "${WS}", name: "runs") { experiments(first: 100, filter: $f) { nodes { name endedAt } } } }`,
      { f: { endedAfter } }, { authorization: SIM_KEY });
    // Runs 95..99 ended at T0 + 96 s .. T0 + 100 s.
    expect(data.project.experiments.nodes.map((n: { name: string }) => n.name).sort()).toEqual(['run-95', 'run-96', 'run-97', 'run-98', 'run-99']);
    expect(sim.requestCounts()['POST project/query']).toBe(1);
  });
});

describe('comet backend: project columns from a recorded Comet answer', () => {
  const recorded = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'comet-recorded', 'column-names-1280bb.json'));
  it('maps every recorded column to its source and type', async () => {
    const seen: string[] = [];
    // Replays the recorded bytes for the request that produced them, and nothing else.
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://replay');
      seen.push(`${req.method} ${url.pathname}?${url.searchParams.toString()}`);
      const ok = url.pathname === '/api/rest/v2/project/column-names' && url.searchParams.get('workspaceName') === 'testuser-cometr'
        && url.searchParams.get('projectName') === 'cometrtestproject';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(ok ? recorded : '{"msg":"not recorded","code":404}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = tempDataDir();
    const backend = createCometBackend({ dataDir: dir, cometUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fallbackApiKey: 'replay-key', timeoutMs: 2_000, retryBackoffMs: 5, drainOnCloseMs: 50 });
    try {
      const [columns] = await backend.details.projectColumns({ apiKey: 'replay-key', keyId: 'replay' }, [{ workspace: 'testuser-cometr', name: 'cometrtestproject' }]);
      if (columns instanceof Error) throw columns;
      const wire = (JSON.parse(recorded.toString('utf8')) as { columns: { name: string; source: string; type: string }[] }).columns;
      expect(columns).toHaveLength(wire.length);
      const SOURCES: Record<string, string> = { metadata: 'METADATA', metrics: 'METRIC', params: 'PARAMETER', log_other: 'OTHER', tag: 'TAG', env_details: 'SYSTEM' };
      expect([...columns].sort((a, b) => a.name.localeCompare(b.name) || a.source.localeCompare(b.source)))
        .toEqual(wire.map((c) => ({ name: c.name, source: SOURCES[c.source], type: c.type })).sort((a, b) => a.name.localeCompare(b.name) || a.source.localeCompare(b.source)));
      expect(columns).toContainEqual({ name: 'duration', source: 'METADATA', type: 'timenumber' });
      expect(seen).toEqual([expect.stringMatching(/^GET \/api\/rest\/v2\/project\/column-names\?/)]);
    } finally {
      await backend.close();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
