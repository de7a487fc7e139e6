/** What a route is: a method, a name below its mount, the body it takes, and a synchronous handler. */
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteName } from './constants';
import type { SimState } from './state';

export type RouteMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
/** `json`: a JSON object body (GET routes read the query string instead); `bytes`: raw bytes (artifact upload). */
export type BodyKind = 'none' | 'json' | 'bytes';

export interface SimRequest {
  readonly state: SimState;
  readonly query: URLSearchParams;
  /** The parsed JSON body (`body: 'json'`), else undefined. */
  readonly json: unknown;
  /** The raw body (`body: 'bytes'`), else an empty buffer. */
  readonly bytes: Buffer;
  /** Bytes of body received (for log-batch's size limit, §4.3). */
  readonly bodyBytes: number;
  /** For `mlflow-artifacts/artifacts/*`: the decoded path below the proxy root. */
  readonly subpath: string;
  readonly headers: IncomingHttpHeaders;
  /**
   * Set by a partial-batch fault (§9): log-batch applies this many items, in its write order, then fails
   * with `failWith`.
   */
  readonly partialBatch?: { readonly apply: number; readonly failWith: number };
}

export type SimResponse =
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  | { readonly kind: 'bytes'; readonly body: Buffer; readonly status: number; readonly headers: Record<string, string> };

export interface Route {
  readonly method: RouteMethod;
  readonly name: RouteName;
  readonly body: BodyKind;
  handle(req: SimRequest): SimResponse;
}

export const json = (body: unknown): SimResponse => ({ kind: 'json', body });
/** MLflow answers writes that return nothing with an empty object (§2). */
export const empty = (): SimResponse => json({});
