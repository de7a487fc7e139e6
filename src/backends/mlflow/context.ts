/**
 * What the MLflow domain modules share: the parts built by index.ts, a caller's API (credentials resolved,
 * through the run memory), the one workspace, and writes made at most once per idempotency claim.
 */
import { BadUserInputError } from '../../errors';
import type { CometIdempotency } from '../comet/idempotency';
import type { Outbox, WriteKind } from '../comet/outbox';
import type { WriteItem, WritePipeline } from '../comet/writer';
import type * as Port from '../port';
import { MlflowApi } from './api';
import type { MlflowCache } from './cache';
import type { CredentialResolver, Credentials } from './credentials';
import type { MlflowHttp } from './http';

export interface MlflowParts {
  http: MlflowHttp;
  cache: MlflowCache;
  credentials: CredentialResolver;
  /** `TRACKQL_MLFLOW_WORKSPACE`: the name the server's one workspace goes by. */
  workspace: string;
  /** The durable outbox (`mlflow-outbox.db`): queued writes, dead letters and idempotency records. */
  outbox: Outbox;
  /** Logged values on their way to MLflow, shared with Comet (comet/writer.ts). */
  writer: WritePipeline<Credentials>;
  drainOnCloseMs: number;
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

  /** Hands logged values to the write pipeline: ACCEPTED once MLflow has them, QUEUED once the outbox has. */
  submit(caller: Port.Caller, runId: string, kind: WriteKind, values: readonly unknown[], options?: Port.WriteOptions): Promise<Port.WriteStatus> {
    if (values.length === 0) return Promise.resolve('ACCEPTED');
    const session = this.parts.credentials.resolve(caller);
    const claim = options?.idempotency;
    const { writer, idempotency } = this.parts;
    if (!claim) return writer.submit(session, runId, kind, values);
    return idempotency.logged(caller.keyId, claim, (record) => writer.submitDurable(session, runId, [{ kind, values }], record));
  }

  /** The writes that follow a run just made (its parameters), through the outbox: a failure in between loses none. */
  queueSteps(caller: Port.Caller, runId: string, items: readonly WriteItem[]): Promise<Port.WriteStatus> {
    if (items.length === 0) return Promise.resolve('ACCEPTED');
    return this.parts.writer.submitDurable(this.parts.credentials.resolve(caller), runId, items, () => undefined, { ofMadeRun: true });
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
