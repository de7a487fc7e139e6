/**
 * Rate limits at the gateway: one token bucket per API key (per client address for anonymous callers) on
 * `/graphql`, refilled at `perSecond` up to `burst`. A request finding the bucket empty is answered at once
 * with HTTP 429, `RATE_LIMITED`, `extensions.retryAfter` and a `Retry-After` header (seconds), before its
 * body is read. Buckets live in memory, or in Redis when `TRACKQL_REDIS_URL` is set, so replicas share them
 * (redis-rate-limit.ts). Off unless `TRACKQL_RATE_LIMIT` is set.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import { RateLimitedError } from '../errors';
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

/** Buckets kept in memory before full (idle) ones are dropped: a full bucket is the same as no bucket. */
const MAX_MEMORY_BUCKETS = 50_000;

export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly settings: RateSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async take(id: string): Promise<RateDecision> {
    return this.takeNow(id);
  }

  takeNow(id: string): RateDecision {
    const { perSecond, burst } = this.settings;
    const now = this.now();
    const bucket = this.#buckets.get(id);
    const tokens = bucket ? Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond) : burst;
    if (!bucket && this.#buckets.size >= MAX_MEMORY_BUCKETS) this.#dropFull(now);
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

  #dropFull(now: number): void {
    const { perSecond, burst } = this.settings;
    for (const [id, b] of this.#buckets) if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.#buckets.delete(id);
    // Every bucket busy (a flood of distinct keys): start over rather than grow without bound.
    if (this.#buckets.size >= MAX_MEMORY_BUCKETS) this.#buckets.clear();
  }
}

/** The bucket of a request: its API key's id, or its client address when it brings no key. */
export function bucketOf(req: IncomingMessage, fallbackKey: string | null): string {
  const caller = callerFromAuthorization(req.headers.authorization, fallbackKey);
  return caller.apiKey === null ? `ip:${req.socket.remoteAddress ?? 'unknown'}` : caller.keyId;
}

export interface RateGuard {
  /** Throws RATE_LIMITED (with a Retry-After header already set on `res`) when the request's bucket is empty. */
  check(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

/** The guard `/graphql` calls first, or null when rate limiting is off. */
export function createRateGuard(config: Config, logger: Logger): RateGuard | null {
  if (!config.rateLimit) return null;
  const settings = config.rateLimit;
  const local = new MemoryRateLimiter(settings);
  const limiter: RateLimiter = config.redisUrl ? new RedisRateLimiter(config.redisUrl, settings, local, logger) : local;
  return {
    async check(req, res) {
      const decision = await limiter.take(bucketOf(req, config.cometApiKey));
      if (decision.allowed) return;
      res.setHeader('retry-after', String(decision.retryAfterSeconds));
      throw new RateLimitedError(
        `Too many requests for this API key (TRACKQL_RATE_LIMIT is ${settings.perSecond}/s, burst ${settings.burst}): retry in ${decision.retryAfterSeconds} s`,
        decision.retryAfterSeconds,
      );
    },
    close: () => limiter.close(),
  };
}
