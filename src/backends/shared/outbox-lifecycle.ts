/**
 * The lifecycle of a backend that writes upstream through the durable outbox (Comet, MLflow): idempotent
 * non-store writes, pending writes, readiness with the outbox's depth, and a close that drains briefly and
 * leaves the rest persisted for the next start. Each backend adds its domains and its capabilities.
 */
import type { Caller, IdempotencyClaim } from '../port';

/** What the lifecycle needs of a backend's parts (comet/context.ts, mlflow/context.ts). */
export interface OutboxParts {
  idempotency: { call<T>(keyId: string, claim: IdempotencyClaim, produce: () => Promise<T>): Promise<T>; close(): Promise<void> };
  writer: { pending(): number; close(drainMs: number): Promise<void> };
  outbox: { count(): number; deadCount(): number; close(): void };
  http: { close(): Promise<void> };
  cache: { ttlMs: number; close?(): Promise<void> };
  drainOnCloseMs: number;
}

export abstract class OutboxLifecycle {
  #closed: Promise<void> | null = null;

  constructor(
    private readonly backendName: string,
    private readonly parts: OutboxParts,
  ) {}

  async once<T>(caller: Caller, claim: IdempotencyClaim, produce: () => Promise<T>): Promise<T> {
    return this.parts.idempotency.call(caller.keyId, claim, produce);
  }

  pendingWrites(): number {
    return this.parts.writer.pending();
  }

  async readiness() {
    const p = this.parts;
    try {
      return { ready: true, detail: { backend: this.backendName, pendingWrites: p.outbox.count(), deadWrites: p.outbox.deadCount(), cacheTtlMs: p.cache.ttlMs } };
    } catch (error) {
      return { ready: false, detail: { backend: this.backendName, error: (error as Error).message } };
    }
  }

  /** Finishes live sends, drains the outbox briefly, leaves the rest persisted for the next start. */
  close(): Promise<void> {
    const p = this.parts;
    this.#closed ??= (async () => {
      await p.writer.close(p.drainOnCloseMs);
      await p.http.close();
      await p.idempotency.close();
      p.outbox.close();
      await p.cache.close?.();
    })();
    return this.#closed;
  }
}
