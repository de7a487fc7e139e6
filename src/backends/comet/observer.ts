/**
 * Hooks the Comet adapter calls so the server can measure and trace it without the adapter knowing metrics
 * or tracing exist. Every member is optional; a hook must be cheap and must not throw. Nothing passed to a
 * hook ever holds an API key, an experiment key or a query string: labels stay low-cardinality.
 */
import type { MpmRouteName } from './mpm-protocol';
import type { RouteName } from './protocol';

/** How one HTTP attempt to Comet ended: its status, or why no status came. */
export type UpstreamOutcome = number | 'timeout' | 'network_error';

export interface UpstreamCall {
  /** The route template relative to its mount (`experiment/tags`; MLflow's `mlflow/runs/search`): no ids, no query. */
  route: RouteName | (string & {});
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  outcome: UpstreamOutcome;
  /** From sending to the response headers (or the failure), in seconds. */
  seconds: number;
}

export interface CometObserver {
  /** Once per HTTP attempt, retries included, when its headers arrive or it fails. */
  upstreamCall?(call: UpstreamCall): void;
  /** Once per cache lookup of upstream data; `kind` is the entry's kind (`tags`, `series`…), never its id. */
  cacheLookup?(kind: string, hit: boolean): void;
  /** Extra headers for the next upstream call (the request's W3C `traceparent`); empty outside a request. */
  upstreamHeaders?(): Record<string, string>;
  /**
   * Comet answered a call made with this key with a 2xx: the key is valid. `keyId` is the gateway's non-secret
   * id of the key as the caller sent it (server/identity.ts `keyIdOf`), so rate limits can trust it.
   */
  keyAccepted?(keyId: string): void;
}
