/**
 * An MLflow backend over the MLflow simulator, for tests: the contract suite's workspace, a temporary data
 * dir for the idempotency records, short timeouts and backoffs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMlflowBackend, type MlflowBackendOptions } from '../../src/backends/mlflow';
import type { Backend } from '../../src/backends/port';
import type { MlflowSim } from './mlflow-sim';

export function tempDataDir(prefix = 'trackql-mlflow-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function mlflowBackend(sim: MlflowSim, dataDir: string, options: Partial<MlflowBackendOptions> = {}): Backend {
  return createMlflowBackend({
    url: sim.url,
    workspace: 'contract-ws',
    dataDir,
    timeoutMs: 5_000,
    retryBackoffMs: 5,
    ambiguousSettleMs: 50,
    ...options,
  });
}
