/**
 * HTTP to MLflow through undici: one keep-alive pool, a deadline on every call, and MLflow's retry rules
 * (§8: 408, 429, 500, 502, 503, 504 with exponential backoff, honouring `Retry-After`). A write that is not
 * safe to send twice is retried only after a refusal (429, 503) or when it never left; any other failure of
 * it is marked ambiguous, for the caller to reconcile (a log-batch may have been partly applied, §4.3).
 */
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { isTrackqlError, type TrackqlError } from '../../errors';
import type { CometObserver } from '../comet/observer';
import type { Credentials } from './credentials';
import { API_ROOT, ARTIFACTS_ROUTE, REFUSED_STATUSES, RETRYABLE_STATUSES } from './protocol';
import { errorForStatus, neverSent, parseEnvelope, retryAfterSeconds, timedOut, unreachable } from './upstream-errors';

const AMBIGUOUS = new WeakSet<object>();

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** True when a write failed without saying whether MLflow applied it (a reset, a timeout, a 500 or a proxy's 5xx). */
export function isAmbiguous(error: unknown): boolean {
  return typeof error === 'object' && error !== null && AMBIGUOUS.has(error);
}

export type Query = Readonly<Record<string, string | number | readonly string[] | null | undefined>>;

export interface CallSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  route: string;
  query?: Query;
  json?: unknown;
  /** Safe to send again when the outcome of an attempt is unknown (reads, overwrites). */
  idempotent: boolean;
}

export interface MlflowHttpOptions {
  /** The tracking server's root (scheme, host, optional path prefix). */
  baseUrl: string;
  /** Deadline of one call, retries and waits included, ms. */
  timeoutMs: number;
  /** Attempts after the first. MLflow's client makes up to 7 (§8). */
  maxRetries: number;
  /** First backoff step, ms; doubles per attempt, with jitter. */
  backoffMs: number;
  connections?: number;
  /** Metrics and trace hooks (the Comet backend's, comet/observer.ts): upstream calls and trace headers. */
  observer?: Pick<CometObserver, 'upstreamCall' | 'upstreamHeaders'>;
}

/** Every upstream call made, for tests and metrics: `METHOD route`. */
export type CallListener = (method: string, route: string) => void;

export class MlflowHttp {
  readonly #options: MlflowHttpOptions;
  readonly #pool: Pool;
  readonly #prefix: string;
  #closed = false;

  constructor(options: MlflowHttpOptions) {
    this.#options = options;
    const url = new URL(options.baseUrl);
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: Math.min(options.timeoutMs, 10_000) },
    });
  }

  /** The server's root, as configured (links to its UI). */
  get baseUrl(): string {
    return this.#options.baseUrl.replace(/\/+$/, '');
  }

  /** A JSON call: the parsed answer (`{}` for an empty one), or a coded error. */
  async json(credentials: Credentials, spec: CallSpec): Promise<unknown> {
    return this.#withRetries(spec.route, spec.idempotent, async (deadline) => {
      const answer = await this.#once(credentials, spec, deadline);
      const ok = answer.status >= 200 && answer.status < 300;
      return { status: answer.status, retryAfter: answer.retryAfter, text: ok ? '' : answer.text, value: ok ? (answer.text === '' ? {} : (JSON.parse(answer.text) as unknown)) : null };
    });
  }

  /**
   * A GET of artifact bytes through the proxy (§7), `path` below `mlflow-artifacts/artifacts/`: retried like
   * any read until headers arrive, then handed over as a stream (only the headers are bound by the deadline).
   * Answers 200, 206 or 416 as they come; anything else is a coded error.
   */
  async download(credentials: Credentials, path: string, range: string | null): Promise<{ status: number; body: Readable; headers: Record<string, string | string[] | undefined> }> {
    return this.#withRetries(`${ARTIFACTS_ROUTE}/*`, true, async (deadline) => {
      const headers: Record<string, string> = {};
      if (credentials.authorization) headers.authorization = credentials.authorization;
      if (range) headers.range = range;
      const response = await this.#observed(`${ARTIFACTS_ROUTE}/*`, 'GET', deadline, () => this.#pool.request({
        method: 'GET', path: this.#artifactPath(path), headers, headersTimeout: Math.max(1, deadline - Date.now()), bodyTimeout: this.#options.timeoutMs,
      }));
      const { statusCode: status } = response;
      const retryAfter = response.headers['retry-after'];
      if (status === 200 || status === 206 || status === 416) return { status: 200, retryAfter, text: '', value: { status, body: response.body, headers: response.headers } };
      return { status, retryAfter, text: await response.body.text(), value: null };
    });
  }

  /**
   * Sends until a 2xx answer (`attempt` reports any handled status as 200), a final error, or the deadline.
   * Retried: 429 and 503 always (MLflow refused before doing anything); 408 and other 5xx and network
   * failures only for idempotent calls or when the request never left. Otherwise the failure is ambiguous.
   */
  async #withRetries<T>(route: string, idempotent: boolean, attempt: (deadline: number) => Promise<{ status: number; retryAfter: string | string[] | undefined; text: string; value: T | null }>): Promise<T> {
    const { timeoutMs, maxRetries, backoffMs } = this.#options;
    const deadline = Date.now() + timeoutMs;
    for (let n = 0; ; n++) {
      let failure: TrackqlError;
      let delayMs = backoffMs * 2 ** n * (0.5 + Math.random());
      try {
        const answer = await attempt(deadline);
        if (answer.status >= 200 && answer.status < 300) return answer.value as T;
        const after = retryAfterSeconds(answer.retryAfter);
        failure = errorForStatus(answer.status, parseEnvelope(answer.text), route, after);
        const refused = REFUSED_STATUSES.has(answer.status);
        if (!idempotent && answer.status >= 500 && !refused) AMBIGUOUS.add(failure);
        if (!RETRYABLE_STATUSES.has(answer.status) || !(idempotent || refused)) throw failure;
        if (after !== null) delayMs = after * 1000;
      } catch (error) {
        if (isTrackqlError(error)) throw error;
        failure = Date.now() >= deadline ? timedOut(route, timeoutMs) : unreachable(route, error);
        if (!idempotent && !neverSent(error)) {
          AMBIGUOUS.add(failure);
          throw failure;
        }
      }
      if (n >= maxRetries || this.#closed || Date.now() + delayMs >= deadline) throw failure;
      await sleep(delayMs);
    }
  }

  /** A PUT of artifact bytes, streamed; sent once (a stream cannot be replayed). */
  async upload(credentials: Credentials, path: string, body: Readable): Promise<void> {
    const route = `${ARTIFACTS_ROUTE}/*`;
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (credentials.authorization) headers.authorization = credentials.authorization;
    let response;
    try {
      response = await this.#observed(route, 'PUT', Infinity, () => this.#pool.request({ method: 'PUT', path: this.#artifactPath(path), headers, body, bodyTimeout: this.#options.timeoutMs }));
    } catch (error) {
      if (isTrackqlError(error)) throw error;
      throw unreachable(route, error);
    }
    const text = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) return;
    throw errorForStatus(response.statusCode, parseEnvelope(text), route, retryAfterSeconds(response.headers['retry-after']));
  }

  /** Deletes a file (or a directory with what is below it) through the proxy; a missing path is no error. */
  async deleteArtifact(credentials: Credentials, path: string): Promise<void> {
    await this.json(credentials, { method: 'DELETE', route: `${ARTIFACTS_ROUTE}/${encodePath(path)}`, idempotent: true });
  }

  #artifactPath(path: string): string {
    return `${this.#prefix}${API_ROOT}${ARTIFACTS_ROUTE}/${encodePath(path)}`;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool.close().catch(() => this.#pool.destroy());
  }

  async #once(credentials: Credentials, spec: CallSpec, deadline: number): Promise<{ status: number; text: string; retryAfter: string | string[] | undefined }> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw Object.assign(new Error('deadline passed'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    const headers: Record<string, string> = { ...this.#options.observer?.upstreamHeaders?.(), accept: 'application/json' };
    if (credentials.authorization) headers.authorization = credentials.authorization;
    let body: string | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const response = await this.#observed(spec.route, spec.method, deadline, () => this.#pool.request({
      method: spec.method,
      path: this.#path(spec),
      headers,
      body,
      signal: AbortSignal.timeout(remaining),
      headersTimeout: remaining,
      bodyTimeout: remaining,
    }));
    const text = await response.body.text();
    return { status: response.statusCode, text, retryAfter: response.headers['retry-after'] };
  }

  /** Reports one attempt to the observer: its status when headers came, else why none came. */
  async #observed<T extends { statusCode: number }>(route: string, method: CallSpec['method'] | 'PUT', deadline: number, send: () => Promise<T>): Promise<T> {
    const report = this.#options.observer?.upstreamCall;
    if (!report) return send();
    const started = performance.now();
    const done = (outcome: number | 'timeout' | 'network_error') => report({ route, method, outcome, seconds: (performance.now() - started) / 1000 });
    try {
      const answer = await send();
      done(answer.statusCode);
      return answer;
    } catch (error) {
      done(Date.now() >= deadline ? 'timeout' : 'network_error');
      throw error;
    }
  }

  #path(spec: CallSpec): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value === null || value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
    }
    const search = params.toString();
    return `${this.#prefix}${API_ROOT}${spec.route}${search ? `?${search}` : ''}`;
  }
}
