/**
 * Optional OpenTelemetry export. The OpenTelemetry Node SDK is not a dependency of TrackQL: its current
 * releases need Node.js >= 22.15 and TrackQL supports Node 20. When an operator sets the SDK's standard
 * variables (`OTEL_EXPORTER_OTLP_ENDPOINT` and friends, see config.ts), it is loaded here, lazily, from the
 * operator's install (`npm install @opentelemetry/sdk-node @opentelemetry/auto-instrumentations-node`);
 * when it is absent or Node is too old, one clear log line says so and the gateway runs without it.
 *
 * The SDK reads every OTEL_* variable itself (exporter, endpoint, headers, service name, sampler): nothing
 * is translated here. It must start before `node:http` and undici are loaded for its instrumentations to
 * see them, which is why main.ts loads the server only after calling `startTelemetry`.
 */
import type { Logger } from './logger';

/** The oldest Node.js the OpenTelemetry JS SDK 2.x supports. */
export const OTEL_MIN_NODE: readonly [number, number] = [22, 15];
export const OTEL_SDK_PACKAGE = '@opentelemetry/sdk-node';
export const OTEL_AUTO_PACKAGE = '@opentelemetry/auto-instrumentations-node';

export interface Telemetry {
  /**
   * The auto-instrumentations run: their undici instrumentation then sends `traceparent` on Comet calls, so
   * the gateway must not add its own (two such headers make the receiver drop both, W3C §3.2).
   */
  readonly instrumented: boolean;
  /** Flushes and stops the exporters. */
  shutdown(): Promise<void>;
}

export interface TelemetryDeps {
  logger: Pick<Logger, 'notice' | 'warn'>;
  /** `process.versions.node`, replaceable in tests. */
  nodeVersion?: string;
  /** Loads a package by name (`require`), replaceable in tests; throws MODULE_NOT_FOUND when it is absent. */
  load?: (id: string) => unknown;
}

interface NodeSdk {
  start(): void;
  shutdown(): Promise<unknown>;
}
type NodeSdkClass = new (options: { instrumentations?: unknown[] }) => NodeSdk;

export function nodeVersionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  return a > major || (a === major && b >= minor);
}

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException | null)?.code === 'MODULE_NOT_FOUND';

function sdkClass(mod: unknown): NodeSdkClass | null {
  const candidate = (mod as { NodeSDK?: unknown } | null)?.NodeSDK;
  return typeof candidate === 'function' ? (candidate as NodeSdkClass) : null;
}

/** The auto-instrumentations (HTTP server, undici, …) when that package is installed too; none otherwise. */
function autoInstrumentations(load: (id: string) => unknown, logger: TelemetryDeps['logger']): unknown[] {
  try {
    const get = (load(OTEL_AUTO_PACKAGE) as { getNodeAutoInstrumentations?: unknown } | null)?.getNodeAutoInstrumentations;
    return typeof get === 'function' ? [(get as () => unknown)()] : [];
  } catch (err) {
    if (!isMissing(err)) throw err;
    logger.warn('OpenTelemetry: no auto-instrumentations, spans only from what the SDK itself records', {
      hint: `npm install ${OTEL_AUTO_PACKAGE}`,
    });
    return [];
  }
}

/**
 * Starts the OpenTelemetry SDK when `enabled` (an OTLP endpoint or exporter is configured). Returns null
 * when it is off, when Node is too old, or when the SDK is not installed: each case logs why, once.
 */
export function startTelemetry(enabled: boolean, deps: TelemetryDeps): Telemetry | null {
  if (!enabled) return null;
  const { logger, nodeVersion = process.versions.node } = deps;
  // A plain require, resolved from TrackQL's own node_modules, where operators install the SDK.
  const load = deps.load ?? ((id: string): unknown => require(id));
  const need = `${OTEL_MIN_NODE[0]}.${OTEL_MIN_NODE[1]}`;
  if (!nodeVersionAtLeast(nodeVersion, OTEL_MIN_NODE)) {
    logger.warn(`OpenTelemetry export is configured but not started: it needs Node.js >= ${need}, this is ${nodeVersion}`, { otel: 'off' });
    return null;
  }
  let NodeSDK: NodeSdkClass | null;
  try {
    NodeSDK = sdkClass(load(OTEL_SDK_PACKAGE));
  } catch (err) {
    if (!isMissing(err)) throw err;
    logger.warn(`OpenTelemetry export is configured but not started: ${OTEL_SDK_PACKAGE} is not installed`, {
      otel: 'off', hint: `npm install ${OTEL_SDK_PACKAGE} ${OTEL_AUTO_PACKAGE} (next to trackql)`,
    });
    return null;
  }
  if (!NodeSDK) {
    logger.warn(`OpenTelemetry export is configured but not started: ${OTEL_SDK_PACKAGE} has no NodeSDK export`, { otel: 'off' });
    return null;
  }
  const instrumentations = autoInstrumentations(load, logger);
  const sdk = new NodeSDK({ instrumentations });
  sdk.start();
  logger.notice('OpenTelemetry export started', { otel: 'on' });
  return {
    instrumented: instrumentations.length > 0,
    async shutdown() {
      await sdk.shutdown();
    },
  };
}
