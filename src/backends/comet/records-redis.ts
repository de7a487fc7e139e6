/**
 * Idempotency records shared by every replica, in Redis (`TRACKQL_REDIS_URL`): a retry that lands on another
 * replica finds the first call's record and answers its result, or waits while that call still runs.
 *
 * - One hash per (API key id, idempotency key), expiring with the record's lifetime. The idempotency key is
 *   hashed into the Redis key (it is the client's text).
 * - Calls with one key are serialized across replicas by a lock (`SET NX PX` with a random token, released
 *   only by its holder). Its lease outlives any one write (Comet calls have deadlines); a replica that dies
 *   holding it frees it when the lease ends, and its record, `pending` or `ambiguous`, is reconciled then.
 * - A logging write's record must commit with its outbox entry (idempotency.ts), and the outbox is a file of
 *   this replica: the record is written there in the transaction, then copied to Redis at once. A retry on
 *   this replica finds either copy; one on another replica finds the Redis copy, unless this replica died in
 *   the instant between the two writes.
 * - Redis away: calls with an idempotency key fail with UPSTREAM_UNAVAILABLE rather than risk a write twice;
 *   calls without one are not affected.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { RateLimitedError, UpstreamUnavailableError } from '../../errors';
import { IDEMPOTENCY_TTL_MS, type IdempotencyClaim } from '../port';
import { KeyedMutex, scopeOf } from '../shared/idempotency';
import type { WriteState } from './idempotency';
import type { RecordChange, RecordStore, SqliteRecords, StoredRecord } from './records';

const KEY_PREFIX = 'trackql:idempotency:';
/** How long a lock holds without its holder, ms: longer than any one write (create: its call, queue and read). */
const LOCK_LEASE_MS = 60_000;
/** Longest wait for another replica's call with the same key, ms; then the caller is told to retry. */
const LOCK_WAIT_MS = 30_000;
/** How often a call waiting for another replica's lock looks again, ms. */
const LOCK_POLL_MS = 25;
/** Longest wait for Redis to answer one command, ms. */
const COMMAND_TIMEOUT_MS = 2_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

function unreachable(error: unknown): UpstreamUnavailableError {
  return new UpstreamUnavailableError(
    `The shared idempotency store (Redis, TRACKQL_REDIS_URL) did not answer: retry later (${(error as Error).message})`,
  );
}

export class RedisRecords implements RecordStore {
  readonly #redis: Redis;
  readonly #local: SqliteRecords;
  readonly #mutex = new KeyedMutex();
  readonly #now: () => number;

  constructor(url: string, local: SqliteRecords, now: () => number = Date.now) {
    this.#local = local;
    this.#now = now;
    this.#redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(2000, 100 * 2 ** Math.min(attempt, 5)),
    });
    this.#redis.on('error', () => undefined); // each failed command reports itself
  }

  async exclusive<T>(keyId: string, claim: IdempotencyClaim, work: () => Promise<T>): Promise<T> {
    // One waiter per key in this process; across processes, the Redis lock.
    return this.#mutex.run(scopeOf(keyId, claim), async () => {
      const lock = `${this.#key(keyId, claim)}:lock`;
      const token = randomUUID();
      const deadline = Date.now() + LOCK_WAIT_MS;
      while ((await this.#run(() => this.#redis.set(lock, token, 'PX', LOCK_LEASE_MS, 'NX'))) !== 'OK') {
        if (Date.now() > deadline) {
          throw new RateLimitedError(`A call with idempotencyKey '${claim.key.slice(0, 64)}' is still running on another replica: retry shortly`, 1);
        }
        await sleep(LOCK_POLL_MS);
      }
      try {
        return await work();
      } finally {
        await this.#redis.eval(RELEASE, 1, lock, token).catch(() => undefined); // else the lease ends it
      }
    });
  }

  async get(keyId: string, claim: IdempotencyClaim): Promise<StoredRecord | null> {
    const fields = await this.#run(() => this.#redis.hgetall(this.#key(keyId, claim)));
    if (fields.state) {
      return {
        operation: fields.operation, payloadHash: fields.payloadHash, state: fields.state as WriteState, resultJson: fields.resultJson,
        progressJson: fields.progressJson ?? 'null', reason: fields.reason || null, createdAt: Number(fields.createdAt),
      };
    }
    // Written in this replica's outbox transaction and not yet copied (a crash in between).
    const local = this.#local.getNow(keyId, claim);
    if (local) await this.#write(keyId, claim, local);
    return local;
  }

  async put(keyId: string, claim: IdempotencyClaim, record: Pick<StoredRecord, 'state' | 'resultJson' | 'progressJson'>): Promise<void> {
    await this.#write(keyId, claim, { ...record, operation: claim.operation, payloadHash: claim.payloadHash, reason: null, createdAt: this.#now() });
  }

  async update(keyId: string, claim: IdempotencyClaim, change: RecordChange): Promise<StoredRecord> {
    const fields = Object.entries(change).filter(([, value]) => value !== undefined).map(([name, value]) => [name, String(value)]);
    if (fields.length > 0) await this.#run(() => this.#redis.hset(this.#key(keyId, claim), Object.fromEntries(fields)));
    const now = await this.get(keyId, claim);
    if (!now) throw new Error('comet idempotency: the record to update is gone');
    return now;
  }

  async delete(keyId: string, claim: IdempotencyClaim): Promise<void> {
    await this.#local.delete(keyId, claim);
    await this.#run(() => this.#redis.del(this.#key(keyId, claim)));
  }

  putInOutbox(keyId: string, claim: IdempotencyClaim, resultJson: string): void {
    this.#local.putInOutbox(keyId, claim, resultJson);
  }

  async afterOutbox(keyId: string, claim: IdempotencyClaim): Promise<void> {
    const local = this.#local.getNow(keyId, claim);
    if (local) await this.#write(keyId, claim, local);
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  async #write(keyId: string, claim: IdempotencyClaim, record: StoredRecord): Promise<void> {
    const key = this.#key(keyId, claim);
    const ttl = Math.max(1, record.createdAt + IDEMPOTENCY_TTL_MS - this.#now());
    await this.#run(() => this.#redis.multi()
      .hset(key, {
        operation: record.operation, payloadHash: record.payloadHash, state: record.state, resultJson: record.resultJson,
        progressJson: record.progressJson, reason: record.reason ?? '', createdAt: String(record.createdAt),
      })
      .pexpire(key, ttl)
      .exec());
  }

  #ready(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#redis.off('ready', onReady);
        reject(new Error(`not connected within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#redis.once('ready', onReady);
    });
  }

  #key(keyId: string, claim: IdempotencyClaim): string {
    return `${KEY_PREFIX}${keyId}:${createHash('sha256').update(claim.key).digest('hex').slice(0, 40)}`;
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      // Commands are not queued while disconnected (a call must not wait on a Redis that is down), so a call
      // made while connecting, at start or after a blip, waits briefly for the connection instead.
      if (this.#redis.status !== 'ready') await this.#ready();
      return await command();
    } catch (error) {
      throw unreachable(error);
    }
  }
}
