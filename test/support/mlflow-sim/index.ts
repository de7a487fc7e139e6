/**
 * An MLflow tracking-server simulator (REST API 2.0, the model registry and the artifact proxy), written
 * from docs/mlflow-reference.md, for testing the gateway's MLflow backend over real HTTP:
 * `const sim = await startMlflowSim(); ... await sim.stop();`.
 *
 * It is as strict as the reference allows: the log-batch limits, AND-only filters, write-once params,
 * reserved aliases, `max_results` caps, unknown fields refused. Every choice made where the reference is
 * silent is commented where it is made and listed in the reference's "simulator choices".
 */
import type { AuthOptions } from './auth';
import { API_ROOT, Limits } from './constants';
import type { FaultRule } from './faults';
import { SimServer } from './server';
import { SimState } from './state';
import type { CallRecord } from './types';

export { AJAX_ROOT, API_ROOT, ErrorStatus, Limits, Path } from './constants';
export type { ErrorCode } from './constants';
export type { AuthOptions } from './auth';
export type { FaultAction, FaultRule } from './faults';
export type { CallRecord } from './types';
export type { SimState } from './state';

export interface MlflowSimOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Delay of every answer, ms. Default 0. */
  latencyMs?: number;
  /** Require credentials; unset serves every call (and still records its Authorization header). */
  auth?: AuthOptions;
  /** Clock for every stored time (Unix ms). Default Date.now. */
  clock?: () => number;
  /** Artifact uploads above this many bytes are refused with 413. Default Limits.ARTIFACT_MAX_BYTES. */
  artifactMaxBytes?: number;
}

export interface MlflowSim {
  /** e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** `url + '/api/2.0/'`. */
  apiUrl: string;
  stop(): Promise<void>;
  setLatency(ms: number): void;
  /** Replaces the auth requirement; undefined turns it off. */
  setAuth(auth: AuthOptions | undefined): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Fault uses left over all rules. */
  pendingFaults(): number;
  /** Every call received, in arrival order (a copy). */
  calls(): CallRecord[];
  /** Calls whose `route` (`METHOD route-name`) equals `route`, or matches it as a RegExp; all calls without one. */
  callCount(route?: string | RegExp): number;
  resetCalls(): void;
  /** The live store, for assertions and direct seeding (not over HTTP, not counted). */
  state: SimState;
}

function checkLatency(ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`mlflow-sim: latency must be a non-negative number of ms, got ${ms}`);
  return ms;
}

export async function startMlflowSim(options: MlflowSimOptions = {}): Promise<MlflowSim> {
  const { port = 0, latencyMs = 0, auth, clock, artifactMaxBytes = Limits.ARTIFACT_MAX_BYTES } = options;
  if (!(Number.isSafeInteger(artifactMaxBytes) && artifactMaxBytes > 0)) {
    throw new RangeError(`mlflow-sim: artifactMaxBytes must be a positive whole number, got ${artifactMaxBytes}`);
  }
  const state = new SimState(clock);
  const server = new SimServer(state, auth, artifactMaxBytes);
  server.latencyMs = checkLatency(latencyMs);
  const url = await server.listen(port);
  return {
    url,
    apiUrl: `${url}${API_ROOT}`,
    stop: () => server.close(),
    setLatency: (ms) => {
      server.latencyMs = checkLatency(ms);
    },
    setAuth: (a) => {
      server.auth = a;
    },
    addFault: (rule) => server.faults.add(rule),
    clearFaults: () => server.faults.clear(),
    pendingFaults: () => server.faults.pending(),
    calls: () => server.calls.map((c) => ({ ...c })),
    callCount: (route) => server.calls.filter((c) => {
      if (route === undefined) return true;
      if (typeof route === 'string') return c.route === route;
      route.lastIndex = 0;
      return route.test(c.route);
    }).length,
    resetCalls: () => {
      server.calls.length = 0;
    },
    state,
  };
}
