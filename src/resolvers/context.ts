import type { Backend, Caller } from '../backends/port';
import type { Config } from '../config';
import type { Loaders } from '../loaders';
import type { Services } from '../services';

/** State of one GraphQL request. Built per request; nothing in it is shared with another caller. */
export interface RequestContext {
  caller: Caller;
  loaders: Loaders;
  services: Services;
  backend: Backend;
  config: Config;
  /** Origin clients reach the gateway at (for upload and download URLs), without a trailing slash. */
  baseUrl: string;
}
