/**
 * A Comet REST API v2 simulator, written from shared/comet-rest-v2.md, for testing the gateway's Comet
 * adapter over real HTTP: `const sim = await startCometSim(); ... await sim.stop();`.
 *
 * It is as strict as the reference allows: raw `Authorization: <key>`, unknown fields refused, values read
 * back as strings, metric histories unsorted, projects' `isPublic` spelling, octet-stream JSON on
 * `multi-metric-chart`. Every choice made where the reference is silent is commented where it is made.
 */
import { DEFAULT_API_KEY } from './constants';
import type { FaultOptions } from './faults';
import { mpmOf } from './mpm';
import { dumpState, seedState } from './seed';
import { SimServer } from './server';
import { SimState } from './state';
import type { SeedInput, SeedResult, SimStateDump } from './types';

export { CLIENTLIB_ROOT, DEFAULT_API_KEY, Limits, Path, REST_ROOT, SdkErrorCode } from './constants';
export type { FaultOptions } from './faults';
export type { SeedInput, SeedResult, SimStateDump } from './types';
export { normaliseModelName } from './registry';

export interface CometSimOptions {
  /** Per-response delay in ms. Default 0. */
  latencyMs?: number;
  /** Accepted keys; each sees only its own workspaces (one per key by default: see `workspaceOf`). Default [DEFAULT_API_KEY]. */
  apiKeys?: string[];
}

export interface CometSim {
  /** e.g. `http://127.0.0.1:PORT`; the REST root is `url + '/api/rest/v2/'`. */
  url: string;
  stop(): Promise<void>;
  setLatency(ms: number): void;
  /** Replaces the fault configuration; `{}` (rate 0) turns faults off. */
  setFaults(f: FaultOptions): void;
  /** Refuses/destroys every connection (an outage) while keeping state. */
  setDown(down: boolean): void;
  /** Requests received per route key, e.g. `GET experiment/tags`, `POST clientlib/batch/logger/experiment/metric`. */
  requestCounts(): Record<string, number>;
  totalRequests(): number;
  resetCounts(): void;
  /**
   * Runs `work` with answers held and released a wave at a time (waves.ts): `waves.length` is the number of
   * dependent round trips `work` made, each wave the route counts of the requests it answered.
   */
  inWaves<T>(work: () => Promise<T>): Promise<{ result: T; waves: Record<string, number>[] }>;
  /** Plain JSON of the whole state; `experiments[key].metrics` holds every point received, in arrival order. */
  dump(): SimStateDump;
  /** Creates keys, workspaces, projects and experiments directly (not over HTTP, not counted). */
  seed(data: SeedInput): SeedResult;
  /** The default workspace of an accepted key (throws for any other). */
  workspaceOf(apiKey: string): string;
  /** MPM: every event and label one model received, in arrival order, with its version. */
  mpmReceived(workspace: string, modelName: string): { version: string; predictionId: string; kind: 'event' | 'label' }[];
}

function checkLatency(ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`comet-sim: latency must be a non-negative number of ms, got ${ms}`);
  return ms;
}

export async function startCometSim(options: CometSimOptions & { port?: number } = {}): Promise<CometSim> {
  const { latencyMs = 0, apiKeys = [DEFAULT_API_KEY], port = 0 } = options;
  const state = new SimState(apiKeys);
  const server = new SimServer(state);
  server.latencyMs = checkLatency(latencyMs);
  const url = await server.listen(port);
  return {
    url,
    stop: () => server.close(),
    setLatency: (ms) => {
      server.latencyMs = checkLatency(ms);
    },
    setFaults: (f) => server.faults.set(f),
    setDown: (down) => server.setDown(down),
    requestCounts: () => server.counts(),
    totalRequests: () => server.total(),
    resetCounts: () => server.resetCounts(),
    inWaves: (work) => server.waves.inWaves(work),
    dump: () => dumpState(state),
    seed: (data) => seedState(state, data),
    mpmReceived: (workspace, modelName) => [...(mpmOf(state).models.get(`${workspace}/${modelName}`)?.received ?? [])],
    workspaceOf: (apiKey) => {
      const record = state.keys.get(apiKey);
      if (record === undefined) throw new Error('comet-sim: workspaceOf() was given a key the simulator does not accept');
      return record.defaultWorkspace;
    },
  };
}
