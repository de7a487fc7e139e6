/**
 * The gateway's Prometheus metrics (prom-client), in a registry of its own (no global state: two gateways
 * in one process, as in tests, never mix their counts). Other modules never import this: they are handed
 * hooks (`comet`, `observeHttp`, `observeGraphql`), and what other modules already count (outbox depth,
 * live subscribers, dropped live points) is read once per scrape.
 *
 * Every label is low-cardinality by construction: route templates, methods, statuses, error codes, and
 * operation names capped at a fixed number of distinct values. Never an experiment key or an API key.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CometObserver, UpstreamCall } from '../backends/comet/observer';
import { ErrorCode } from '../errors';

/** What is read at scrape time from modules that already count it. */
export interface ScrapeSources {
  /** The backend's readiness; its `detail` may hold `pendingWrites` and `deadWrites` (the Comet outbox). */
  readiness(): Promise<{ ready: boolean; detail?: Record<string, unknown> }>;
  /** The live hub's status (`LiveHub.status()`): its counters only grow. */
  live(): {
    connections: number; subscribers: number; pollers: number;
    queue: { droppedPoints: number; coalesced: number; closedTooSlow: number };
    fanout: { groups: number; executions: number; deliveries: number };
    eventLoopLagMs: { p99: number; max: number };
  };
}

export interface GraphqlObservation {
  /** The resolved operation's name; null when anonymous or when the document never resolved. */
  operation: string | null;
  type: 'query' | 'mutation' | 'subscription' | null;
  /** The first error's `extensions.code`, or null when there was none. */
  code: string | null;
  seconds: number;
}

/** Most distinct operation names kept as label values; later names count under `other`. */
export const MAX_OPERATION_LABELS = 50;
const MAX_CACHE_KINDS = 40;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Keeps the first `max` distinct values of a label; a client cannot grow the series count past it. */
class BoundedLabel {
  readonly #seen = new Set<string>();
  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.max) return 'other';
    this.#seen.add(value);
    return value;
  }
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #operations = new BoundedLabel(MAX_OPERATION_LABELS);
  readonly #cacheKinds = new BoundedLabel(MAX_CACHE_KINDS);
  readonly #cacheTotals = { hits: 0, lookups: 0 };
  readonly #liveSeen = { droppedPoints: 0, coalesced: 0, closedTooSlow: 0, executions: 0, deliveries: 0 };
  #sources: ScrapeSources | null = null;

  readonly #graphqlRequests = this.#counter('trackql_graphql_requests_total', 'GraphQL operations over HTTP, by operation name, type and result code (OK or the first error code).', ['operation', 'type', 'code']);
  readonly #graphqlSeconds = this.#histogram('trackql_graphql_request_duration_seconds', 'Time to answer a GraphQL operation over HTTP.', ['operation', 'type']);
  readonly #httpRequests = this.#counter('trackql_http_requests_total', 'HTTP requests, by route, method and status.', ['route', 'method', 'status']);
  readonly #httpSeconds = this.#histogram('trackql_http_request_duration_seconds', 'Time from request to the end of the response.', ['route', 'method']);
  readonly #upstreamRequests = this.#counter('trackql_upstream_requests_total', 'HTTP attempts to the upstream, Comet or MLflow (retries included), by route template, method and status (or timeout, network_error).', ['route', 'method', 'status']);
  readonly #upstreamSeconds = this.#histogram('trackql_upstream_request_duration_seconds', 'Time from sending an upstream (Comet or MLflow) request to its response headers.', ['route', 'method']);
  readonly #cacheLookups = this.#counter('trackql_upstream_cache_lookups_total', 'Lookups in the cache of Comet reads, by entry kind and result.', ['kind', 'result']);
  readonly #cacheRatio = this.#gauge('trackql_upstream_cache_hit_ratio', 'Share of cache lookups that were hits since start (0 before the first lookup).');
  readonly #backendReady = this.#gauge('trackql_backend_ready', '1 when the backend is usable (as /readyz), else 0.');
  readonly #outboxPending = this.#gauge('trackql_outbox_pending_writes', 'Writes waiting in the Comet outbox (0 on other backends).');
  readonly #outboxDead = this.#gauge('trackql_outbox_dead_writes', 'Writes Comet refused for good, kept in the outbox for inspection.');
  readonly #liveConnections = this.#gauge('trackql_live_connections', 'Open live-feed WebSocket connections with a subscription.');
  readonly #liveSubscribers = this.#gauge('trackql_live_subscribers', 'Live-feed subscriptions.');
  readonly #livePollers = this.#gauge('trackql_live_pollers', 'Experiments being polled for points logged behind the gateway.');
  readonly #liveDropped = this.#counter('trackql_live_dropped_points_total', 'Metric points left out of live events because a subscriber fell behind (coalesced).', []);
  readonly #liveCoalesced = this.#counter('trackql_live_coalesced_total', 'Times a subscriber queue was coalesced to fit its bound.', []);
  readonly #liveTooSlow = this.#counter('trackql_live_closed_too_slow_total', 'Live connections closed (4420) because their reader could not keep up.', []);
  readonly #liveGroups = this.#gauge('trackql_live_distinct_subscriptions', 'Distinct live subscriptions (document, variables, key): each event is executed once per one of them.');
  readonly #liveExecutions = this.#counter('trackql_live_executions_total', 'GraphQL executions of live events: one per event per distinct subscription.', []);
  readonly #liveDeliveries = this.#counter('trackql_live_deliveries_total', 'Live events written to subscribers\' sockets.', []);
  readonly #fastPath = this.#counter('trackql_graphql_fast_path_requests_total', 'GraphQL operations answered by the cached-document fast path (server/fast-path.ts); also counted in trackql_graphql_requests_total.', []);
  readonly #loopLag = this.#gauge('trackql_event_loop_lag_p99_seconds', 'p99 delay of the event loop over the last 10 s: events wait there when the replica is CPU-bound.');

  /** Hooks for the Comet backend: upstream calls and cache lookups. */
  readonly comet: Required<Pick<CometObserver, 'upstreamCall' | 'cacheLookup'>> = {
    upstreamCall: (call: UpstreamCall) => {
      const status = String(call.outcome);
      this.#upstreamRequests.inc({ route: call.route, method: call.method, status });
      this.#upstreamSeconds.observe({ route: call.route, method: call.method }, call.seconds);
    },
    cacheLookup: (kind: string, hit: boolean) => {
      const label = this.#cacheKinds.of(/^[a-z][a-z-]{0,31}$/.test(kind) ? kind : 'other');
      this.#cacheLookups.inc({ kind: label, result: hit ? 'hit' : 'miss' });
      this.#cacheTotals.lookups += 1;
      if (hit) this.#cacheTotals.hits += 1;
    },
  };

  constructor({ processMetrics = true }: { processMetrics?: boolean } = {}) {
    // Process and Node runtime metrics (CPU, memory, event loop lag, GC), under their usual names.
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where scrape-time values come from; set once the backend and live hub exist. */
  readFrom(sources: ScrapeSources): void {
    this.#sources = sources;
  }

  observeHttp(route: string, method: string, status: number, seconds: number): void {
    const m = /^[A-Z]{1,10}$/.test(method) ? method : 'OTHER';
    this.#httpRequests.inc({ route, method: m, status: String(status) });
    this.#httpSeconds.observe({ route, method: m }, seconds);
  }

  observeGraphql(o: GraphqlObservation): void {
    const operation = o.operation === null ? (o.type ? 'anonymous' : 'unresolved') : GRAPHQL_NAME.test(o.operation) ? this.#operations.of(o.operation) : 'other';
    const type = o.type ?? 'unknown';
    const code = o.code === null ? 'OK' : CODES.has(o.code) ? o.code : 'OTHER';
    this.#graphqlRequests.inc({ operation, type, code });
    this.#graphqlSeconds.observe({ operation, type }, o.seconds);
  }

  /** One GraphQL operation answered by the cached-document fast path. */
  countFastPath(): void {
    this.#fastPath.inc();
  }

  /** The exposition text, after reading the scrape-time values. */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.#refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  async #refresh(): Promise<void> {
    const { hits, lookups } = this.#cacheTotals;
    this.#cacheRatio.set(lookups === 0 ? 0 : hits / lookups);
    if (!this.#sources) return;
    const readiness = await this.#sources.readiness().catch(() => ({ ready: false, detail: undefined }));
    this.#backendReady.set(readiness.ready ? 1 : 0);
    const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    this.#outboxPending.set(count(readiness.detail?.pendingWrites));
    this.#outboxDead.set(count(readiness.detail?.deadWrites));
    const live = this.#sources.live();
    this.#liveConnections.set(live.connections);
    this.#liveSubscribers.set(live.subscribers);
    this.#livePollers.set(live.pollers);
    this.#liveGroups.set(live.fanout.groups);
    this.#loopLag.set(live.eventLoopLagMs.p99 / 1000);
    // The hub keeps running totals; counters move by what was added since the last scrape.
    const totals = { ...live.queue, ...live.fanout };
    for (const [key, counter] of [
      ['droppedPoints', this.#liveDropped], ['coalesced', this.#liveCoalesced], ['closedTooSlow', this.#liveTooSlow],
      ['executions', this.#liveExecutions], ['deliveries', this.#liveDeliveries],
    ] as const) {
      const now = totals[key];
      if (now > this.#liveSeen[key]) counter.inc(now - this.#liveSeen[key]);
      this.#liveSeen[key] = now;
    }
  }

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  #histogram<L extends string>(name: string, help: string, labelNames: readonly L[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  #gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }
}
