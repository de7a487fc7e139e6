/**
 * What the MLflow domain modules share: the parts built by index.ts, a caller's API (credentials resolved,
 * through the run memory), the one workspace, and writes made at most once per idempotency claim.
 */
import { BadUserInputError } from '../../errors';
import type { CometIdempotency } from '../comet/idempotency';
import type { Outbox } from '../comet/outbox';
import type * as Port from '../port';
import { MlflowApi } from './api';
import type { MlflowCache } from './cache';
import type { CredentialResolver } from './credentials';
import type { MlflowHttp } from './http';

export interface MlflowParts {
  http: MlflowHttp;
  cache: MlflowCache;
  credentials: CredentialResolver;
  /** `TRACKQL_MLFLOW_WORKSPACE`: the name the server's one workspace goes by. */
  workspace: string;
  /** Holds the idempotency records (`mlflow-outbox.db`). */
  outbox: Outbox;
  idempotency: CometIdempotency;
  now: () => number;
}

export class MlflowContext {
  readonly parts: MlflowParts;

  constructor(parts: MlflowParts) {
    this.parts = parts;
  }

  get workspace(): string {
    return this.parts.workspace;
  }

  now(): number {
    return this.parts.now();
  }

  api(caller: Port.Caller, options: Port.ReadOptions = {}): MlflowApi {
    return new MlflowApi(this.parts.http, this.parts.credentials.resolve(caller), this.parts.cache, options.fresh === true);
  }

  /** With an idempotency claim, runs the write at most once per key. */
  once<T>(caller: Port.Caller, options: Port.WriteOptions | undefined, write: () => Promise<T>): Promise<T> {
    return this.parts.idempotency.call(caller.keyId, options?.idempotency, write);
  }

  /** Refuses a workspace other than the server's one: MLflow has no workspaces (a write must not land elsewhere). */
  checkWorkspace(workspace: string): void {
    if (workspace !== this.parts.workspace) {
      throw new BadUserInputError(
        `The MLflow backend serves one workspace, '${this.parts.workspace}' (TRACKQL_MLFLOW_WORKSPACE), got '${workspace}'`,
        { field: 'workspace', reason: 'UNKNOWN_WORKSPACE' },
      );
    }
  }
}
