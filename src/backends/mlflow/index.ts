/** Entry point of the MLflow backend: options validated once, parts built. */
import { CometIdempotency } from '../comet/idempotency';
import { Outbox } from '../comet/outbox';
import { SqliteRecords } from '../comet/records';
import { RedisRecords } from '../comet/records-redis';
import type { Backend } from '../port';
import { MlflowBackend } from './backend';
import { MlflowCache } from './cache';
import { CredentialResolver, type ServerCredentials } from './credentials';
import { MlflowHttp } from './http';

/** The file holding the MLflow backend's idempotency records, in the data dir. */
export const MLFLOW_OUTBOX_FILE = 'mlflow-outbox.db';

export interface MlflowBackendOptions {
  /** `TRACKQL_MLFLOW_URL`: the tracking server's root (scheme, host, optional path prefix). */
  url: string;
  /** `TRACKQL_MLFLOW_WORKSPACE`: the name of the server's one workspace. Default `default`. */
  workspace?: string;
  /** `MLFLOW_TRACKING_TOKEN`, or `MLFLOW_TRACKING_USERNAME`/`PASSWORD`: for requests that bring no Authorization. */
  server?: ServerCredentials;
  /** Directory of `mlflow-outbox.db` (idempotency records); created when missing. */
  dataDir: string;
  /** Deadline of one upstream call, retries included, ms. Default 30,000. */
  timeoutMs?: number;
  /** Retries of one call (408, 429, 5xx). Default 7, as MLflow's client. */
  maxRetries?: number;
  /** First retry delay, ms (doubles per attempt). Default 200. */
  retryBackoffMs?: number;
  /** How long runs read by a listing are reused, ms. Default 5,000; 0 turns it off. */
  cacheTtlMs?: number;
  /** `TRACKQL_REDIS_URL`: idempotency records shared by every replica. */
  redisUrl?: string | null;
  now?: () => number;
}

function atLeast(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) throw new RangeError(`MLflow backend option ${name} must be a number >= ${min}, got ${v}`);
  return v;
}

export function createMlflowBackend(options: MlflowBackendOptions): Backend {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`MLflow backend option url must be http(s), got '${options.url}'`);
  const now = options.now ?? Date.now;
  const outbox = new Outbox(options.dataDir, now, MLFLOW_OUTBOX_FILE);
  const records = new SqliteRecords(outbox, now);
  return new MlflowBackend({
    http: new MlflowHttp({
      baseUrl: options.url,
      timeoutMs: atLeast('timeoutMs', options.timeoutMs, 30_000, 1),
      maxRetries: atLeast('maxRetries', options.maxRetries, 7, 0),
      backoffMs: atLeast('retryBackoffMs', options.retryBackoffMs, 200, 0),
    }),
    cache: new MlflowCache(atLeast('cacheTtlMs', options.cacheTtlMs, 5_000, 0), now),
    credentials: new CredentialResolver(options.server ?? {}),
    workspace: options.workspace ?? 'default',
    outbox,
    idempotency: new CometIdempotency(options.redisUrl ? new RedisRecords(options.redisUrl, records, now) : records, 0, now),
    now,
  });
}

export { MLFLOW_CAPABILITIES } from './backend';
export type { ServerCredentials } from './credentials';
