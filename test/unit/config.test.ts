import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('gives working defaults on an empty environment', () => {
    const config = loadConfig({}, '/srv');
    expect(config).toMatchObject({
      port: 4000, host: '127.0.0.1', backend: 'sqlite', dataDir: path.resolve('/srv/.trackql'),
      maxMetricPoints: 10_000, introspection: true, redisUrl: null, cacheUrl: null, keepAliveTimeoutMs: 65_000,
      cometAllowedOrigins: ['https://www.comet.com'],
      comet: expect.objectContaining({ budgetPerHour: 15_000, queryBudgetShare: 0.1, outboxMaxPerKey: 10_000 }),
      limits: expect.objectContaining({ maxTokens: 5000, maxDocumentBytes: 32 * 1024 }),
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ TRACKQL_BACKEND: 'postgres' }, "TRACKQL_BACKEND must be 'sqlite', 'comet' or 'mlflow', got 'postgres'"],
    [{ TRACKQL_PORT: 'http' }, "TRACKQL_PORT must be a whole number, got 'http'"],
    [{ TRACKQL_PORT: '70000' }, 'TRACKQL_PORT must be between 0 and 65535, got 70000'],
    [{ TRACKQL_REDIS_URL: 'localhost:6379' }, "TRACKQL_REDIS_URL must be a URL such as redis://host:port, got 'localhost:6379'"],
    [{ TRACKQL_COMET_URL: 'ftp://x' }, "TRACKQL_COMET_URL must be a URL such as http://host:port, got 'ftp://x'"],
    [{ TRACKQL_OUTBOX_MAX_PER_KEY: '0' }, 'TRACKQL_OUTBOX_MAX_PER_KEY must be between 1 and 100000000, got 0'],
    [{ TRACKQL_KEEP_ALIVE_TIMEOUT_MS: '500' }, 'TRACKQL_KEEP_ALIVE_TIMEOUT_MS must be between 1000 and 3600000, got 500'],
    [{ TRACKQL_INTROSPECTION: 'maybe' }, "TRACKQL_INTROSPECTION must be true or false, got 'maybe'"],
    [{ TRACKQL_URL_SECRETS: 'short' }, 'TRACKQL_URL_SECRETS entries must be at least 16 characters long'],
    [{ TRACKQL_COMET_ALLOWED_ORIGINS: 'https://comet.example.com/api' }, "TRACKQL_COMET_ALLOWED_ORIGINS entries must be origins such as https://app.example.com (no path, no wildcard), got 'https://comet.example.com/api'"],
    [{ TRACKQL_COMET_QUERY_BUDGET_SHARE: '0' }, "TRACKQL_COMET_QUERY_BUDGET_SHARE must be a fraction above 0 and at most 1, such as 0.1, got '0'"],
    [{ TRACKQL_COMET_QUERY_BUDGET_SHARE: '1.5' }, "TRACKQL_COMET_QUERY_BUDGET_SHARE must be a fraction above 0 and at most 1, such as 0.1, got '1.5'"],
    [{ TRACKQL_COMET_QUERY_BUDGET_SHARE: '10%' }, "TRACKQL_COMET_QUERY_BUDGET_SHARE must be a fraction above 0 and at most 1, such as 0.1, got '10%'"],
  ])('refuses %j with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      TRACKQL_PORT: '8080', TRACKQL_HOST: '0.0.0.0', TRACKQL_BACKEND: 'comet', TRACKQL_DATA_DIR: '/data',
      TRACKQL_COMET_URL: 'https://comet.example.com/', COMET_API_KEY: 'abc', TRACKQL_REDIS_URL: 'redis://127.0.0.1:6379',
      TRACKQL_MAX_METRIC_POINTS: '500', TRACKQL_URL_SECRETS: 'aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb',
      TRACKQL_COMET_ALLOWED_ORIGINS: 'https://Comet.example.com:443/, http://10.0.0.5:8080', TRACKQL_MAX_TOKENS: '800',
      TRACKQL_COMET_QUERY_BUDGET_SHARE: '0.25',
      TRACKQL_OUTBOX_MAX_PER_KEY: '250',
    });
    expect(config).toMatchObject({
      port: 8080, host: '0.0.0.0', backend: 'comet', dataDir: '/data', cometUrl: 'https://comet.example.com',
      cometApiKey: 'abc', redisUrl: 'redis://127.0.0.1:6379', maxMetricPoints: 500,
      urlSecrets: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'],
      cometAllowedOrigins: ['https://comet.example.com', 'http://10.0.0.5:8080'],
      comet: expect.objectContaining({ queryBudgetShare: 0.25, outboxMaxPerKey: 250 }),
      limits: expect.objectContaining({ maxTokens: 800 }),
    });
  });

  it('reads the MLflow variables, and refuses the mlflow backend without its URL', () => {
    const config = loadConfig({
      TRACKQL_BACKEND: 'mlflow', TRACKQL_MLFLOW_URL: 'http://127.0.0.1:5000/', TRACKQL_MLFLOW_WORKSPACE: 'lab',
      MLFLOW_TRACKING_USERNAME: 'ada', MLFLOW_TRACKING_PASSWORD: 'pw',
    });
    expect(config).toMatchObject({ backend: 'mlflow', mlflow: { url: 'http://127.0.0.1:5000', workspace: 'lab', token: null, username: 'ada', password: 'pw' } });
    expect(loadConfig({ TRACKQL_BACKEND: 'mlflow', TRACKQL_MLFLOW_URL: 'http://h:5000' }).mlflow.workspace).toBe('default');
    expect(() => loadConfig({ TRACKQL_BACKEND: 'mlflow' })).toThrow('TRACKQL_BACKEND=mlflow needs TRACKQL_MLFLOW_URL');
  });
});
