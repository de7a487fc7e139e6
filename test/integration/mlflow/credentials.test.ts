/**
 * Credentials on the MLflow backend, through the real GraphQL server: each request's own Authorization is
 * passed through (Basic as it is, a bare or `Bearer` token as a bearer token); the server-side token or
 * user stands in only for a request with none; a refusal is UNAUTHENTICATED, and nothing leaks into logs.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import { gql } from '../../support/gateway';
import { tempDataDir } from '../../support/mlflow-backend';
import { startMlflowSim, type MlflowSim } from '../../support/mlflow-sim';

const QUERY = '{ workspace(name: "default") { projects(first: 5) { totalCount } } }';
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('mlflow backend: whose credentials reach MLflow', () => {
  let sim: MlflowSim;
  const gateways: Gateway[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    sim = await startMlflowSim({ auth: { basic: [{ username: 'ada', password: 'pw' }, { username: 'ops', password: 'server' }], bearer: ['tok-1', 'server-token'] } });
  });

  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await sim.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function gateway(extra: Record<string, string> = {}): Promise<Gateway> {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const g = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'mlflow', TRACKQL_MLFLOW_URL: sim.url,
      TRACKQL_LIVE_POLL: 'off', TRACKQL_CACHE_TTL_SECONDS: '0', ...extra,
    }));
    gateways.push(g);
    return g;
  }

  const sent = (): (string | null)[] => [...new Set(sim.calls().map((c) => c.authorization))];

  it('passes the caller\'s Basic and bearer credentials through as MLflow\'s clients send them', async () => {
    const g = await gateway({ MLFLOW_TRACKING_TOKEN: 'server-token' });
    for (const [header, expected] of [[basic('ada', 'pw'), basic('ada', 'pw')], ['Bearer tok-1', 'Bearer tok-1'], ['tok-1', 'Bearer tok-1']]) {
      sim.resetCalls();
      const res = await gql(g.url, QUERY, {}, { authorization: header });
      expect(res.errors).toBeUndefined();
      expect(sent()).toEqual([expected]);
    }
  });

  it('uses MLFLOW_TRACKING_TOKEN, else the tracking user, only for requests that bring none', async () => {
    const withToken = await gateway({ MLFLOW_TRACKING_TOKEN: 'server-token', MLFLOW_TRACKING_USERNAME: 'ops', MLFLOW_TRACKING_PASSWORD: 'server' });
    sim.resetCalls();
    expect((await gql(withToken.url, QUERY)).errors).toBeUndefined();
    expect(sent()).toEqual(['Bearer server-token']);
    const withUser = await gateway({ MLFLOW_TRACKING_USERNAME: 'ops', MLFLOW_TRACKING_PASSWORD: 'server' });
    sim.resetCalls();
    expect((await gql(withUser.url, QUERY)).errors).toBeUndefined();
    expect(sent()).toEqual([basic('ops', 'server')]);
  });

  it('answers UNAUTHENTICATED when MLflow refuses the credentials, or when there are none', async () => {
    const g = await gateway();
    const wrong = await gql(g.url, QUERY, {}, { authorization: basic('ada', 'nope') });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    sim.resetCalls();
    const none = await gql(g.url, QUERY);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(sent()).toEqual([null]);
  });
});
