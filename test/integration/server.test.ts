/** Operability: health, readiness, the offline IDE, JSON request logs, config errors and graceful shutdown. */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { gqlOk, MAIN, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';

describe('the running server', () => {
  let gw: ChildGateway;
  beforeAll(async () => {
    gw = await startChildGateway();
  });
  afterAll(() => gw.dispose());

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${gw.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('serves a GraphQL IDE that needs no internet access', async () => {
    const page = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const src of sources) {
      expect(src.startsWith('/')).toBe(true);
      const asset = await fetch(`${gw.url}${src}`);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${gw.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('writes one JSON log line per request, with the operation and never the API key', async () => {
    const secret = 'super-secret-api-key-123456';
    await gqlOk(gw.url, 'query Probe { workspaces { name } }', {}, { authorization: secret });
    await new Promise((r) => setTimeout(r, 100));
    const lines = gw.logs.filter((l) => l.includes('"graphql"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const probe = lines.find((l) => l.operation === 'Probe');
    expect(probe).toMatchObject({ level: 'info', msg: 'graphql', operation: 'Probe', type: 'query' });
    expect(typeof probe?.durationMs).toBe('number');
    expect(String(probe?.keyId)).toMatch(/^k_[0-9a-f]{16}$/);
    expect(gw.logs.join('\n')).not.toContain(secret);
  });
});

describe('starting and stopping', () => {
  it('fails at start with one clear line on invalid configuration', () => {
    const run = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH, TRACKQL_BACKEND: 'postgres' }, encoding: 'utf8' });
    expect(run.status).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual(["trackql: invalid configuration: TRACKQL_BACKEND must be 'sqlite', 'comet' or 'mlflow', got 'postgres'"]);
  });

  it('finishes in-flight requests on SIGTERM, then exits cleanly', async () => {
    const gw = await startChildGateway();
    const key = (await gqlOk(gw.url, 'mutation { createExperiment(input: {workspace: "w", project: "p"}) { experiment { key } } }')).createExperiment.experiment.key;
    const points = Array.from({ length: 10_000 }, (_, step) => ({ name: 'loss', value: step, step }));
    const body = Buffer.from(JSON.stringify({ query: 'mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }', variables: { input: { experimentKey: key, points } } }));
    // The request is surely in flight when the signal lands: half its body is sent before, half after.
    const { hostname, port } = new URL(gw.url);
    let code: Promise<number | null> = Promise.resolve(null);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ hostname, port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => void (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, body.length / 2));
      setTimeout(() => {
        code = gw.stop('SIGTERM');
        setTimeout(() => req.end(body.subarray(body.length / 2)), 200);
      }, 100);
    });
    const done = await answer;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.text).data.logMetrics.accepted).toBe(10_000);
    expect(await code).toBe(0);
    expect(gw.logs.some((l) => l.includes('"stopped"'))).toBe(true);
    // The data is there after a restart on the same data dir.
    const again = await startChildGateway({ TRACKQL_DATA_DIR: gw.dataDir });
    const data = await gqlOk(again.url, 'query($k: String!) { experiment(key: $k) { metric(name: "loss") { count } } }', { k: key });
    expect(data.experiment.metric.count).toBe(10_000);
    await again.dispose();
    await gw.dispose();
  });

  it('fills a fresh data dir with demo data', async () => {
    const gw = await startChildGateway({ TRACKQL_DATA_DIR: tempDir() }, ['demo']);
    const data = await gqlOk(gw.url, `{ workspace(name: "demo") { projects { nodes { name experiments(first: 50) { totalCount nodes { tags metrics { name count } } } } } }
      registeredModel(workspace: "demo", name: "cifar-classifier") { version(alias: "champion") { version } } }`);
    const projects = data.workspace.projects.nodes;
    expect(projects.map((p: { name: string }) => p.name).sort()).toEqual(['image-classification', 'text-sentiment']);
    const total = projects.reduce((n: number, p: { experiments: { totalCount: number } }) => n + p.experiments.totalCount, 0);
    expect(total).toBeGreaterThanOrEqual(12);
    expect(projects[0].experiments.nodes[0].metrics.length).toBeGreaterThan(0);
    expect(data.registeredModel.version).toEqual({ version: '1.0.0' });
    await gw.stop();
    const { rmSync } = await import('node:fs');
    rmSync(gw.dataDir, { recursive: true, force: true });
  });
});
