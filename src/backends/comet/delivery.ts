/**
 * Calls waiting for their outbox entries to reach Comet (idempotent logging writes go through the outbox
 * first, see `WritePipeline.submitDurable`). A call answers ACCEPTED once Comet took all its entries, QUEUED
 * as soon as its lane has to wait (backoff, budget, shutdown) or after `maxWaitMs`, and fails with Comet's
 * refusal, like a live send would, when Comet stored none of it: then its other entries are dropped too, so
 * nothing of it is half-stored behind the caller's back. A refusal after Comet stored part of it keeps the
 * refused entry as a dead letter and the call answers QUEUED.
 */
import type { WriteStatus } from '../port';

interface Group {
  readonly laneId: string;
  readonly pending: Set<number>;
  readonly all: readonly number[];
  /** A refusal keeps the entries (a replayed dead letter goes back to dead) instead of dropping them. */
  readonly keep: boolean;
  settle(outcome: WriteStatus | Error): void;
}

export class DeliveryWaiters {
  readonly #byEntry = new Map<number, Group>();
  readonly #byLane = new Map<string, Set<Group>>();

  /** Waits for the entries `ids` of lane `laneId`. */
  wait(laneId: string, ids: readonly number[], maxWaitMs: number, keep = false): Promise<WriteStatus> {
    if (ids.length === 0) return Promise.resolve('ACCEPTED');
    return new Promise<WriteStatus>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => group.settle('QUEUED'), maxWaitMs);
      timer.unref();
      const group: Group = {
        laneId,
        pending: new Set(ids),
        all: [...ids],
        keep,
        settle: (outcome) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.#forget(group);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      for (const id of ids) this.#byEntry.set(id, group);
      const lane = this.#byLane.get(laneId) ?? new Set<Group>();
      lane.add(group);
      this.#byLane.set(laneId, lane);
    });
  }

  /** Comet took entry `id`. */
  delivered(id: number): void {
    const group = this.#byEntry.get(id);
    if (!group) return;
    group.pending.delete(id);
    this.#byEntry.delete(id);
    if (group.pending.size === 0) group.settle('ACCEPTED');
  }

  /**
   * Comet refused entry `id` for good. When a call waits for it, that call fails with `error` and the ids of
   * all its entries are returned, to be removed rather than kept in `dead`; null when nobody waits.
   */
  refused(id: number, error: Error): readonly number[] | null {
    const group = this.#byEntry.get(id);
    if (!group) return null;
    if (group.keep) {
      group.settle(error);
      return null;
    }
    if (group.pending.size < group.all.length) {
      // Comet already stored part of the call: it must not fail for values that were stored. The refused
      // entry is kept as a dead letter (returning null says so), the rest is delivered, and the call is QUEUED.
      group.settle('QUEUED');
      return null;
    }
    group.settle(error);
    return group.all;
  }

  /** Lane `laneId` cannot send for now: its waiting calls answer QUEUED (the outbox keeps their entries). */
  stalled(laneId: string): void {
    for (const group of [...(this.#byLane.get(laneId) ?? [])]) group.settle('QUEUED');
  }

  #forget(group: Group): void {
    for (const id of group.all) if (this.#byEntry.get(id) === group) this.#byEntry.delete(id);
    const lane = this.#byLane.get(group.laneId);
    lane?.delete(group);
    if (lane?.size === 0) this.#byLane.delete(group.laneId);
  }
}
