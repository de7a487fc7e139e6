/**
 * A bus across replicas over Redis pub/sub (ioredis 5). Each replica delivers its own messages locally
 * first (a `MemoryBus`), then publishes them to Redis stamped with its origin id; messages from Redis with
 * its own origin are skipped, the others delivered locally. So local subscribers never wait on, nor lose
 * events to, Redis.
 *
 * Redis loss is survived: both clients reconnect with capped, jittered backoff; the subscriber client
 * re-subscribes its channels (ioredis `autoResubscribe`); local subscribers stay connected throughout. While
 * Redis is away, messages for other replicas are dropped (counted in `publishFailures`), not queued: a
 * metric point replayed minutes late on a live chart would mislead more than a gap, which a client fills
 * from `history(afterStep)`.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { MemoryBus, type Bus, type BusListener, type BusStatus } from './bus';
import { decodeEnvelope, encodeEnvelope } from './codec';
import type { LiveMessage } from './events';
import type { LiveLogger } from './logger';

/** First reconnect delay, and the cap the doubling stops at (ms). */
export const RECONNECT_BASE_MS = 100;
export const RECONNECT_MAX_MS = 2000;

/** Delay before reconnect attempt `attempt` (1-based): doubling from the base, capped, with half-range jitter. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt - 1, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

type RedisState = 'ready' | 'connecting' | 'reconnecting' | 'closed';

function stateOf(status: string): RedisState {
  if (status === 'ready') return 'ready';
  if (status === 'end') return 'closed';
  if (status === 'reconnecting' || status === 'close') return 'reconnecting';
  return 'connecting';
}

export class RedisBus implements Bus {
  readonly #origin = randomUUID();
  readonly #local: MemoryBus;
  readonly #pub: Redis;
  readonly #sub: Redis;
  /** Local listeners per channel, so Redis is subscribed once per channel, and only while someone listens. */
  readonly #refs = new Map<string, number>();
  #publishFailures = 0;
  #lastReported: RedisState = 'connecting';

  constructor(url: string, private readonly logger: LiveLogger) {
    this.#local = new MemoryBus((err) => logger.error('live listener failed', { error: err }));
    const common: RedisOptions = { retryStrategy: (times) => reconnectDelay(times), connectionName: 'trackql-live' };
    // Publisher: fail fast while disconnected (see the file comment); we check its status before publishing anyway.
    this.#pub = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    // Subscriber: SUBSCRIBE commands wait for the connection, however long Redis is away.
    this.#sub = new Redis(url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true });
    for (const client of [this.#pub, this.#sub]) {
      // Without an 'error' listener, ioredis errors are unhandled and crash the process.
      client.on('error', () => this.#report());
      for (const event of ['ready', 'reconnecting', 'end', 'close']) client.on(event, () => this.#report());
    }
    this.#sub.on('message', (channel: string, raw: string) => this.#fromRedis(channel, raw));
  }

  publish(channel: string, message: LiveMessage): void {
    this.#local.publish(channel, message);
    if (this.#pub.status !== 'ready') {
      this.#publishFailures += 1;
      return;
    }
    this.#pub.publish(channel, encodeEnvelope({ origin: this.#origin, message })).catch((err: unknown) => {
      this.#publishFailures += 1;
      this.logger.warn('live event not published to Redis', { error: err instanceof Error ? err.message : String(err) });
    });
  }

  subscribe(channel: string, listener: BusListener): () => void {
    const off = this.#local.subscribe(channel, listener);
    const refs = (this.#refs.get(channel) ?? 0) + 1;
    this.#refs.set(channel, refs);
    if (refs === 1) this.#sub.subscribe(channel).catch((err: unknown) => this.#commandFailed('subscribe', err));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const left = (this.#refs.get(channel) ?? 1) - 1;
      if (left > 0) {
        this.#refs.set(channel, left);
        return;
      }
      this.#refs.delete(channel);
      this.#sub.unsubscribe(channel).catch((err: unknown) => this.#commandFailed('unsubscribe', err));
    };
  }

  status(): BusStatus {
    return { kind: 'redis', redis: this.#state(), publishFailures: this.#publishFailures };
  }

  async close(): Promise<void> {
    // disconnect(), not quit(): quit() waits for a reply that never comes while Redis is away.
    this.#pub.disconnect();
    this.#sub.disconnect();
    await this.#local.close();
  }

  #state(): RedisState {
    const states = [stateOf(this.#pub.status), stateOf(this.#sub.status)];
    if (states.includes('closed')) return 'closed';
    if (states.every((s) => s === 'ready')) return 'ready';
    return states.includes('reconnecting') ? 'reconnecting' : 'connecting';
  }

  /** Logs transitions only: a Redis outage retries every two seconds and must not flood the log. */
  #report(): void {
    const state = this.#state();
    if (state === this.#lastReported) return;
    const previous = this.#lastReported;
    this.#lastReported = state;
    if (state === 'ready') this.logger.info('live redis ready', { previous });
    else this.logger.warn('live redis unavailable: events reach this replica only until it is back', { state });
  }

  #fromRedis(channel: string, raw: string): void {
    let envelope;
    try {
      envelope = decodeEnvelope(raw);
    } catch (err) {
      this.logger.warn('live message from Redis ignored', { channel, reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (envelope.origin === this.#origin) return; // delivered locally when published
    this.#local.publish(channel, envelope.message);
  }

  #commandFailed(command: string, err: unknown): void {
    // Only when the client is closing: otherwise the command waits in the offline queue.
    this.logger.debug(`live redis ${command} failed`, { error: err instanceof Error ? err.message : String(err) });
  }
}
