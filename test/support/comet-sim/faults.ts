/**
 * Fault injection: a fraction of matching requests is answered with an error status (optionally with
 * `Retry-After`) or left hanging. Which requests fail is decided by a PRNG seeded by the caller, drawn once
 * per matching request in arrival order, so a run is reproducible.
 */
import { seededRandom } from './sampling';

export interface FaultOptions {
  /** Fraction of matching requests that fail, 0..1. Default 0 (no faults). */
  rate?: number;
  /**
   * Status of a failed request. Default 503. 429 and 5xx are the transient answers (§8 "Status codes seen");
   * 400 (a validation refusal, with `sdk_error_code`), 402 (payment required), 403 (no access) and 413 (too
   * large) are refusals that retrying does not fix, as Comet answers when, say, a plan's quota runs out in
   * the middle of a batch.
   */
  status?: 429 | 503 | 500 | 400 | 402 | 403 | 413;
  /** `Retry-After` in seconds on failures; null or undefined sends none (Comet's use of it is unverified, §8). */
  retryAfterSeconds?: number | null;
  /** Hang instead of answering: the response never comes (until the client gives up or the sim stops). */
  timeout?: boolean;
  /**
   * Do the work, then cut the connection instead of answering: the request took effect but the client cannot
   * know (a network failure after the server stored the data). The ambiguous case of a non-idempotent write.
   */
  lostAnswer?: boolean;
  /** The first `after` matching requests are served normally; faults start with the next. Default 0. */
  after?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Only requests whose route key (e.g. `GET experiment/tags`) matches fail. Default: all routes. */
  routes?: RegExp;
}

export type Fault =
  | { readonly kind: 'hang' }
  | { readonly kind: 'lost' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds: number | null };

const DEFAULT_STATUS = 503;
const DEFAULT_SEED = 1;

export class FaultInjector {
  #rate = 0;
  #fault: Fault = { kind: 'status', status: DEFAULT_STATUS, retryAfterSeconds: null };
  #routes: RegExp | undefined;
  #random = seededRandom(DEFAULT_SEED);
  #spared = 0;

  /** Replaces the whole fault configuration (unset options take their defaults) and restarts the PRNG. */
  set(options: FaultOptions): void {
    const { rate = 0, status = DEFAULT_STATUS, retryAfterSeconds = null, timeout = false, lostAnswer = false, seed = DEFAULT_SEED, routes, after = 0 } = options;
    if (!(Number.isInteger(after) && after >= 0)) throw new RangeError(`comet-sim: after must be a whole number of requests, got ${after}`);
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`comet-sim: fault rate must be within 0..1, got ${rate}`);
    if (retryAfterSeconds !== null && !(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 0)) {
      throw new RangeError(`comet-sim: retryAfterSeconds must be a whole number of seconds or null, got ${retryAfterSeconds}`);
    }
    this.#rate = rate;
    this.#fault = timeout ? { kind: 'hang' } : lostAnswer ? { kind: 'lost' } : { kind: 'status', status, retryAfterSeconds };
    this.#routes = routes;
    this.#random = seededRandom(seed);
    this.#spared = after;
  }

  /** The fault for this request, or null to serve it normally. */
  decide(routeKey: string): Fault | null {
    if (this.#rate === 0) return null;
    if (this.#routes !== undefined) {
      this.#routes.lastIndex = 0; // a /g or /y RegExp keeps state between test() calls
      if (!this.#routes.test(routeKey)) return null;
    }
    if (this.#spared > 0) {
      this.#spared -= 1;
      return null;
    }
    return this.#random() < this.#rate ? this.#fault : null;
  }
}
