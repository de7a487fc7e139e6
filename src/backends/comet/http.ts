/**
 * HTTP to Comet through undici: one keep-alive Pool per origin, a deadline on every call, gzip, retries with
 * backoff that honour `Retry-After`, in-flight de-duplication of identical GETs, at most N calls in flight per
 * key, and the per-key hourly budget. Every answer is either parsed JSON (`unknown`, decoded by the caller)
 * or one of our coded errors; nothing here ever hangs past the deadline.
 */
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { Pool } from 'undici';
import { RateLimitedError, isTrackqlError, type TrackqlError } from '../../errors';
import { LruMap } from '../../lru';
import { RateBudget } from './budget';
import { ShapeError } from './json';
import { KeyedLimiter } from './limiter';
import type { CometObserver } from './observer';
import { guardedLookup } from './origin-policy';
import { CLIENTLIB_MOUNT, REFUSED_STATUSES, REST_MOUNT, RETRYABLE_STATUSES, type Plane, type RouteName } from './protocol';
import { MPM_API_MOUNT, MPM_MOUNT, type MpmRouteName } from './mpm-protocol';
import type { CometSession } from './routing';
import { errorForStatus, neverSent, parseEnvelope, retryAfterSeconds, timedOut, unreachable } from './upstream-errors';

const gunzipAsync = promisify(gunzip);

const AMBIGUOUS = new WeakSet<object>();

/**
 * True when a non-idempotent call failed in a way that does not say whether Comet did the work (a timeout
 * or a reset after the request was sent, a 5xx that is not a refusal). Sending it again could store it twice.
 */
export function isAmbiguous(error: unknown): boolean {
  return typeof error === 'object' && error !== null && AMBIGUOUS.has(error);
}

export type Query = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface CallSpec {
  method: 'GET' | 'POST' | 'PUT';
  route: RouteName | MpmRouteName;
  plane?: Plane;
  query?: Query;
  json?: unknown;
  /** Safe to send again when the outcome of an attempt is unknown (reads, overwrites). */
  idempotent: boolean;
}

export interface HttpOptions {
  /** Deadline of one call, retries and waits included, in ms. */
  timeoutMs: number;
  /** Calls in flight per key. */
  concurrency: number;
  budget: RateBudget;
  /** Attempts after the first (§8 recommends about 3). */
  maxRetries?: number;
  /** First backoff step in ms; doubles per attempt, with jitter. */
  backoffMs?: number;
  /** Told of every attempt (metrics) and asked for extra headers (trace context). */
  observer?: CometObserver;
  /** Origins with a pool at once (default `MAX_POOLS`); the least recently used pool is closed past it. */
  maxPools?: number;
}

/** Pools kept open at once: the configured server, the cloud, and the allowed origins enhanced keys name. */
export const MAX_POOLS = 32;

interface Mode {
  /** Retry failed attempts (false for bodies that cannot be replayed). */
  retry: boolean;
  /** The answer is handed over as a stream: only the headers must arrive before the deadline. */
  streaming: boolean;
  stream?: { body: Readable; contentType: string };
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export class CometHttp {
  readonly #options: Required<Omit<HttpOptions, 'observer' | 'maxPools'>>;
  readonly #observer: CometObserver;
  /** Evicted pools close gracefully: calls they carry finish, idle sockets go. */
  readonly #pools: LruMap<string, Pool>;
  readonly #limiter: KeyedLimiter;
  readonly #inflight = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: HttpOptions) {
    const { observer = {}, maxPools = MAX_POOLS, ...rest } = options;
    this.#options = { maxRetries: 3, backoffMs: 100, ...rest };
    this.#observer = observer;
    this.#pools = new LruMap(maxPools, { onEvict: (pool) => void pool.close().catch(() => pool.destroy()) });
    this.#limiter = new KeyedLimiter(options.concurrency);
  }

  get budget(): RateBudget {
    return this.#options.budget;
  }

  /** A JSON call. Identical GETs of one key in flight at once share one upstream request. */
  json(session: CometSession, spec: CallSpec): Promise<unknown> {
    if (spec.method !== 'GET') return this.#jsonCall(session, spec);
    const dedupeKey = `${session.ns} ${this.#path(session, spec)}`;
    const pending = this.#inflight.get(dedupeKey);
    if (pending) return pending;
    const call = this.#jsonCall(session, spec).finally(() => this.#inflight.delete(dedupeKey));
    this.#inflight.set(dedupeKey, call);
    return call;
  }

  /** A streamed GET (asset bytes): retried until the headers arrive, then handed over as a stream. */
  download(session: CometSession, spec: Omit<CallSpec, 'method' | 'json'>): Promise<Readable> {
    return this.#withRetries(session, { ...spec, method: 'GET' }, { retry: true, streaming: true }, async (answer) => decodedBody(answer));
  }

  /** A streamed POST (multipart upload): sent once; the body cannot be replayed. */
  upload(session: CometSession, spec: Omit<CallSpec, 'method' | 'json' | 'idempotent'>, body: Readable, contentType: string): Promise<unknown> {
    const call = { ...spec, method: 'POST' as const, idempotent: false };
    return this.#withRetries(session, call, { retry: false, streaming: true, stream: { body, contentType } }, (answer) => readJson(answer, spec.route));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pools.values()].map((pool) => pool.close().catch(() => pool.destroy())));
    this.#pools.clear();
  }

  #jsonCall(session: CometSession, spec: CallSpec): Promise<unknown> {
    return this.#withRetries(session, spec, { retry: true, streaming: false }, (answer) => readJson(answer, spec.route));
  }

  /**
   * Sends until a 2xx answer, a final error, or the deadline. `retry` false sends once (streamed bodies).
   * Retried: 429 and 503 always (Comet refused before doing anything), other 5xx and network failures only
   * for idempotent calls or when the request never left.
   */
  async #withRetries<T>(session: CometSession, spec: CallSpec, mode: Mode, consume: (answer: RawAnswer) => Promise<T>): Promise<T> {
    const { timeoutMs, maxRetries, backoffMs, budget } = this.#options;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const wait = budget.take(session.ns);
      if (wait > 0) throw new RateLimitedError(`The hourly Comet call budget of this API key is used up; retry in ${wait} s`, wait);
      let failure: TrackqlError;
      let delayMs = backoffMs * 2 ** attempt * (0.5 + Math.random());
      let cause: unknown = null;
      try {
        const answer = await this.#once(session, spec, deadline, mode);
        // The body is read inside the attempt, so a body cut short is retried like any other failure.
        if (answer.status >= 200 && answer.status < 300) {
          this.#observer.keyAccepted?.(session.keyId);
          return await consume(answer);
        }
        const body = await collect(answer).catch(() => Buffer.alloc(0));
        const after = retryAfterSeconds(answer.headers['retry-after']);
        const envelope = parseEnvelope(body);
        // Never echo the key, even if an upstream message quotes it.
        if (envelope.msg) envelope.msg = envelope.msg.split(session.apiKey).join('[api key]');
        failure = errorForStatus(answer.status, envelope, spec.route, after);
        const canRetry = RETRYABLE_STATUSES.has(answer.status) && (spec.idempotent || REFUSED_STATUSES.has(answer.status));
        // A 5xx other than a refusal may come after Comet did the work: the caller must not blindly resend.
        if (!spec.idempotent && answer.status >= 500 && !REFUSED_STATUSES.has(answer.status)) AMBIGUOUS.add(failure);
        if (!canRetry) throw failure;
        if (after !== null) delayMs = after * 1000;
      } catch (error) {
        if (isTrackqlError(error)) throw error;
        cause = error;
        failure = Date.now() >= deadline ? timedOut(spec.route, timeoutMs) : unreachable(spec.route, error);
        if (!spec.idempotent && !neverSent(error)) {
          // Timed out or cut after the request left: Comet may have stored it.
          AMBIGUOUS.add(failure);
          throw failure;
        }
      }
      if (!mode.retry || attempt >= maxRetries || this.#closed) throw failure;
      // Never sleep past the deadline: give up now with the error we have.
      if (Date.now() + delayMs >= deadline) throw cause !== null && Date.now() >= deadline ? timedOut(spec.route, timeoutMs) : failure;
      await sleep(delayMs);
    }
  }

  /** Reports one attempt to the observer: its status when headers came, else why none came. */
  async #observed<T extends { statusCode: number }>(spec: CallSpec, deadline: number, send: () => Promise<T>): Promise<T> {
    const report = this.#observer.upstreamCall;
    if (!report) return send();
    const started = performance.now();
    const done = (outcome: number | 'timeout' | 'network_error') =>
      report({ route: spec.route, method: spec.method, outcome, seconds: (performance.now() - started) / 1000 });
    try {
      const answer = await send();
      done(answer.statusCode);
      return answer;
    } catch (error) {
      done(Date.now() >= deadline ? 'timeout' : 'network_error');
      throw error;
    }
  }

  async #once(session: CometSession, spec: CallSpec, deadline: number, mode: Mode): Promise<RawAnswer> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw Object.assign(new Error('deadline passed'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    // A streamed body may legitimately take longer than the deadline: only its headers are bounded by it.
    const signal = mode.streaming ? undefined : AbortSignal.timeout(remaining);
    const stream = mode.stream;
    const headers: Record<string, string> = {
      ...this.#observer.upstreamHeaders?.(),
      // Raw key, no `Bearer` (§2 "Header").
      authorization: session.apiKey,
      accept: 'application/json',
      'accept-encoding': 'gzip',
    };
    let body: string | Readable | undefined;
    if (stream) {
      headers['content-type'] = stream.contentType;
      body = stream.body;
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json;charset=utf-8';
      body = JSON.stringify(spec.json);
    }
    return this.#limiter.for(session.ns).run(async () => {
      // Timed inside the limiter: the latency of Comet, not of our own queue.
      const response = await this.#observed(spec, deadline, () => this.#pool(session).request({
        method: spec.method,
        path: this.#path(session, spec),
        headers,
        body,
        signal,
        headersTimeout: remaining,
        // Streams get the full timeout between chunks; JSON bodies must arrive before the deadline.
        bodyTimeout: mode.streaming ? this.#options.timeoutMs : remaining,
      }));
      return { status: response.statusCode, headers: response.headers, body: response.body };
    }, signal);
  }

  #path(session: CometSession, spec: CallSpec): string {
    const mount = { rest: REST_MOUNT, clientlib: CLIENTLIB_MOUNT, mpm: MPM_MOUNT, mpmApi: MPM_API_MOUNT }[spec.plane ?? 'rest'];
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== null && value !== undefined) params.set(name, String(value));
    }
    const search = params.toString();
    return `${session.prefix}${mount}${spec.route}${search ? `?${search}` : ''}`;
  }

  /** One pool per origin; a caller-chosen origin's pool resolves through the address check (origin-policy.ts). */
  #pool(session: CometSession): Pool {
    const { origin, checkAddress } = session;
    const id = checkAddress ? `${origin} checked` : origin;
    let pool = this.#pools.get(id);
    if (pool === undefined) {
      pool = new Pool(origin, {
        // Enough sockets for one key's full fan-out; more keys share them (undici queues the rest).
        connections: Math.min(512, Math.max(16, this.#options.concurrency * 2)),
        keepAliveTimeout: 30_000,
        headersTimeout: this.#options.timeoutMs,
        bodyTimeout: this.#options.timeoutMs,
        connect: { timeout: Math.min(this.#options.timeoutMs, 10_000), ...(checkAddress && { lookup: guardedLookup(origin) }) },
      });
      this.#pools.set(id, pool);
    }
    return pool;
  }
}

/** The body, gunzipped when Comet sent `Content-Encoding: gzip` (a stream for assets). */
export function decodedBody(answer: RawAnswer): Readable {
  const encoding = String(answer.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== 'gzip') return answer.body;
  const gunzipStream = createGunzip();
  answer.body.on('error', (err) => gunzipStream.destroy(err));
  return answer.body.pipe(gunzipStream);
}

async function collect(answer: RawAnswer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = String(answer.headers['content-encoding'] ?? '').trim().toLowerCase();
  return encoding === 'gzip' ? gunzipAsync(raw) : raw;
}

/**
 * JSON regardless of Content-Type: Comet may answer JSON as `application/octet-stream` (§1), so the
 * endpoint decides, not the header.
 */
async function readJson(answer: RawAnswer, route: string): Promise<unknown> {
  const raw = await collect(answer);
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new ShapeError(route, 'the body is not JSON');
  }
}
