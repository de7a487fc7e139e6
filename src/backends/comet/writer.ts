/**
 * Writes that never vanish. Logging writes (metrics, parameters, others) of one experiment go through one
 * lane per (key, experiment): concurrent calls are coalesced into batch requests of at most 1000 values and
 * sent in order, one request at a time. A call is answered ACCEPTED once Comet took all its values, or
 * QUEUED once the rest is in the durable outbox; while a lane has anything queued, new calls queue behind
 * it, so order per experiment holds across failures and restarts. The outbox drains per lane, oldest first,
 * with backoff that honours Retry-After, and waits for the key's hourly budget.
 */
import { RateLimitedError, isTrackqlError, type TrackqlError } from '../../errors';
import type { WriteStatus } from '../port';
import { DeliveryWaiters } from './delivery';
import { isAmbiguous as isCometAmbiguous } from './http';
import type { OutboxEntry, WriteKind } from './outbox';
import type { CometSession } from './routing';
import {
  FULL_RETRY_AFTER_SECONDS, chunk, deadLetterNotFound, isTransient, laneId, takeBatch,
  type Lane, type PipelineSession, type StepsOptions, type Submission, type WriteItem, type WriterOptions,
} from './write-types';

export { chunk, isTransient } from './write-types';
export type { PipelineSession, Reconciler, Sender, StepsOptions, WriteItem, WriterOptions } from './write-types';

/** Generic over the session (`S`) so every upstream with an outbox (Comet, MLflow) shares one pipeline. */
export class WritePipeline<S extends PipelineSession = CometSession> {
  readonly #o: WriterOptions<S>;
  readonly #lanes = new Map<string, Lane<S>>();
  readonly #waiters = new DeliveryWaiters();
  #closing = false;
  #stopped = false;

  constructor(options: WriterOptions<S>) {
    this.#o = options;
  }

  #chunk(kind: WriteKind, values: readonly unknown[]): unknown[][] {
    return (this.#o.chunk ?? chunk)(kind, values);
  }

  #isAmbiguous(error: unknown): boolean {
    return (this.#o.isAmbiguous ?? isCometAmbiguous)(error);
  }

  #budgetWait(ns: string): number {
    return this.#o.budget?.waitSeconds(ns) ?? 0;
  }

  /** Schedules the drain of every lane persisted by an earlier run. */
  start(): void {
    for (const { ns, experimentKey } of this.#o.outbox.lanes()) this.#scheduleDrain(this.#lane(ns, experimentKey), 0);
  }

  pending(): number {
    return this.#o.outbox.count();
  }

  submit(session: S, experimentKey: string, kind: WriteKind, values: readonly unknown[]): Promise<WriteStatus> {
    const lane = this.#lane(session.ns, experimentKey);
    const queued = this.#o.outbox.laneSize(session.ns, experimentKey) > 0;
    if (queued || this.#closing || this.#budgetWait(session.ns) > 0) {
      this.#requireRoom(session.ns);
      this.#persist(lane, session, [{ kind, values }]);
      return Promise.resolve('QUEUED');
    }
    return new Promise<WriteStatus>((resolve, reject) => {
      lane.live.push({ kind, values, session, solo: false, resolve, reject });
      lane.flushing ??= this.#flush(lane).finally(() => {
        lane.flushing = null;
      });
    });
  }

  /**
   * An idempotent write: it enters the outbox first, with its record (`record` runs in the same
   * transaction), so a crash at any point leaves both or neither; the lane's drain then delivers it like any
   * queued request. Answers ACCEPTED once Comet took all of it, QUEUED as soon as the lane has to wait.
   */
  async submitDurable(
    session: S, experimentKey: string, items: readonly WriteItem[], record: () => void, steps: StepsOptions = {},
  ): Promise<WriteStatus> {
    const lane = this.#lane(session.ns, experimentKey);
    // Live sends under way go first: the experiment's writes keep their order.
    while (lane.flushing) await lane.flushing;
    const requests = items.flatMap(({ kind, values }) => this.#chunk(kind, values).map((chunkValues) => ({ kind, values: chunkValues })));
    if (!steps.ofMadeRun) this.#requireRoom(session.ns);
    const ids = this.#o.outbox.append(session.ns, session.replayKey, experimentKey, requests, record);
    if (this.#closing) return 'QUEUED';
    const outcome = this.#waiters.wait(laneId(lane), ids, this.#o.durableWaitMs ?? 15_000, steps.ofMadeRun ?? false);
    this.#scheduleDrain(lane, 0);
    return outcome;
  }

  /**
   * Queues dead letter `id` of the session's namespace again, at the tail of its lane, with its record
   * (`record` commits in the same transaction), and waits like `submitDurable`. NOT_FOUND when the namespace
   * has no such letter; a new refusal rejects, and the request is dead again (under a new id).
   */
  async replayDead(session: S, id: number, record: () => void): Promise<WriteStatus> {
    const experimentKey = this.#o.outbox.deadExperiment(session.ns, id);
    if (experimentKey === null) throw deadLetterNotFound(id);
    const lane = this.#lane(session.ns, experimentKey);
    while (lane.flushing) await lane.flushing;
    const entry = this.#o.outbox.revive(session.ns, session.replayKey, id, record);
    if (entry === null) throw deadLetterNotFound(id);
    if (this.#closing) return 'QUEUED';
    const outcome = this.#waiters.wait(laneId(lane), [entry], this.#o.durableWaitMs ?? 15_000, true);
    this.#scheduleDrain(lane, 0);
    return outcome;
  }

  /** Waits for live sends, drains what it can within `drainMs`, then stops every timer. */
  async close(drainMs: number): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#lanes.values()].map((lane) => lane.flushing));
    const deadline = Date.now() + drainMs;
    while (this.pending() > 0 && Date.now() < deadline) {
      for (const lane of this.#lanes.values()) {
        if (!lane.draining && !lane.timer && this.#o.outbox.laneSize(lane.ns, lane.experimentKey) > 0) this.#scheduleDrain(lane, 0, true);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.#stopped = true;
    for (const lane of this.#lanes.values()) if (lane.timer) clearTimeout(lane.timer);
    await Promise.all([...this.#lanes.values()].map((lane) => lane.draining));
    for (const lane of this.#lanes.values()) this.#waiters.stalled(laneId(lane));
  }

  #lane(ns: string, experimentKey: string): Lane<S> {
    const id = laneId({ ns, experimentKey });
    let lane = this.#lanes.get(id);
    if (!lane) {
      lane = { ns, experimentKey, live: [], flushing: null, draining: null, timer: null };
      this.#lanes.set(id, lane);
    }
    return lane;
  }

  /** Queues requests in the outbox; `firstAmbiguous` marks the first as possibly stored already. */
  #persist(lane: Lane<S>, session: S, items: readonly { kind: WriteKind; values: readonly unknown[] }[], firstAmbiguous = false): void {
    const requests = items.flatMap((item) => this.#chunk(item.kind, item.values).map((values) => ({ kind: item.kind, values })));
    if (requests.length === 0) return;
    const [first] = this.#o.outbox.append(session.ns, session.replayKey, lane.experimentKey, requests);
    if (firstAmbiguous) this.#o.outbox.markAmbiguous(first);
    this.#scheduleDrain(lane, 0);
  }

  async #flush(lane: Lane<S>): Promise<void> {
    while (lane.live.length > 0) {
      const batch = takeBatch(lane.live);
      const { kind, session } = batch[0];
      const values = batch.flatMap((s) => [...s.values]);
      const requests = this.#chunk(kind, values);
      let sent = 0;
      let failure: unknown = null;
      for (const request of requests) {
        try {
          await this.#o.send(session, lane.experimentKey, kind, request);
          sent += request.length;
        } catch (error) {
          failure = error;
          break;
        }
      }
      if (failure === null) {
        batch.forEach((s) => s.resolve('ACCEPTED'));
        continue;
      }
      if (isTransient(failure)) {
        // Everything not yet taken, this batch's rest and every later call, goes to the outbox in order. When
        // the key's share of the outbox is full, the later calls are refused instead: this batch's rest is
        // kept (part of it may be stored, and a batch is a few requests at most).
        let rest = lane.live.splice(0);
        if (!this.#hasRoom(session.ns)) {
          const full = this.#fullError();
          rest.forEach((s) => s.reject(full));
          rest = [];
        }
        // The failed request is the first one queued: if it may have landed, the drain checks before resending.
        this.#persist(lane, session, [{ kind, values: values.slice(sent) }, ...rest.map((s) => ({ kind: s.kind, values: s.values }))], this.#isAmbiguous(failure));
        let offset = 0;
        for (const s of batch) {
          offset += s.values.length;
          s.resolve(offset <= sent ? 'ACCEPTED' : 'QUEUED');
        }
        rest.forEach((s) => s.resolve('QUEUED'));
        return;
      }
      if (sent > 0) {
        this.#refusedPartway(lane, batch, sent, failure);
        continue;
      }
      if (batch.length > 1) {
        // A refusal of a coalesced batch: send its calls one by one, so only the faulty one fails.
        lane.live.unshift(...batch.map((s) => ({ ...s, solo: true })));
        continue;
      }
      batch.forEach((s) => s.reject(failure instanceof Error ? failure : new Error(String(failure))));
    }
  }

  /**
   * Comet refused a request for good after it took the first `sent` values of a batch. A call stores all its
   * values or none (the schema's promise), and Comet cannot take back what it stored: so calls wholly sent
   * are ACCEPTED; the call cut in two keeps its rest, the refused request as a dead letter (kept with the
   * reason, replayable) and the untried requests in the outbox, and answers QUEUED rather than an error for
   * values that were stored; calls not begun are sent again alone, so only a faulty one fails.
   */
  #refusedPartway(lane: Lane<S>, batch: readonly Submission<S>[], sent: number, failure: unknown): void {
    let offset = 0;
    const untouched: Submission<S>[] = [];
    for (const s of batch) {
      const start = offset;
      offset += s.values.length;
      if (offset <= sent) s.resolve('ACCEPTED');
      else if (start >= sent) untouched.push({ ...s, solo: true });
      else {
        const rest = this.#chunk(s.kind, s.values.slice(sent - start));
        const ids = this.#o.outbox.append(lane.ns, s.session.replayKey, lane.experimentKey, rest.map((values) => ({ kind: s.kind, values })));
        const reason = failure instanceof Error ? failure.message : String(failure);
        this.#o.onError?.(`${(this.#o.upstream ?? 'Comet').toLowerCase()} outbox: request refused for good after part of its call was stored, kept in dead`, { experimentKey: lane.experimentKey, kind: s.kind, error: reason });
        this.#o.outbox.bury(ids[0], reason);
        if (ids.length > 1) this.#scheduleDrain(lane, 0);
        s.resolve('QUEUED');
      }
    }
    lane.live.unshift(...untouched);
  }

  #hasRoom(ns: string): boolean {
    return this.#o.maxPerKey === undefined || this.#o.outbox.sizeOf(ns) < this.#o.maxPerKey;
  }

  #requireRoom(ns: string): void {
    if (!this.#hasRoom(ns)) throw this.#fullError();
  }

  #fullError(): RateLimitedError {
    return new RateLimitedError(
      `This API key already has ${this.#o.maxPerKey} requests waiting for ${this.#o.upstream ?? 'Comet'} in the gateway's outbox: retry once they are delivered`,
      FULL_RETRY_AFTER_SECONDS,
    );
  }

  #scheduleDrain(lane: Lane<S>, delayMs: number, evenIfClosing = false): void {
    if (this.#stopped || (this.#closing && !evenIfClosing) || lane.draining) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.#runDrain(lane);
    }, Math.max(0, delayMs));
    lane.timer.unref();
  }

  #runDrain(lane: Lane<S>): void {
    if (lane.draining) return;
    lane.draining = this.#drain(lane)
      .catch((error: unknown) => {
        // Not a Comet answer (the store, a bug): report it and try again later rather than stall the lane.
        this.#o.onError?.(`${(this.#o.upstream ?? 'Comet').toLowerCase()} outbox: drain failed`, { experimentKey: lane.experimentKey, error: (error as Error).message });
        return this.#o.maxBackoffMs;
      })
      .then((retryIn) => {
        lane.draining = null;
        // The lane waits (backoff, budget) or stopped: calls waiting for its entries answer QUEUED now.
        if (retryIn !== null || this.#stopped) this.#waiters.stalled(laneId(lane));
        if (retryIn !== null) this.#scheduleDrain(lane, retryIn);
        // A request queued while the drain was finishing must not wait for the next write.
        else if (!this.#stopped && this.#o.outbox.laneSize(lane.ns, lane.experimentKey) > 0) this.#scheduleDrain(lane, 0);
      });
  }

  /** Sends a lane's queued requests in order; returns ms until it should run again, or null when empty. */
  async #drain(lane: Lane<S>): Promise<number | null> {
    const { outbox } = this.#o;
    for (;;) {
      if (this.#stopped) return null;
      const entry = outbox.head(lane.ns, lane.experimentKey);
      if (!entry) return null;
      const budgetWait = this.#budgetWait(lane.ns) * 1000;
      const wait = Math.max(entry.nextAttemptAt - Date.now(), budgetWait);
      if (wait > 0) return wait;
      const apiKey = outbox.apiKeyOf(lane.ns);
      if (!apiKey) {
        outbox.bury(entry.id, 'no API key stored for this request');
        continue;
      }
      try {
        const session = this.#o.sessionOf(apiKey);
        let values = entry.values;
        if (entry.ambiguous && this.#o.reconcile) {
          // The last attempt may have been stored: send only what Comet does not have (never twice).
          values = await this.#o.reconcile(session, lane.experimentKey, entry.kind, entry.values);
          outbox.settleAmbiguous(entry.id, values);
        }
        if (values.length > 0) await this.#o.send(session, lane.experimentKey, entry.kind, values);
        outbox.remove(entry.id);
        this.#waiters.delivered(entry.id);
      } catch (error) {
        if (this.#isAmbiguous(error)) outbox.markAmbiguous(entry.id);
        if (!isTransient(error)) {
          if (!isTrackqlError(error)) throw error;
          const ofWaitingCall = this.#waiters.refused(entry.id, error);
          if (ofWaitingCall) {
            // Its caller gets the refusal, as from a live send: drop the call's entries, keep nothing in dead.
            for (const id of ofWaitingCall) outbox.remove(id);
            continue;
          }
          this.#o.onError?.(`${(this.#o.upstream ?? 'Comet').toLowerCase()} outbox: request refused for good, kept in dead`, { experimentKey: lane.experimentKey, kind: entry.kind, error: error.message });
          outbox.bury(entry.id, error.message);
          continue;
        }
        const delay = this.#retryDelay(entry, error as TrackqlError);
        outbox.defer(entry.id, Date.now() + delay, (error as Error).message);
        return delay;
      }
    }
  }

  #retryDelay(entry: OutboxEntry, error: TrackqlError): number {
    if (error instanceof RateLimitedError) return Math.max(error.retryAfter * 1000, this.#o.backoffMs);
    const exp = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** Math.min(entry.attempts, 16));
    return exp * (0.5 + Math.random() / 2);
  }
}
