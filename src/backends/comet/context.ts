/**
 * What the Comet domain modules share: the parts built by index.ts, the resolution of a caller to a session
 * (key, upstream, cache namespace), and the two write paths: calls made at most once per idempotency claim,
 * and logged values handed to the write pipeline (accepted by Comet, or queued in the durable outbox).
 */
import type * as Port from '../port';
import { CometApi } from './api';
import type { UpstreamCache } from './cache';
import type { CometHttp } from './http';
import type { CometIdempotency } from './idempotency';
import type { Outbox } from './outbox';
import type { QueryCostLimit } from './query-cost';
import type { SessionResolver } from './routing';
import type { WriteItem, WritePipeline } from './writer';

export interface CometParts {
  http: CometHttp;
  cache: UpstreamCache;
  sessions: SessionResolver;
  outbox: Outbox;
  writer: WritePipeline;
  idempotency: CometIdempotency;
  drainOnCloseMs: number;
  now: () => number;
  /** What one experiment listing may spend on per-run summaries (query-cost.ts). */
  queryCost: QueryCostLimit;
}

export type LoggedKind = 'metric' | 'parameter' | 'other' | 'prediction' | 'label';

export class CometContext {
  readonly parts: CometParts;

  constructor(parts: CometParts) {
    this.parts = parts;
  }

  now(): number {
    return this.parts.now();
  }

  api(caller: Port.Caller, options: Port.ReadOptions = {}): CometApi {
    const session = this.parts.sessions.resolve(caller);
    const scope = this.parts.cache.scope(session.ns);
    return new CometApi(this.parts.http, options.fresh ? scope.bypassing() : scope, session);
  }

  /** With an idempotency claim, runs the write at most once per key (idempotency.ts). */
  once<T>(caller: Port.Caller, options: Port.WriteOptions | undefined, write: () => Promise<T>): Promise<T> {
    return this.parts.idempotency.call(caller.keyId, options?.idempotency, write);
  }

  /**
   * Queues the steps of a run just made in the outbox and waits briefly for their delivery: ACCEPTED once
   * Comet took them all, QUEUED once the lane has to wait. Comet's refusal of one for good rejects, and that
   * step is kept as a dead letter while the others are delivered.
   */
  queueSteps(caller: Port.Caller, experimentKey: string, items: readonly WriteItem[]): Promise<Port.WriteStatus> {
    if (items.length === 0) return Promise.resolve('ACCEPTED');
    return this.parts.writer.submitDurable(this.parts.sessions.resolve(caller), experimentKey, items, () => undefined, { ofMadeRun: true });
  }

  /** Hands logged values to the write pipeline: ACCEPTED once Comet has them, QUEUED once the outbox has. */
  submit(
    caller: Port.Caller, experimentKey: string, kind: LoggedKind, values: readonly unknown[], options?: Port.WriteOptions,
  ): Promise<Port.WriteStatus> {
    if (values.length === 0) return Promise.resolve('ACCEPTED');
    const session = this.parts.sessions.resolve(caller);
    const claim = options?.idempotency;
    const { writer, idempotency } = this.parts;
    if (!claim) return writer.submit(session, experimentKey.trim(), kind, values);
    return idempotency.logged(caller.keyId, claim, (record) => writer.submitDurable(session, experimentKey.trim(), [{ kind, values }], record));
  }
}
