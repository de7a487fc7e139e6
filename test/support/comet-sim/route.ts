/** What a route is: a method, a name below its mount, the body it takes, and a synchronous handler. */
import type { RouteName } from './constants';
import type { MultipartForm } from './multipart';
import type { SimState } from './state';
import type { KeyRecord } from './types';

export type RouteMethod = 'GET' | 'POST' | 'PUT';
export type BodyKind = 'none' | 'json' | 'multipart';

export interface SimRequest {
  readonly key: KeyRecord;
  readonly state: SimState;
  readonly query: URLSearchParams;
  /** The parsed JSON body (`body: 'json'` routes), else undefined. */
  readonly json: unknown;
  /** The parsed form (`body: 'multipart'` routes), else undefined. */
  readonly form: MultipartForm | undefined;
  /** The simulator's origin, e.g. `http://127.0.0.1:5000`, for links. */
  readonly origin: string;
}

export type SimResponse =
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  | { readonly kind: 'bytes'; readonly body: Buffer; readonly contentType: string };

export interface Route {
  readonly method: RouteMethod;
  readonly name: RouteName;
  readonly body: BodyKind;
  /**
   * Content type of JSON answers. Python treats `application/octet-stream` as JSON ("octet-stream is a
   * GZIPPED stream", §1); one route answers that way so the adapter cannot decide by content type.
   */
  readonly jsonContentType?: 'application/octet-stream';
  handle(req: SimRequest): SimResponse;
}

export const json = (body: unknown): SimResponse => ({ kind: 'json', body });

/** The write envelope most JSON writes answer with (§1 "Write envelope"). */
export const SAVED = { msg: 'saved', code: 200, data: null, sdk_error_code: 0 } as const;
export const saved = (): SimResponse => json(SAVED);
