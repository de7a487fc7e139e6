/**
 * A Comet backend over a fresh simulator, for tests: the simulator's key bound to the contract suite's
 * workspace, a temporary data dir for the outbox, short timeouts and backoffs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCometBackend, type CometBackendOptions } from '../../src/backends/comet';
import type { Backend } from '../../src/backends/port';
import { startCometSim, type CometSim } from './comet-sim';

export const SIM_KEY = 'comet-test-key-0123456789';

export function tempDataDir(prefix = 'trackql-comet-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A simulator whose key `SIM_KEY` (and any `extraKeys`) sees `workspaces`. */
export async function startSim(workspaces: string[], extraKeys: { apiKey: string; workspaces: string[] }[] = []): Promise<CometSim> {
  const sim = await startCometSim({ apiKeys: [SIM_KEY, ...extraKeys.map((k) => k.apiKey)] });
  sim.seed({ keys: [{ apiKey: SIM_KEY, workspaces }, ...extraKeys] });
  return sim;
}

export function cometBackend(sim: CometSim, dataDir: string, options: Partial<CometBackendOptions> = {}): Backend {
  return createCometBackend({
    dataDir,
    cometUrl: sim.url,
    fallbackApiKey: SIM_KEY,
    timeoutMs: 2_000,
    retryBackoffMs: 5,
    outboxBackoffMs: 20,
    outboxMaxBackoffMs: 200,
    drainOnCloseMs: 200,
    ...options,
  });
}
