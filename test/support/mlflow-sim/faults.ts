/**
 * Fault injection by rule, deterministic: each rule names a route (`POST mlflow/runs/log-batch`, exact, or a
 * RegExp over that key), lets its first `after` matching calls through, then acts on the next `times` calls
 * (default 1; `Infinity` for every call). The first rule with calls left wins. The actions are the failures
 * a client of MLflow must survive (§8, §9).
 */
import { Path } from './constants';

export type FaultAction =
  /** Answer this status at once, nothing applied. 429 and 503 carry MLflow's JSON error; 500 INTERNAL_ERROR;
   * 408, 502 and 504 a plain-text body, as a proxy in front of the server would send. */
  | { readonly kind: 'status'; readonly status: 408 | 429 | 500 | 502 | 503 | 504; readonly retryAfterSeconds?: number }
  /** Serve the call normally, `ms` later (a refusal comes without the extra delay). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Apply the call, then destroy the connection instead of answering: the write happened, the client cannot
   * know. A call the server refuses is answered as usual (nothing was written to hide). */
  | { readonly kind: 'lost' }
  /** Never answer (until the client gives up or the simulator stops). */
  | { readonly kind: 'hang' }
  /** log-batch only: write the first `apply` items (params → metrics → tags), then fail with `status` (default 500). */
  | { readonly kind: 'partialBatch'; readonly apply: number; readonly status?: 429 | 500 | 503 };

export interface FaultRule {
  /** `METHOD route-name`, e.g. `POST mlflow/runs/log-batch` or `PUT mlflow-artifacts/artifacts/*`; or a RegExp over it. */
  readonly route: string | RegExp;
  readonly action: FaultAction;
  /** Calls to act on. Default 1. */
  readonly times?: number;
  /** Matching calls to let through first. Default 0. */
  readonly after?: number;
}

interface LiveRule {
  rule: FaultRule;
  skip: number;
  left: number;
}

const LOG_BATCH_KEY = `POST ${Path.runLogBatch}`;

function checkRule(rule: FaultRule): void {
  const { times = 1, after = 0, action } = rule;
  if (!(times === Infinity || (Number.isInteger(times) && times > 0))) throw new RangeError(`mlflow-sim: fault 'times' must be a positive integer or Infinity, got ${times}`);
  if (!(Number.isInteger(after) && after >= 0)) throw new RangeError(`mlflow-sim: fault 'after' must be a whole number, got ${after}`);
  if (action.kind === 'partialBatch' && rule.route !== LOG_BATCH_KEY) {
    throw new RangeError(`mlflow-sim: a partialBatch fault applies to '${LOG_BATCH_KEY}' only, got '${String(rule.route)}'`);
  }
  if (action.kind === 'partialBatch' && !(Number.isInteger(action.apply) && action.apply >= 0)) {
    throw new RangeError(`mlflow-sim: partialBatch 'apply' must be a whole number, got ${action.apply}`);
  }
  if (action.kind === 'delay' && !(Number.isFinite(action.ms) && action.ms >= 0)) throw new RangeError(`mlflow-sim: delay must be >= 0 ms, got ${action.ms}`);
  if (action.kind === 'status' && action.retryAfterSeconds !== undefined && !(Number.isInteger(action.retryAfterSeconds) && action.retryAfterSeconds >= 0)) {
    throw new RangeError(`mlflow-sim: retryAfterSeconds must be a whole number of seconds, got ${action.retryAfterSeconds}`);
  }
}

export class FaultPlan {
  #rules: LiveRule[] = [];

  add(rule: FaultRule): void {
    checkRule(rule);
    this.#rules.push({ rule, skip: rule.after ?? 0, left: rule.times ?? 1 });
  }

  clear(): void {
    this.#rules = [];
  }

  /** Calls still to be failed, over all rules (Infinity when a rule never ends). */
  pending(): number {
    return this.#rules.reduce((sum, r) => sum + r.left, 0);
  }

  /** The action for this call, or null to serve it normally. Consumes one use of the matching rule. */
  take(routeKey: string): FaultAction | null {
    for (const live of this.#rules) {
      if (live.left <= 0 || !matches(live.rule.route, routeKey)) continue;
      if (live.skip > 0) {
        live.skip -= 1;
        continue;
      }
      live.left -= 1;
      return live.rule.action;
    }
    return null;
  }
}

function matches(route: string | RegExp, key: string): boolean {
  if (typeof route === 'string') return route === key;
  route.lastIndex = 0; // a /g or /y RegExp keeps state between test() calls
  return route.test(key);
}
