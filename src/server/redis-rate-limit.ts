/**
 * Token buckets shared by every replica, in Redis: one hash per bucket, updated by one Lua script so that
 * reading, refilling and taking are atomic, on Redis's clock (replicas' clocks may disagree). An idle
 * bucket expires once it would be full again.
 *
 * Redis away must not take the API down: a call that cannot reach it within `COMMAND_TIMEOUT_MS` is decided
 * by this replica's in-memory buckets instead, until Redis answers again.
 */
import Redis from 'ioredis';
import type { Logger } from '../observability/logger';
import type { MemoryRateLimiter, RateDecision, RateLimiter, RateSettings } from './rate-limit';

const KEY_PREFIX = 'trackql:ratelimit:';
/** Longest wait for Redis before the local buckets decide, ms: a rate check must stay cheap. */
const COMMAND_TIMEOUT_MS = 250;

// KEYS[1]: the bucket. ARGV: tokens per ms, burst. Returns {allowed (0|1), ms until a token is back}.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return {allowed, wait}`;

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #settings: RateSettings;
  readonly #fallback: MemoryRateLimiter;
  readonly #logger: Logger;
  #degraded = false;

  constructor(url: string, settings: RateSettings, fallback: MemoryRateLimiter, logger: Logger) {
    this.#settings = settings;
    this.#fallback = fallback;
    this.#logger = logger;
    this.#redis = new Redis(url, {
      // Fail fast while disconnected (no queue of rate checks piling up), keep reconnecting in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(2000, 100 * 2 ** Math.min(attempt, 5)),
    });
    this.#redis.on('error', () => undefined); // reported once per outage by take(), not per reconnect attempt
  }

  async take(id: string): Promise<RateDecision> {
    try {
      const reply = (await this.#redis.eval(TAKE, 1, KEY_PREFIX + id, this.#settings.perSecond / 1000, this.#settings.burst)) as [number, number];
      if (this.#degraded) {
        this.#degraded = false;
        this.#logger.notice('rate limits shared through Redis again');
      }
      const [allowed, waitMs] = reply;
      return allowed === 1 ? { allowed: true, retryAfterSeconds: 0 } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    } catch (error) {
      if (!this.#degraded) {
        this.#degraded = true;
        this.#logger.warn('rate limits: Redis unreachable, each replica limits on its own meanwhile', { error: (error as Error).message });
      }
      return this.#fallback.takeNow(id);
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
