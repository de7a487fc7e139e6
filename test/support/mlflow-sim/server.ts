/**
 * The HTTP front of the simulator. The order is fixed:
 *   record the call → route lookup → fault? → auth → body → handler → (delay) → answer
 * (or, for a lost-answer fault, the handler's work kept and the connection destroyed).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkAuthorization, type AuthOptions } from './auth';
import { AJAX_ROOT, API_ROOT, ARTIFACTS_PREFIX, Limits, Path } from './constants';
import { MlflowSimError, PlainHttpError, invalid, statusError } from './errors';
import { FaultPlan, type FaultAction } from './faults';
import { parseJson, readBody, writeBytes, writeJson, writeText } from './http';
import type { Route, SimRequest, SimResponse } from './route';
import { artifactRoutes } from './routes-artifacts';
import { experimentRoutes } from './routes-experiments';
import { loggingRoutes } from './routes-logging';
import { metricRoutes } from './routes-metrics';
import { modelRoutes } from './routes-models';
import { runRoutes } from './routes-runs';
import { versionRoutes } from './routes-versions';
import type { SimState } from './state';
import type { CallRecord } from './types';

export const ALL_ROUTES: readonly Route[] = [
  ...experimentRoutes, ...runRoutes, ...loggingRoutes, ...metricRoutes, ...modelRoutes, ...versionRoutes, ...artifactRoutes,
];

interface Target {
  name: string;
  subpath: string;
}

/** The route name a path maps to; the ajax mount serves the sampled bulk history only (§5.2). */
function targetOf(pathname: string): Target | null {
  if (pathname.startsWith(AJAX_ROOT)) {
    const rest = pathname.slice(AJAX_ROOT.length);
    return rest === Path.metricBulkInterval ? { name: rest, subpath: '' } : null;
  }
  if (!pathname.startsWith(API_ROOT)) return null;
  const rest = pathname.slice(API_ROOT.length);
  if (rest.startsWith(`${ARTIFACTS_PREFIX}/`)) {
    let subpath: string;
    try {
      subpath = decodeURIComponent(rest.slice(ARTIFACTS_PREFIX.length + 1));
    } catch {
      throw invalid(`Invalid artifact path encoding: '${rest}'`);
    }
    return { name: Path.artifactFile, subpath };
  }
  return { name: rest, subpath: '' };
}

export class SimServer {
  readonly http: Server;
  readonly faults = new FaultPlan();
  latencyMs = 0;
  auth: AuthOptions | undefined;
  readonly calls: CallRecord[] = [];
  #origin = '';
  readonly #routes = new Map<string, Route>();
  readonly #sockets = new Set<Socket>();
  readonly #state: SimState;
  readonly #artifactMaxBytes: number;

  constructor(state: SimState, auth: AuthOptions | undefined, artifactMaxBytes: number) {
    this.#state = state;
    this.#artifactMaxBytes = artifactMaxBytes;
    this.auth = auth;
    for (const r of ALL_ROUTES) this.#routes.set(`${r.method} ${r.name}`, r);
    this.http = createServer((req, res) => void this.#serve(req, res));
    this.http.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, '127.0.0.1', () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const address = this.http.address();
    if (address === null || typeof address === 'string') throw new Error('mlflow-sim: no TCP address');
    this.#origin = `http://127.0.0.1:${address.port}`;
    return this.#origin;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sim');
    const header = req.headers.authorization;
    const call: CallRecord = {
      method, path: url.pathname, route: `${method} ${url.pathname}`, query: url.search.replace(/^\?/, ''),
      bodyBytes: 0, authorization: header ?? null, status: null,
    };
    this.calls.push(call);
    try {
      const target = targetOf(url.pathname);
      const route = target === null ? undefined : this.#routes.get(`${method} ${target.name}`);
      if (target === null || route === undefined) {
        const known = target !== null && ALL_ROUTES.some((r) => r.name === target.name);
        throw known ? new PlainHttpError(405, 'Method Not Allowed') : new PlainHttpError(404, 'Not Found');
      }
      call.route = `${method} ${route.name}`;
      const fault = this.faults.take(call.route);
      const bytes = await readBody(req, route.body === 'bytes' ? this.#artifactMaxBytes : Limits.JSON_BODY_MAX_BYTES);
      call.bodyBytes = bytes.length;
      if (fault?.kind === 'hang') return; // the socket is destroyed by stop()
      if (fault?.kind === 'status') return await this.#answerFault(res, call, fault);
      checkAuthorization(this.auth, header);
      const request: SimRequest = {
        state: this.#state,
        query: url.searchParams,
        json: route.body === 'json' ? parseJson(bytes, req.headers['content-type']) : undefined,
        bytes,
        bodyBytes: bytes.length,
        subpath: target.subpath,
        headers: req.headers,
        partialBatch: fault?.kind === 'partialBatch' ? { apply: fault.apply, failWith: fault.status ?? 500 } : undefined,
      };
      const response = route.handle(request);
      if (fault?.kind === 'lost') {
        req.socket.destroy(); // the work is done and kept; the client sees a reset
        return;
      }
      await sleep(this.latencyMs + (fault?.kind === 'delay' ? fault.ms : 0));
      this.#answer(res, call, response);
    } catch (err) {
      await sleep(this.latencyMs);
      if (res.destroyed || res.headersSent) return;
      if (!req.readableEnded) req.resume(); // a refused body is not read further
      if (err instanceof PlainHttpError) {
        call.status = err.status;
        writeText(res, err.status, err.message, { ...err.headers, ...(err.status === 413 ? { Connection: 'close' } : {}) });
        return;
      }
      const error = err instanceof MlflowSimError ? err : new MlflowSimError('INTERNAL_ERROR', `simulator error: ${(err as Error).message}`);
      call.status = error.status;
      writeJson(res, error.status, error.toBody());
    }
  }

  #answer(res: ServerResponse, call: CallRecord, response: SimResponse): void {
    if (res.destroyed) return;
    if (response.kind === 'json') {
      call.status = response.status ?? 200;
      writeJson(res, call.status, response.body);
      return;
    }
    call.status = response.status;
    writeBytes(res, response.status, response.body, response.headers);
  }

  async #answerFault(res: ServerResponse, call: CallRecord, fault: Extract<FaultAction, { kind: 'status' }>): Promise<void> {
    await sleep(this.latencyMs);
    if (res.destroyed) return;
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
    call.status = fault.status;
    if (fault.status === 429 || fault.status === 500 || fault.status === 503) {
      writeJson(res, fault.status, statusError(fault.status, `Simulated ${fault.status} on ${call.route}`).toBody(), headers);
    } else {
      writeText(res, fault.status, `Simulated ${fault.status} from a proxy in front of the server`, headers);
    }
  }
}
