/**
 * Rate limits at the gateway: one token bucket per authenticated identity on `/graphql` — a key the embedded
 * store knows, or a Comet key Comet has accepted before — and one per client address for everyone else (no
 * key, an unknown or refused key), so inventing keys never buys fresh buckets. Buckets refill at `perSecond`
 * up to `burst`. A request finding the bucket empty is answered at once
 * with HTTP 429, `RATE_LIMITED`, `extensions.retryAfter` and a `Retry-After` header (seconds), before its
 * body is read. Buckets live in memory, or in Redis when `TRACKQL_REDIS_URL` is set, so replicas share them
 * (redis-rate-limit.ts). Off unless `TRACKQL_RATE_LIMIT` is set.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../backends/port';
import type { Config } from '../config';
import { RateLimitedError } from '../errors';
import { LruMap } from '../lru';
import { callerFromAuthorization } from './identity';
import type { Logger } from '../observability/logger';
import { RedisRateLimiter } from './redis-rate-limit';

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until a token is back (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Takes one token from bucket `id`. */
  take(id: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export interface RateSettings {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size: requests allowed at once after a quiet period. */
  readonly burst: number;
}

/**
 * Buckets kept in memory; past it the least recently used goes (it is the likeliest to be full again, and a
 * full bucket is the same as no bucket). Never all at once: busy buckets keep their state under a flood.
 */
export const MAX_MEMORY_BUCKETS = 50_000;

export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets: LruMap<string, { tokens: number; at: number }>;

  constructor(
    private readonly settings: RateSettings,
    private readonly now: () => number = Date.now,
    maxBuckets: number = MAX_MEMORY_BUCKETS,
  ) {
    this.#buckets = new LruMap(maxBuckets);
  }

  async take(id: string): Promise<RateDecision> {
    return this.takeNow(id);
  }

  takeNow(id: string): RateDecision {
    const { perSecond, burst } = this.settings;
    const now = this.now();
    const bucket = this.#buckets.get(id);
    const tokens = bucket ? Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond) : burst;
    if (tokens >= 1) {
      this.#buckets.set(id, { tokens: tokens - 1, at: now });
      return { allowed: true, retryAfterSeconds: 0 };
    }
    this.#buckets.set(id, { tokens, at: now });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
  }

  async close(): Promise<void> {
    this.#buckets.clear();
  }
}

/** The authenticated identity of a caller that brings a key, or null when the key is not known to be valid. */
export type Identify = (caller: Caller) => string | null;

/**
 * The bucket of a request: the identity its own key authenticates as, or its client address when it brings
 * no key, or one not known to be valid (a key made up per request lands here too).
 */
export function bucketOf(req: IncomingMessage, identify: Identify): string {
  const caller = callerFromAuthorization(req.headers.authorization);
  const identity = caller.apiKey === null ? null : identify(caller);
  return identity === null ? `ip:${req.socket.remoteAddress ?? 'unknown'}` : `id:${identity}`;
}

export interface RateGuard {
  /** Throws RATE_LIMITED (with a Retry-After header already set on `res`) when the request's bucket is empty. */
  check(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

/** The guard `/graphql` calls first, or null when rate limiting is off. `identify`: see `bucketOf`. */
export function createRateGuard(config: Config, logger: Logger, identify: Identify): RateGuard | null {
  if (!config.rateLimit) return null;
  const settings = config.rateLimit;
  const local = new MemoryRateLimiter(settings);
  const limiter: RateLimiter = config.redisUrl ? new RedisRateLimiter(config.redisUrl, settings, local, logger) : local;
  return {
    async check(req, res) {
      const decision = await limiter.take(bucketOf(req, identify));
      if (decision.allowed) return;
      res.setHeader('retry-after', String(decision.retryAfterSeconds));
      throw new RateLimitedError(
        `Too many requests from this API key or address (TRACKQL_RATE_LIMIT is ${settings.perSecond}/s, burst ${settings.burst}): retry in ${decision.retryAfterSeconds} s`,
        decision.retryAfterSeconds,
      );
    },
    close: () => limiter.close(),
  };
}
