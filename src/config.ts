/**
 * Configuration, parsed once at the edge into a frozen typed object. Nothing below `main.ts` reads
 * `process.env`. Every parser says what it expected, what it got, and how to fix it.
 */
import path from 'node:path';
import { loadNotifyConfig, type NotifyConfig } from './notify/config';

export type BackendKind = 'sqlite' | 'comet' | 'mlflow';
/** `notice` shows lifecycle events (listening, stopping) but not the per-request lines of `info`. */
export type LogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly backend: BackendKind;
  /** Absolute path of the data directory (SQLite files, asset bytes, secrets). */
  readonly dataDir: string;
  /** Base URL clients use to reach this gateway (upload and download URLs are built on it). */
  readonly publicUrl: string | null;
  readonly cometUrl: string | null;
  readonly cometUrlOverride: string | null;
  /** Origins an enhanced Comet key's `baseUrl` may name (when `cometUrl` is unset); default the Comet cloud. */
  readonly cometAllowedOrigins: readonly string[];
  readonly cometApiKey: string | null;
  readonly redisUrl: string | null;
  readonly cacheUrl: string | null;
  /** Seconds an upstream read stays cached (Comet backend); 0 turns the cache off. */
  readonly cacheTtlSeconds: number;
  /** Comet backend: upstream calls and their limits. */
  readonly comet: {
    /** Deadline of one upstream call, retries included, in ms. */
    readonly timeoutMs: number;
    /** Upstream calls in flight per API key. */
    readonly concurrency: number;
    /** Upstream calls per API key per hour (Comet documents 15,000 REST calls per hour per key). */
    readonly budgetPerHour: number;
    /**
     * Largest share (0–1] of `budgetPerHour` one listing may spend on metric summaries to sort or filter by a
     * metric (one call per run); a listing that would spend more is QUERY_TOO_COMPLEX before the calls.
     */
    readonly queryBudgetShare: number;
    /** Requests one API key may hold in the outbox, queued or dead; past it, writes that would queue are RATE_LIMITED. */
    readonly outboxMaxPerKey: number;
  };
  /** MLflow backend: the tracking server and the credentials for requests that bring none. */
  readonly mlflow: {
    /** `TRACKQL_MLFLOW_URL`: the tracking server's root; required when the backend is mlflow. */
    readonly url: string | null;
    /** `TRACKQL_MLFLOW_WORKSPACE`: the name of the server's one workspace. */
    readonly workspace: string;
    /** `MLFLOW_TRACKING_TOKEN`, MLflow's own variable. */
    readonly token: string | null;
    /** `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`, MLflow's own variables. */
    readonly username: string | null;
    readonly password: string | null;
  };
  /** Secret(s) that sign upload and download URLs; the first signs, all verify (rotation). */
  readonly urlSecrets: readonly string[];
  /** Seconds a signed upload or download URL stays valid. */
  readonly urlTtlSeconds: number;
  /** Largest asset accepted, in bytes (enforced while streaming). */
  readonly maxAssetBytes: number;
  /** Largest number of points in one `logMetrics` call. */
  readonly maxMetricPoints: number;
  /** Largest GraphQL request body, in bytes. */
  readonly maxBodyBytes: number;
  /**
   * How long an idle keep-alive connection stays open, in ms. Longer than a load balancer's idle timeout, so the
   * balancer, not the gateway, closes first: a request sent on a connection in the moment it closes is lost.
   */
  readonly keepAliveTimeoutMs: number;
  /** Per-API-key token bucket on /graphql (server/rate-limit.ts); null: no limit. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | null;
  /** Path of the trusted-documents manifest (`persisted-documents.json`); null: any operation is accepted. */
  readonly trustedDocuments: string | null;
  /** Query limits, checked before any resolver runs. */
  readonly limits: {
    readonly maxDocumentBytes: number;
    /** Most lexical tokens in a document, counted before it is parsed. */
    readonly maxTokens: number;
    readonly maxDepth: number;
    readonly maxCost: number;
    readonly maxAliases: number;
    readonly maxRootFields: number;
  };
  /** Live feed (GraphQL subscriptions), see src/live/. */
  readonly live: {
    /** Most metric points waiting per subscriber; beyond it, points of the same metric are coalesced. */
    readonly queuePoints: number;
    /** Milliseconds a subscriber may take nothing from its non-empty queue before it is closed (4420). */
    readonly stuckMs: number;
    /** Poll the backend for points logged behind the gateway's back: `auto` polls on Comet. */
    readonly poll: 'auto' | 'on' | 'off';
    /** Milliseconds between two polls of a watched experiment. */
    readonly pollMs: number;
    /** Upstream calls per minute the pollers of one replica may make with one API key. */
    readonly pollCallsPerMinute: number;
  };
  readonly logLevel: LogLevel;
  readonly introspection: boolean;
  /** Origins (`https://app.example.com`) allowed cross-origin access to /graphql and /assets; empty: none. */
  readonly corsOrigins: readonly string[];
  /** OpenTelemetry export is configured (the SDK reads its own OTEL_* variables; see observability/otel.ts). */
  readonly otelExport: boolean;
  /** Fill an empty data dir with demo data at start. */
  readonly demo: boolean;
  /** Serve an embedded store without API keys on a non-loopback address (refused otherwise, src/auth/startup.ts). */
  readonly allowOpen: boolean;
  /** Webhooks, metric alerts and email (src/notify/config.ts). */
  readonly notify: NotifyConfig;
  /**
   * Repeated query documents run without Apollo's per-request pipeline (server/fast-path.ts): compiled by
   * graphql-jit (`jit`), or on graphql-js `execute` (`execute`); `off`: every request through Apollo.
   */
  readonly fastPath: 'jit' | 'execute' | 'off';
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function str(env: Env, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A fraction above 0 and at most 1, written as a decimal (`0.1`). */
function share(env: Env, name: string, fallback: number): number {
  const raw = str(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(value > 0) || value > 1) {
    throw new ConfigError(`${name} must be a fraction above 0 and at most 1, such as 0.1, got '${raw}'`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === null) return fallback;
  const lower = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    const quoted = allowed.map((a) => `'${a}'`);
    const choices = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0];
    throw new ConfigError(`${name} must be ${choices}, got '${raw}'`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = str(env, name);
  if (raw === null) return null;
  let protocol: string | null = null;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    /* reported below */
  }
  if (protocol === null || !protocols.includes(protocol)) {
    throw new ConfigError(`${name} must be a URL such as ${protocols[0]}//host:port, got '${raw}'`);
  }
  return raw.replace(/\/+$/, '');
}

/** Exact origins, normalised (`https://App.example.com:443/` → `https://app.example.com`); no path, no wildcard. */
function origins(env: Env, name: string, fallback = ''): readonly string[] {
  const list = (str(env, name) ?? fallback).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return Object.freeze(list.map((raw) => {
    let parsed: URL | null = null;
    try {
      parsed = new URL(raw);
    } catch {
      /* reported below */
    }
    const ok = parsed && ['http:', 'https:'].includes(parsed.protocol) && parsed.pathname === '/' && !parsed.search && !parsed.hash && !parsed.username;
    if (!ok || !parsed) throw new ConfigError(`${name} entries must be origins such as https://app.example.com (no path, no wildcard), got '${raw}'`);
    return parsed.origin;
  }));
}

/** The OpenTelemetry SDK's own switches: on when an OTLP endpoint or a traces exporter is set, unless disabled. */
function otelExport(env: Env): boolean {
  if (str(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return false;
  const exporter = str(env, 'OTEL_TRACES_EXPORTER');
  if (exporter !== null) return exporter !== 'none';
  return ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'].some((name) => str(env, name) !== null);
}

/** A number > 0 (decimals allowed, `0.5` is one request every two seconds), or null when unset or `0`/`off`. */
function rate(env: Env, name: string, max: number): number | null {
  const raw = str(env, name);
  if (raw === null || raw === '0' || raw.toLowerCase() === 'off') return null;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(value > 0) || value > max) {
    throw new ConfigError(`${name} must be a number of requests per second above 0 and at most ${max} (or 0 / off), got '${raw}'`);
  }
  return value;
}

/** TRACKQL_RATE_LIMIT (per second) and TRACKQL_RATE_LIMIT_BURST (default: two seconds' worth, at least 1). */
function rateLimit(env: Env): Config['rateLimit'] {
  const perSecond = rate(env, 'TRACKQL_RATE_LIMIT', 1_000_000);
  if (perSecond === null) {
    if (str(env, 'TRACKQL_RATE_LIMIT_BURST') !== null) throw new ConfigError('TRACKQL_RATE_LIMIT_BURST needs TRACKQL_RATE_LIMIT to be set');
    return null;
  }
  const burst = int(env, 'TRACKQL_RATE_LIMIT_BURST', Math.max(1, Math.ceil(perSecond * 2)), 1, 10_000_000);
  return Object.freeze({ perSecond, burst });
}

const MIB = 1024 * 1024;
/** Comet's cloud (backends/comet/protocol.ts `DEFAULT_COMET_URL`): the one server enhanced keys may name by default. */
const COMET_CLOUD_ORIGIN = 'https://www.comet.com';

/** Parses the environment; throws `ConfigError` with one clear line on the first invalid variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const secrets = (str(env, 'TRACKQL_URL_SECRETS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const secret of secrets) {
    if (secret.length < 16) throw new ConfigError('TRACKQL_URL_SECRETS entries must be at least 16 characters long');
  }
  const config: Config = {
    port: int(env, 'TRACKQL_PORT', 4000, 0, 65535),
    host: str(env, 'TRACKQL_HOST') ?? '127.0.0.1',
    backend: oneOf<BackendKind>(env, 'TRACKQL_BACKEND', ['sqlite', 'comet', 'mlflow'], 'sqlite'),
    dataDir: path.resolve(cwd, str(env, 'TRACKQL_DATA_DIR') ?? '.trackql'),
    publicUrl: url(env, 'TRACKQL_PUBLIC_URL', ['http:', 'https:']),
    cometUrl: url(env, 'TRACKQL_COMET_URL', ['http:', 'https:']),
    cometUrlOverride: url(env, 'COMET_URL_OVERRIDE', ['http:', 'https:']),
    cometAllowedOrigins: origins(env, 'TRACKQL_COMET_ALLOWED_ORIGINS', COMET_CLOUD_ORIGIN),
    cometApiKey: str(env, 'COMET_API_KEY'),
    redisUrl: url(env, 'TRACKQL_REDIS_URL', ['redis:', 'rediss:']),
    cacheUrl: url(env, 'TRACKQL_CACHE_URL', ['redis:', 'rediss:']),
    cacheTtlSeconds: int(env, 'TRACKQL_CACHE_TTL_SECONDS', 10, 0, 86_400),
    comet: Object.freeze({
      timeoutMs: int(env, 'TRACKQL_COMET_TIMEOUT_MS', 10_000, 100, 600_000),
      concurrency: int(env, 'TRACKQL_COMET_CONCURRENCY', 128, 1, 1024),
      budgetPerHour: int(env, 'TRACKQL_COMET_BUDGET_PER_HOUR', 15_000, 1, 10_000_000),
      queryBudgetShare: share(env, 'TRACKQL_COMET_QUERY_BUDGET_SHARE', 0.1),
      outboxMaxPerKey: int(env, 'TRACKQL_OUTBOX_MAX_PER_KEY', 10_000, 1, 100_000_000),
    }),
    mlflow: Object.freeze({
      url: url(env, 'TRACKQL_MLFLOW_URL', ['http:', 'https:']),
      workspace: str(env, 'TRACKQL_MLFLOW_WORKSPACE') ?? 'default',
      token: str(env, 'MLFLOW_TRACKING_TOKEN'),
      username: str(env, 'MLFLOW_TRACKING_USERNAME'),
      password: str(env, 'MLFLOW_TRACKING_PASSWORD'),
    }),
    urlSecrets: secrets,
    urlTtlSeconds: int(env, 'TRACKQL_URL_TTL_SECONDS', 900, 1, 7 * 24 * 3600),
    maxAssetBytes: int(env, 'TRACKQL_MAX_ASSET_BYTES', 1024 * MIB, 1, Number.MAX_SAFE_INTEGER),
    maxMetricPoints: int(env, 'TRACKQL_MAX_METRIC_POINTS', 10_000, 1, 1_000_000),
    maxBodyBytes: int(env, 'TRACKQL_MAX_BODY_BYTES', 8 * MIB, 1024, 1024 * MIB),
    keepAliveTimeoutMs: int(env, 'TRACKQL_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1000, 3_600_000),
    rateLimit: rateLimit(env),
    trustedDocuments: str(env, 'TRACKQL_TRUSTED_DOCUMENTS') === null ? null : path.resolve(cwd, str(env, 'TRACKQL_TRUSTED_DOCUMENTS') as string),
    limits: Object.freeze({
      maxDocumentBytes: int(env, 'TRACKQL_MAX_DOCUMENT_BYTES', 32 * 1024, 256, 8 * MIB),
      maxTokens: int(env, 'TRACKQL_MAX_TOKENS', 5000, 10, 1_000_000),
      maxDepth: int(env, 'TRACKQL_MAX_DEPTH', 15, 2, 100),
      maxCost: int(env, 'TRACKQL_MAX_COST', 1_000_000, 10, 1_000_000_000),
      maxAliases: int(env, 'TRACKQL_MAX_ALIASES', 30, 0, 10_000),
      maxRootFields: int(env, 'TRACKQL_MAX_ROOT_FIELDS', 20, 1, 10_000),
    }),
    live: Object.freeze({
      queuePoints: int(env, 'TRACKQL_LIVE_QUEUE_POINTS', 10_000, 1, 1_000_000),
      stuckMs: int(env, 'TRACKQL_LIVE_STUCK_MS', 30_000, 100, 3_600_000),
      poll: oneOf<'auto' | 'on' | 'off'>(env, 'TRACKQL_LIVE_POLL', ['auto', 'on', 'off'], 'auto'),
      pollMs: int(env, 'TRACKQL_LIVE_POLL_MS', 2000, 50, 600_000),
      pollCallsPerMinute: int(env, 'TRACKQL_LIVE_POLL_CALLS_PER_MINUTE', 60, 1, 100_000),
    }),
    logLevel: oneOf<LogLevel>(env, 'TRACKQL_LOG_LEVEL', ['debug', 'info', 'notice', 'warn', 'error', 'silent'], 'info'),
    introspection: bool(env, 'TRACKQL_INTROSPECTION', true),
    corsOrigins: origins(env, 'TRACKQL_CORS_ORIGINS'),
    otelExport: otelExport(env),
    demo: bool(env, 'TRACKQL_DEMO', false),
    allowOpen: bool(env, 'TRACKQL_ALLOW_OPEN', false),
    notify: loadNotifyConfig(env),
    fastPath: oneOf<'jit' | 'execute' | 'off'>(env, 'TRACKQL_FAST_PATH', ['jit', 'execute', 'off'], 'jit'),
  };
  if (config.backend === 'mlflow' && config.mlflow.url === null) {
    throw new ConfigError('TRACKQL_BACKEND=mlflow needs TRACKQL_MLFLOW_URL, the tracking server\'s root (e.g. http://127.0.0.1:5000)');
  }
  return Object.freeze(config);
}
