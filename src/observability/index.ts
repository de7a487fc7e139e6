/** Metrics, trace context and optional OpenTelemetry export: what the composition root wires together. */
import type { CometObserver } from '../backends/comet/observer';
import type { GatewayMetrics } from './metrics';
import { upstreamTraceHeaders } from './trace';

export { GatewayMetrics } from './metrics';
export { runTraced, withTraceIds, currentTrace } from './trace';
export { startTelemetry, type Telemetry } from './otel';
export { createLogger, type Logger } from './logger';

/**
 * The Comet backend's hooks: its calls and cache lookups counted, and the request's trace sent upstream
 * unless something else does (`propagateTrace: false` when OpenTelemetry instruments undici, see otel.ts).
 */
export function cometObserver(metrics: GatewayMetrics, { propagateTrace = true }: { propagateTrace?: boolean } = {}): CometObserver {
  return propagateTrace ? { ...metrics.comet, upstreamHeaders: upstreamTraceHeaders } : { ...metrics.comet };
}
