/** Entry point of the Comet backend: options validated once, parts built, the outbox's drain started. */
import type Keyv from 'keyv';
import type { Backend } from '../port';
import { CometApi } from './api';
import { CometBackend } from './backend';
import { RateBudget } from './budget';
import { UpstreamCache } from './cache';
import { CometHttp } from './http';
import { CometIdempotency } from './idempotency';
import { SqliteRecords } from './records';
import { RedisRecords } from './records-redis';
import { createReconciler, createSender, forgetLogged } from './logging';
import type { CometObserver } from './observer';
import { AMBIGUOUS_SETTLE_MS, Outbox } from './outbox';
import { SessionResolver, configuredUpstream } from './routing';
import { WritePipeline } from './writer';

export interface CometBackendOptions {
  /** Directory of the durable outbox (`comet-outbox.db`); created when missing. */
  dataDir: string;
  /** `TRACKQL_COMET_URL`: the Comet server (scheme, host, optional path prefix). */
  cometUrl?: string | null;
  /** `COMET_URL_OVERRIDE`, Comet's own variable (`…/clientlib/`), used when `cometUrl` is unset. */
  cometUrlOverride?: string | null;
  /** `TRACKQL_COMET_ALLOWED_ORIGINS`: origins an enhanced key's `baseUrl` may name. Default: the Comet cloud. */
  allowedOrigins?: readonly string[];
  /** `COMET_API_KEY`: the operator's key, for callers that bring none. */
  fallbackApiKey?: string | null;
  /** Lifetime of cached upstream reads, ms. Default 10,000; 0 turns the cache off. */
  cacheTtlMs?: number;
  /** A keyv store for the cache (default: in memory). */
  cacheStore?: Keyv;
  /** Deadline of one upstream call, retries included, ms. Default 10,000. */
  timeoutMs?: number;
  /** Upstream calls in flight per key. Default 8. */
  concurrency?: number;
  /** Upstream calls per key per hour. Default 15,000 (§8). */
  budgetPerHour?: number;
  /** Largest share (0–1] of `budgetPerHour` one experiment listing may spend on metric summaries. Default 0.1. */
  queryBudgetShare?: number;
  /** Origins with an open connection pool at once. Default 32; the least recently used closes past it. */
  maxPools?: number;
  /** First outbox retry delay, ms (doubles per attempt). Default 1,000. */
  outboxBackoffMs?: number;
  /** Longest outbox retry delay, ms. Default 60,000. */
  outboxMaxBackoffMs?: number;
  /** Requests one API key may hold in the outbox, queued or dead; past it, writes that would queue are RATE_LIMITED. Default 10,000. */
  outboxMaxPerKey?: number;
  /** How long a retry of an ambiguous create waits, from the first attempt's start, before looking for its run, ms (Comet's reads lag). Default 3,000. */
  ambiguousSettleMs?: number;
  /** How long `close()` keeps draining the outbox, ms. Default 2,000. */
  drainOnCloseMs?: number;
  /** Backoff of the first in-call retry, ms. Default 100. */
  retryBackoffMs?: number;
  /** `TRACKQL_REDIS_URL`: idempotency records shared by every replica (unset: in the outbox file, per replica). */
  redisUrl?: string | null;
  /** Clock in Unix ms. */
  now?: () => number;
  /** Where the outbox reports what it could not deliver (never with a key). */
  onError?: (message: string, detail: Record<string, unknown>) => void;
  /** Metrics and trace hooks (upstream calls, cache lookups, trace headers); see observer.ts. */
  observer?: CometObserver;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) throw new RangeError(`Comet backend option ${name} must be a number >= ${min}, got ${v}`);
  return v;
}

export function createCometBackend(options: CometBackendOptions): Backend {
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 10_000);
  const budgetPerHour = positive('budgetPerHour', options.budgetPerHour, 15_000);
  const queryBudgetShare = options.queryBudgetShare ?? 0.1;
  if (!(queryBudgetShare > 0 && queryBudgetShare <= 1)) throw new RangeError(`Comet backend option queryBudgetShare must be above 0 and at most 1, got ${queryBudgetShare}`);
  const budget = new RateBudget({ perHour: budgetPerHour, now: options.now });
  const http = new CometHttp({
    timeoutMs,
    concurrency: positive('concurrency', options.concurrency, 8),
    budget,
    backoffMs: positive('retryBackoffMs', options.retryBackoffMs, 100, 0),
    observer: options.observer,
    maxPools: positive('maxPools', options.maxPools, 32),
  });
  const cache = new UpstreamCache({ ttlMs: positive('cacheTtlMs', options.cacheTtlMs, 10_000, 0), store: options.cacheStore, observer: options.observer });
  const sessions = new SessionResolver(
    configuredUpstream(options.cometUrl ?? null, options.cometUrlOverride ?? null),
    options.fallbackApiKey ?? null,
    options.allowedOrigins,
  );
  const outbox = new Outbox(options.dataDir, options.now);
  const send = createSender(http, (session, experimentKey, kind, values) =>
    forgetLogged(new CometApi(http, cache.scope(session.ns), session), experimentKey, kind, values));
  const writer = new WritePipeline({
    outbox,
    send,
    budget,
    sessionOf: (apiKey) => sessions.fromKey(apiKey),
    backoffMs: positive('outboxBackoffMs', options.outboxBackoffMs, 1_000),
    maxBackoffMs: positive('outboxMaxBackoffMs', options.outboxMaxBackoffMs, 60_000),
    onError: options.onError,
    reconcile: createReconciler(http),
    maxPerKey: positive('outboxMaxPerKey', options.outboxMaxPerKey, 10_000),
  });
  writer.start();
  return new CometBackend({
    http, cache, sessions, outbox, writer,
    idempotency: new CometIdempotency(
      options.redisUrl ? new RedisRecords(options.redisUrl, new SqliteRecords(outbox, options.now), options.now) : new SqliteRecords(outbox, options.now),
      positive('ambiguousSettleMs', options.ambiguousSettleMs, AMBIGUOUS_SETTLE_MS, 0),
      options.now,
    ),
    drainOnCloseMs: positive('drainOnCloseMs', options.drainOnCloseMs, 2_000, 0),
    now: options.now ?? Date.now,
    queryCost: { budgetPerHour, share: queryBudgetShare },
  });
}

export { COMET_CAPABILITIES } from './backend';
export { OUTBOX_FILE } from './outbox';
export type { CometObserver, UpstreamCall, UpstreamOutcome } from './observer';
