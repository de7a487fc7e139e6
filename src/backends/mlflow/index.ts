/** Entry point of the MLflow backend: options validated once, parts built. */
import { CometIdempotency } from '../comet/idempotency';
import type { CometObserver } from '../comet/observer';
import { Outbox } from '../comet/outbox';
import { SqliteRecords } from '../comet/records';
import { RedisRecords } from '../comet/records-redis';
import { WritePipeline } from '../comet/writer';
import type { Backend } from '../port';
import { MlflowBackend } from './backend';
import { MlflowCache } from './cache';
import { CredentialResolver, type ServerCredentials } from './credentials';
import { MlflowHttp, isAmbiguous } from './http';
import { chunkValues, createReconciler, createSender } from './logging';

/** The MLflow backend's durable outbox (queued writes, dead letters, idempotency records), in the data dir. */
export const MLFLOW_OUTBOX_FILE = 'mlflow-outbox.db';

export interface MlflowBackendOptions {
  /** `TRACKQL_MLFLOW_URL`: the tracking server's root (scheme, host, optional path prefix). */
  url: string;
  /** `TRACKQL_MLFLOW_WORKSPACE`: the name of the server's one workspace. Default `default`. */
  workspace?: string;
  /** `MLFLOW_TRACKING_TOKEN`, or `MLFLOW_TRACKING_USERNAME`/`PASSWORD`: for requests that bring no Authorization. */
  server?: ServerCredentials;
  /** Directory of `mlflow-outbox.db`; created when missing. */
  dataDir: string;
  /** First outbox retry delay, ms (doubles per attempt). Default 1,000. */
  outboxBackoffMs?: number;
  /** Longest outbox retry delay, ms. Default 60,000. */
  outboxMaxBackoffMs?: number;
  /** Requests one set of credentials may hold in the outbox; past it, writes that would queue are RATE_LIMITED. Default 10,000. */
  outboxMaxPerKey?: number;
  /** How long a request whose outcome is unknown waits before the run's history is checked, ms. Default 1,000. */
  ambiguousSettleMs?: number;
  /** How long `close()` keeps draining the outbox, ms. Default 2,000. */
  drainOnCloseMs?: number;
  /** Where the outbox reports what it could not deliver (never with credentials). */
  onError?: (message: string, detail: Record<string, unknown>) => void;
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
  /** Metrics and trace hooks (upstream calls, trace headers), shared with the Comet backend; see comet/observer.ts. */
  observer?: Pick<CometObserver, 'upstreamCall' | 'upstreamHeaders'>;
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
  // MLflow's stores read what they wrote at once; the wait leaves a request the server was still working on
  // when its answer was lost time to finish before the run's history is compared with it.
  const outbox = new Outbox(options.dataDir, now, MLFLOW_OUTBOX_FILE, atLeast('ambiguousSettleMs', options.ambiguousSettleMs, 1_000, 0));
  const records = new SqliteRecords(outbox, now);
  const http = new MlflowHttp({
    baseUrl: options.url,
    timeoutMs: atLeast('timeoutMs', options.timeoutMs, 30_000, 1),
    maxRetries: atLeast('maxRetries', options.maxRetries, 7, 0),
    backoffMs: atLeast('retryBackoffMs', options.retryBackoffMs, 200, 0),
    observer: options.observer,
  });
  const cache = new MlflowCache(atLeast('cacheTtlMs', options.cacheTtlMs, 5_000, 0), now);
  const credentials = new CredentialResolver(options.server ?? {});
  const writer = new WritePipeline({
    outbox,
    send: createSender(http, cache),
    reconcile: createReconciler(http, cache),
    sessionOf: (replayKey) => credentials.fromReplayKey(replayKey),
    chunk: chunkValues,
    isAmbiguous,
    upstream: 'MLflow',
    backoffMs: atLeast('outboxBackoffMs', options.outboxBackoffMs, 1_000, 1),
    maxBackoffMs: atLeast('outboxMaxBackoffMs', options.outboxMaxBackoffMs, 60_000, 1),
    maxPerKey: atLeast('outboxMaxPerKey', options.outboxMaxPerKey, 10_000, 1),
    onError: options.onError,
  });
  writer.start();
  return new MlflowBackend({
    http,
    cache,
    credentials,
    writer,
    drainOnCloseMs: atLeast('drainOnCloseMs', options.drainOnCloseMs, 2_000, 0),
    workspace: options.workspace ?? 'default',
    outbox,
    idempotency: new CometIdempotency(options.redisUrl ? new RedisRecords(options.redisUrl, records, now) : records, 0, now, isAmbiguous),
    now,
  });
}

export { MLFLOW_CAPABILITIES } from './backend';
export type { ServerCredentials } from './credentials';
