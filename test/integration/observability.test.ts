/**
 * Observability of the running server (the real `trackql` process): `/metrics` after a mixed workload,
 * W3C trace context in responses and log lines, and the OpenTelemetry switch on a Node without its SDK.
 */
import { codes, gql, gqlOk, startChildGateway, type ChildGateway } from '../support/gateway';
import { eventually, liveClient, record } from '../support/live';
import { find, scrape, total } from '../support/prom';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

let gw: ChildGateway;
beforeAll(async () => {
  // An OTLP endpoint nobody listens on: the SDK is not installed (and Node 20 is too old for it anyway).
  gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
});
afterAll(() => gw.dispose());

function logLines(): Record<string, unknown>[] {
  return gw.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('/metrics', () => {
  it('shows requests, errors, latency and live subscribers moving after a mixed workload', async () => {
    const { createExperiment } = await gqlOk(gw.url, `mutation CreateRun { createExperiment(input: {workspace: "obs", project: "p"}) { experiment { key } } }`);
    const key: string = createExperiment.experiment.key;
    for (let i = 0; i < 3; i++) await gqlOk(gw.url, 'query Probe { workspaces { name } }');
    const failed = await gql(gw.url, `mutation LogToNowhere { logMetrics(input: {experimentKey: "no-such-run", points: [{name: "loss", value: 1, step: 0}]}) { accepted } }`);
    const failedCode = codes(failed)[0];
    expect(failedCode).toMatch(/^(NOT_FOUND|BAD_USER_INPUT)$/);
    expect(codes(await gql(gw.url, '{ experiment(key: "x") { key '))).toEqual(['BAD_USER_INPUT']);
    expect((await fetch(`${gw.url}/nope`)).status).toBe(404);

    // A subscription that receives one event.
    const live = liveClient(gw.url);
    try {
      const feed = record(live.client, 'subscription($key: String!) { metricLogged(experimentKey: $key) { name points { step } } }', { key });
      await eventually(async () => total(await scrape(gw.url), 'trackql_live_subscribers') >= 1, 5000, 'the subscriber to show');
      await gqlOk(gw.url, 'mutation Log($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.5, step: 1}]}) { accepted } }', { k: key });
      await feed.waitFor(1);

      const s = await scrape(gw.url);
      expect(total(s, 'trackql_graphql_requests_total', { operation: 'Probe', type: 'query', code: 'OK' })).toBe(3);
      expect(total(s, 'trackql_graphql_requests_total', { operation: 'CreateRun', type: 'mutation', code: 'OK' })).toBe(1);
      expect(total(s, 'trackql_graphql_requests_total', { operation: 'LogToNowhere', type: 'mutation', code: failedCode })).toBe(1);
      expect(total(s, 'trackql_graphql_requests_total', { operation: 'unresolved', code: 'BAD_USER_INPUT' })).toBe(1);
      expect(total(s, 'trackql_graphql_request_duration_seconds_count', { operation: 'Probe' })).toBe(3);
      expect(total(s, 'trackql_graphql_request_duration_seconds_bucket', { operation: 'Probe', le: '+Inf' })).toBe(3);
      expect(total(s, 'trackql_http_requests_total', { route: 'graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(6);
      expect(total(s, 'trackql_http_requests_total', { route: 'graphql', method: 'POST', status: '400' })).toBe(1);
      expect(total(s, 'trackql_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
      expect(total(s, 'trackql_http_requests_total', { route: 'metrics', status: '200' })).toBeGreaterThanOrEqual(1);
      expect(total(s, 'trackql_live_subscribers')).toBe(1);
      expect(total(s, 'trackql_live_connections')).toBe(1);
      expect(find(s, 'trackql_live_dropped_points_total')).toHaveLength(1);
      expect(total(s, 'trackql_outbox_pending_writes')).toBe(0); // the embedded store has no outbox
      expect(total(s, 'trackql_backend_ready')).toBe(1);
      expect(find(s, 'process_resident_memory_bytes')).toHaveLength(1);
    } finally {
      await live.dispose();
    }
  });

  it('never labels a series with an experiment key or an API key', async () => {
    const secret = 'metrics-label-secret-key-0000';
    const { createExperiment } = await gqlOk(gw.url, `mutation { createExperiment(input: {workspace: "obs", project: "labels"}) { experiment { key } } }`, {}, { authorization: secret });
    const key: string = createExperiment.experiment.key;
    await gqlOk(gw.url, 'query($k: String!) { experiment(key: $k) { key } }', { k: key }, { authorization: secret });
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).not.toContain(key);
    expect(text).not.toContain(secret);
  });
});

describe('trace context', () => {
  it('honours an incoming traceparent: the answer and the request log line carry its trace id', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE}-${PARENT}-01` },
      body: JSON.stringify({ query: 'query Traced { workspaces { name } }' }),
    });
    expect(res.status).toBe(200);
    const answered = res.headers.get('traceparent') ?? '';
    expect(answered).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(answered.split('-')[2]).not.toBe(PARENT); // the gateway's own span
    const line = await eventually(() => logLines().find((l) => l.msg === 'graphql' && l.operation === 'Traced'), 2000, 'the request log line');
    expect(line.traceId).toBe(TRACE);
  });

  it('starts a trace when none comes in, and names it in the answer and the log line alike', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: 'garbage' },
      body: JSON.stringify({ query: 'query Untraced { workspaces { name } }' }),
    });
    const [version, traceId, , flags] = (res.headers.get('traceparent') ?? '').split('-');
    expect({ version, flags }).toEqual({ version: '00', flags: '00' });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const line = await eventually(() => logLines().find((l) => l.operation === 'Untraced'), 2000, 'the request log line');
    expect(line.traceId).toBe(traceId);
  });

  it('puts a trace header on every route, not only /graphql', async () => {
    expect((await fetch(`${gw.url}/healthz`)).headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});

describe('OpenTelemetry', () => {
  it('says in one log line why export did not start, and serves regardless', () => {
    const lines = logLines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('OpenTelemetry'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', otel: 'off' });
    expect(String(lines[0].msg)).toMatch(/needs Node\.js >= 22\.15|@opentelemetry\/sdk-node is not installed/);
  });
});
