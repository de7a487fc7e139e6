/**
 * The HTTP front of the simulator: route lookup, per-route counting, outage mode, fault injection, latency,
 * auth, body parsing, then the route's handler. The order is fixed:
 *   count → fault? → auth → body → handler → (latency) → answer (or, for a lost-answer fault, a reset).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { assetRoutes } from './routes-assets';
import { clientlibRoutes } from './clientlib';
import { detailRoutes } from './routes-details';
import { lifecycleRoutes } from './routes-lifecycle';
import { CLIENTLIB_ROOT, Limits, REST_ROOT, SdkErrorCode } from './constants';
import { CometSimError } from './errors';
import { FaultInjector } from './faults';
import { bodyChunks, drain, readJson, writeBytes, writeJson } from './http';
import { MultipartParser, boundaryOf, type MultipartForm } from './multipart';
import { queryRoutes } from './query';
import type { Route, SimResponse } from './route';
import { metricRoutes } from './routes-metrics';
import { mpmRoutes } from './routes-mpm';
import { readRoutes } from './routes-read';
import { registryRoutes } from './routes-registry';
import { writeRoutes } from './routes-write';
import type { SimState } from './state';
import type { KeyRecord } from './types';
import { WaveGate } from './waves';

export const ALL_ROUTES: readonly Route[] = [
  ...readRoutes, ...metricRoutes, ...queryRoutes, ...writeRoutes, ...assetRoutes, ...registryRoutes, ...clientlibRoutes, ...detailRoutes, ...lifecycleRoutes,
  ...readRoutes, ...metricRoutes, ...queryRoutes, ...writeRoutes, ...assetRoutes, ...registryRoutes, ...clientlibRoutes, ...mpmRoutes,
];

/** What a simulated fault says, by status (the rest say "Service unavailable"). */
const FAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid request (simulated fault)',
  402: 'Payment required: the plan\'s limit is reached (simulated fault)',
  403: 'Forbidden (simulated fault)',
  413: 'Request entity too large (simulated fault)',
  429: 'Too Many Requests',
};

/** `experiment/tags` for REST paths, `clientlib/batch/...` for the clientlib plane, else the raw path. */
function routeNameOf(pathname: string): string {
  if (pathname.startsWith(REST_ROOT)) return pathname.slice(REST_ROOT.length);
  if (pathname.startsWith(CLIENTLIB_ROOT)) return pathname.slice(1);
  // MPM's two mounts (shared/comet-mpm.md C.1, C.4) keep their prefix, like clientlib routes.
  if (pathname.startsWith('/mpm/') || pathname.startsWith('/api/mpm/')) return pathname.slice(1);
  return pathname;
}

export class SimServer {
  readonly http: Server;
  readonly faults = new FaultInjector();
  /** Holds answers a wave at a time while a test counts dependent round trips (waves.ts). */
  readonly waves = new WaveGate();
  latencyMs = 0;
  #down = false;
  #origin = '';
  #total = 0;
  #counts = new Map<string, number>();
  readonly #routes = new Map<string, Route>();
  readonly #sockets = new Set<Socket>();
  readonly #hung = new Set<ServerResponse>();
  readonly #state: SimState;

  constructor(state: SimState) {
    this.#state = state;
    for (const r of ALL_ROUTES) this.#routes.set(`${r.method} ${r.name}`, r);
    this.http = createServer((req, res) => void this.#serve(req, res));
    this.http.on('connection', (socket: Socket) => {
      if (this.#down) {
        socket.destroy();
        return;
      }
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
    if (address === null || typeof address === 'string') throw new Error('comet-sim: no TCP address');
    this.#origin = `http://127.0.0.1:${address.port}`;
    return this.#origin;
  }

  async close(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    this.#hung.clear();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /**
   * Outage: every open connection is destroyed and new ones are dropped as they connect (the client sees a
   * reset or "socket hang up"). Stored state is kept.
   */
  setDown(down: boolean): void {
    this.#down = down;
    if (down) {
      for (const res of this.#hung) res.destroy();
      this.#hung.clear();
      for (const socket of this.#sockets) socket.destroy();
    }
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
  total(): number {
    return this.#total;
  }
  resetCounts(): void {
    this.#counts.clear();
    this.#total = 0;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#down) {
      req.socket.destroy();
      return;
    }
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sim');
    const name = routeNameOf(url.pathname);
    const routeKey = `${method} ${name}`;
    this.#total += 1;
    this.#counts.set(routeKey, (this.#counts.get(routeKey) ?? 0) + 1);
    this.waves.arrive();
    try {
      const fault = this.faults.decide(routeKey);
      if (fault?.kind === 'hang') {
        this.#hung.add(res);
        res.once('close', () => this.#hung.delete(res));
        req.resume();
        return;
      }
      if (fault?.kind === 'status') {
        await drain(req);
        const headers: Record<string, string> = fault.retryAfterSeconds === null ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
        const msg = FAULT_MESSAGES[fault.status] ?? 'Service unavailable (simulated fault)';
        return await this.#answerJson(req, res, fault.status, { code: fault.status, msg, sdk_error_code: SdkErrorCode.UNSPECIFIED }, headers);
      }
      const route = this.#routes.get(routeKey);
      if (route === undefined) {
        const other = [...this.#routes.values()].some((r) => r.name === name);
        throw new CometSimError(other ? 405 : 404, other ? `method ${method} not allowed on ${name}` : `no such endpoint ${url.pathname}`);
      }
      const key = this.#authenticate(req);
      const { json, form } = await this.#readBody(route, req);
      const response = route.handle({ key, state: this.#state, query: url.searchParams, json, form, origin: this.#origin });
      if (fault?.kind === 'lost') {
        // The work is done and kept; the client sees a reset and cannot tell.
        req.socket.destroy();
        return;
      }
      await this.#answer(req, res, route, response);
    } catch (err) {
      const error = err instanceof CometSimError ? err : new CometSimError(500, `simulator error: ${(err as Error).message}`);
      await drain(req);
      await this.#answerJson(req, res, error.status, error.toEnvelope());
    }
  }

  /** `Authorization: <API_KEY>`, raw (§2); Java's `Comet-Sdk-Api` header is accepted too. */
  #authenticate(req: IncomingMessage): KeyRecord {
    const header = req.headers.authorization ?? req.headers['comet-sdk-api'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (apiKey === undefined || apiKey === '') throw new CometSimError(401, 'API key missing', SdkErrorCode.INVALID_API_KEY);
    const record = this.#state.keys.get(apiKey);
    if (record === undefined) throw new CometSimError(401, 'API key not registered', SdkErrorCode.INVALID_API_KEY);
    return record;
  }

  async #readBody(route: Route, req: IncomingMessage): Promise<{ json: unknown; form: MultipartForm | undefined }> {
    switch (route.body) {
      case 'none':
        await drain(req);
        return { json: undefined, form: undefined };
      case 'json':
        return { json: await readJson(req), form: undefined };
      case 'multipart': {
        const parser = new MultipartParser(boundaryOf(req.headers['content-type']), Limits.ASSET_MAX_BYTES);
        for await (const chunk of bodyChunks(req)) parser.write(chunk);
        return { json: undefined, form: parser.end() };
      }
      default: {
        const unreachable: never = route.body;
        throw new Error(`unknown body kind ${String(unreachable)}`);
      }
    }
  }

  async #answer(req: IncomingMessage, res: ServerResponse, route: Route, response: SimResponse): Promise<void> {
    if (response.kind === 'json') {
      return this.#answerJson(req, res, response.status ?? 200, response.body, {}, route.jsonContentType);
    }
    await this.#delay(req);
    if (!res.destroyed) writeBytes(res, response.body, response.contentType);
  }

  /** The configured latency, after the wave gate (if a test holds answers). */
  async #delay(req: IncomingMessage): Promise<void> {
    await this.waves.hold(`${req.method ?? 'GET'} ${routeNameOf(new URL(req.url ?? '/', 'http://sim').pathname)}`);
    await sleep(this.latencyMs);
  }

  async #answerJson(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    contentType?: string,
  ): Promise<void> {
    await this.#delay(req);
    if (res.destroyed || res.headersSent) return;
    writeJson(req, res, status, body, contentType, headers);
  }
}
