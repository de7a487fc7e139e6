import { cometObserver } from '../../src/observability';
import { GatewayMetrics, MAX_OPERATION_LABELS, type ScrapeSources } from '../../src/observability/metrics';
import { find, parseExposition, total } from '../support/prom';

async function samples(metrics: GatewayMetrics) {
  return parseExposition((await metrics.render()).body);
}

function liveSource(queue = { droppedPoints: 0, coalesced: 0, closedTooSlow: 0 }): ReturnType<ScrapeSources['live']> {
  return { connections: 1, subscribers: 2, pollers: 0, queue, fanout: { groups: 1, executions: 0, deliveries: 0 }, eventLoopLagMs: { p99: 0, max: 0 } };
}

describe('GatewayMetrics', () => {
  it('counts GraphQL operations by name, type and code, keeping the label set bounded', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.observeGraphql({ operation: 'Dashboard', type: 'query', code: null, seconds: 0.02 });
    metrics.observeGraphql({ operation: null, type: 'mutation', code: 'NOT_FOUND', seconds: 0.01 });
    metrics.observeGraphql({ operation: null, type: null, code: 'BAD_USER_INPUT', seconds: 0.001 });
    metrics.observeGraphql({ operation: 'Q', type: 'query', code: 'SOMETHING_ELSE', seconds: 0.001 });
    for (let i = 0; i < MAX_OPERATION_LABELS + 10; i++) metrics.observeGraphql({ operation: `Op${i}`, type: 'query', code: null, seconds: 0.001 });
    const s = await samples(metrics);
    expect(total(s, 'trackql_graphql_requests_total', { operation: 'Dashboard', type: 'query', code: 'OK' })).toBe(1);
    expect(total(s, 'trackql_graphql_requests_total', { operation: 'anonymous', type: 'mutation', code: 'NOT_FOUND' })).toBe(1);
    expect(total(s, 'trackql_graphql_requests_total', { operation: 'unresolved', type: 'unknown', code: 'BAD_USER_INPUT' })).toBe(1);
    expect(total(s, 'trackql_graphql_requests_total', { operation: 'Q', code: 'OTHER' })).toBe(1);
    const names = new Set(find(s, 'trackql_graphql_requests_total').map((x) => x.labels.operation));
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 3); // + anonymous, unresolved, other
    // Dashboard and Q took two of the places: 48 of the 60 new names fit, 12 count as `other`.
    expect(total(s, 'trackql_graphql_requests_total', { operation: 'other' })).toBe(12);
    expect(total(s, 'trackql_graphql_request_duration_seconds_count', { operation: 'Dashboard' })).toBe(1);
  });

  it('counts upstream calls by route template and outcome, and cache lookups with a hit ratio', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    expect(total(await samples(metrics), 'trackql_upstream_cache_hit_ratio')).toBe(0);
    metrics.comet.upstreamCall({ route: 'experiment/tags', method: 'GET', outcome: 200, seconds: 0.01 });
    metrics.comet.upstreamCall({ route: 'experiment/tags', method: 'GET', outcome: 503, seconds: 0.01 });
    metrics.comet.upstreamCall({ route: 'batch/logger/experiment/metric', method: 'POST', outcome: 'timeout', seconds: 2 });
    metrics.comet.cacheLookup('tags', true);
    metrics.comet.cacheLookup('tags', true);
    metrics.comet.cacheLookup('series', false);
    metrics.comet.cacheLookup('Not A Kind!', false);
    const s = await samples(metrics);
    expect(total(s, 'trackql_upstream_requests_total', { route: 'experiment/tags', status: '200' })).toBe(1);
    expect(total(s, 'trackql_upstream_requests_total', { route: 'experiment/tags', status: '503' })).toBe(1);
    expect(total(s, 'trackql_upstream_requests_total', { method: 'POST', status: 'timeout' })).toBe(1);
    expect(total(s, 'trackql_upstream_request_duration_seconds_count', { route: 'experiment/tags' })).toBe(2);
    expect(total(s, 'trackql_upstream_cache_lookups_total', { kind: 'tags', result: 'hit' })).toBe(2);
    expect(total(s, 'trackql_upstream_cache_lookups_total', { kind: 'other', result: 'miss' })).toBe(1);
    expect(total(s, 'trackql_upstream_cache_hit_ratio')).toBe(0.5);
  });

  it('reads outbox depth and live counters at scrape time; live totals become counters', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    const queue = { droppedPoints: 0, coalesced: 0, closedTooSlow: 0 };
    let pendingWrites = 3;
    metrics.readFrom({ readiness: async () => ({ ready: true, detail: { pendingWrites, deadWrites: 1 } }), live: () => liveSource(queue) });
    let s = await samples(metrics);
    expect(total(s, 'trackql_outbox_pending_writes')).toBe(3);
    expect(total(s, 'trackql_outbox_dead_writes')).toBe(1);
    expect(total(s, 'trackql_backend_ready')).toBe(1);
    expect(total(s, 'trackql_live_subscribers')).toBe(2);
    expect(total(s, 'trackql_live_dropped_points_total')).toBe(0);
    Object.assign(queue, { droppedPoints: 120, coalesced: 2, closedTooSlow: 1 });
    pendingWrites = 0;
    s = await samples(metrics);
    expect(total(s, 'trackql_live_dropped_points_total')).toBe(120);
    expect(total(s, 'trackql_live_coalesced_total')).toBe(2);
    expect(total(s, 'trackql_live_closed_too_slow_total')).toBe(1);
    expect(total(s, 'trackql_outbox_pending_writes')).toBe(0);
    queue.droppedPoints = 130;
    expect(total(await samples(metrics), 'trackql_live_dropped_points_total')).toBe(130);
  });

  it('reports a backend that cannot answer as not ready, with no outbox', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.readFrom({ readiness: async () => { throw new Error('db gone'); }, live: () => liveSource() });
    const s = await samples(metrics);
    expect(total(s, 'trackql_backend_ready')).toBe(0);
    expect(total(s, 'trackql_outbox_pending_writes')).toBe(0);
  });

  it('keeps two registries apart and adds process metrics by default', async () => {
    const a = new GatewayMetrics();
    const b = new GatewayMetrics({ processMetrics: false });
    a.observeHttp('graphql', 'POST', 200, 0.01);
    expect(total(await samples(a), 'trackql_http_requests_total', { route: 'graphql', method: 'POST', status: '200' })).toBe(1);
    expect(total(await samples(b), 'trackql_http_requests_total')).toBe(0);
    expect(find(await samples(a), 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(find(await samples(b), 'process_cpu_user_seconds_total')).toHaveLength(0);
  });

  it('hands the Comet backend trace headers only when nothing else propagates the trace', () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    expect(typeof cometObserver(metrics).upstreamHeaders).toBe('function');
    expect(cometObserver(metrics, { propagateTrace: false }).upstreamHeaders).toBeUndefined();
    expect(cometObserver(metrics, { propagateTrace: false }).upstreamCall).toBe(metrics.comet.upstreamCall);
  });
});
