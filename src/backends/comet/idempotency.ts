/**
 * Idempotency records of the Comet backend: Comet has no idempotency of its own, so the gateway must
 * remember what it already sent. Every record is in one of five states, and moves only as `MOVES` allows:
 *
 *   pending ──→ done                      the write's outcome is known and recorded
 *      │
 *      └────→ ambiguous ──→ reconciled ──→ done
 *                  │            (what the first attempt did was found: resumed, or safely redone)
 *                  └──────→ dead           (it could not be found out: the key stays refused)
 *
 * - Logging writes (metrics, parameters, others) with a key enter the outbox first, their record written
 *   `done` in the same transaction (`WritePipeline.submitDurable`): after a crash both exist or neither
 *   does, and the outbox delivers what it holds. The record says QUEUED until Comet took the write.
 * - REST writes answered with an entity cannot be queued: a `pending` record is written before the call.
 *   A plain write (end, archive, tags, registry) that fails is forgotten, so a retry sends it again (each is
 *   an overwrite on Comet); a `pending` record found later belongs to a call cut short by a crash, and is
 *   refused (`dead`) rather than guessed. A write with a reconciler (`createExperiment`, create-run.ts)
 *   records its progress as it goes; an ambiguous failure (a timeout, a reset or a 5xx after the request
 *   left, or a failure after the run was made) leaves it `ambiguous`, and the retry asks the reconciler what
 *   the first attempt did before doing anything: resume it, run it again when nothing was stored, or give up.
 *
 * Calls with one key are serialized (records.ts: in process; records-redis.ts: across replicas).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BadUserInputError, isTrackqlError } from '../../errors';
import type { IdempotencyClaim, WriteStatus } from '../port';
import { encodeResult, replay } from '../shared/idempotency';
import { isAmbiguous } from './http';
import type { RecordStore, StoredRecord } from './records';

export type WriteState = 'pending' | 'done' | 'ambiguous' | 'reconciled' | 'dead';

/** The only moves a record may make; a missing record is "nothing done yet". */
const MOVES: Readonly<Record<WriteState, readonly WriteState[]>> = {
  pending: ['done', 'ambiguous', 'dead'],
  ambiguous: ['reconciled', 'dead'],
  reconciled: ['done', 'ambiguous'],
  done: [],
  dead: [],
};

/** What the reconciler found out about an ambiguous attempt. */
export type Reconciled =
  | { readonly outcome: 'resume'; readonly progress: unknown }
  | { readonly outcome: 'absent' }
  | { readonly outcome: 'unknown'; readonly reason: string };

/** A write that records its progress and can find out what an ambiguous attempt of it did. */
export interface ReconcilableWrite<T> {
  /** Does the write; `resume` is what an earlier attempt got done, `progress` records more of it durably. */
  run(step: { resume: unknown; progress(value: unknown): Promise<void> }): Promise<T>;
  /** After an ambiguous attempt started at `since` (Unix ms) that had recorded `progress`. */
  reconcile(found: { progress: unknown; since: number }): Promise<Reconciled>;
}

function outcomeUnknown(claim: IdempotencyClaim, why: string): BadUserInputError {
  return new BadUserInputError(
    `The first call with idempotencyKey '${claim.key.slice(0, 64)}' ${why}, so whether it took effect is unknown: check, then retry with a new key`,
    { field: 'idempotencyKey', reason: 'IDEMPOTENCY_OUTCOME_UNKNOWN' },
  );
}

export class CometIdempotency {
  readonly #store: RecordStore;
  readonly #settleMs: number;
  readonly #now: () => number;

  /**
   * `settleMs`: how long after an ambiguous attempt started its reconciliation waits, since Comet's reads lag
   * its writes (§8 "Latency"): a run made a moment ago may not be listed yet.
   */
  readonly #isAmbiguous: (error: unknown) => boolean;

  /** `ambiguous`: which failures leave a write's outcome unknown (default Comet's, http.ts; MLflow passes its own). */
  constructor(store: RecordStore, settleMs = 0, now: () => number = Date.now, ambiguous: (error: unknown) => boolean = isAmbiguous) {
    this.#store = store;
    this.#settleMs = settleMs;
    this.#now = now;
    this.#isAmbiguous = ambiguous;
  }

  /** A plain REST write (end, archive, tag, registry, delete; `once` of the port), at most once per claim. */
  async call<T>(keyId: string, claim: IdempotencyClaim | undefined, write: () => Promise<T>): Promise<T> {
    if (claim === undefined) return write();
    return this.#store.exclusive(keyId, claim, async () => {
      const found = await this.#store.get(keyId, claim);
      if (found) return this.#answer<T>(keyId, claim, found, 'was cut short (the gateway stopped) before Comet answered');
      await this.#store.put(keyId, claim, { state: 'pending', resultJson: 'null', progressJson: 'null' });
      let result: T;
      try {
        result = await write();
      } catch (error) {
        await this.#store.delete(keyId, claim); // an overwrite: a retry may send it again
        throw error;
      }
      await this.#move(keyId, claim, 'pending', 'done', { resultJson: encodeResult(result) });
      return result;
    });
  }

  /** A write that may be resumed or redone after an ambiguous failure, never done twice. */
  async reconcilable<T>(keyId: string, claim: IdempotencyClaim | undefined, write: ReconcilableWrite<T>): Promise<T> {
    if (claim === undefined) return write.run({ resume: null, progress: async () => undefined });
    return this.#store.exclusive(keyId, claim, async () => {
      let found = await this.#store.get(keyId, claim);
      if (found && (found.state === 'done' || found.state === 'dead')) return this.#answer<T>(keyId, claim, found, '');
      let resume: unknown = null;
      let state: WriteState = 'pending';
      if (found) {
        replay(found, { ...claim, onReplay: undefined }); // another request with this key is a conflict first
        // A pending or reconciled record whose call is no longer running (calls are serialized) was cut short
        // by a crash: what it did is as unknown as after an ambiguous failure.
        if (found.state !== 'ambiguous') found = await this.#move(keyId, claim, found.state, 'ambiguous', {});
        const progress = JSON.parse(found.progressJson) as unknown;
        const settle = found.createdAt + this.#settleMs - this.#now();
        if (progress === null && settle > 0) await sleep(settle);
        const answer = await write.reconcile({ progress, since: found.createdAt });
        if (answer.outcome === 'unknown') {
          const reason = `failed ambiguously and ${answer.reason}`;
          await this.#move(keyId, claim, 'ambiguous', 'dead', { reason });
          throw outcomeUnknown(claim, reason);
        }
        resume = answer.outcome === 'resume' ? answer.progress : null;
        await this.#move(keyId, claim, 'ambiguous', 'reconciled', { progressJson: encodeResult(resume) });
        state = 'reconciled';
      } else {
        await this.#store.put(keyId, claim, { state: 'pending', resultJson: 'null', progressJson: 'null' });
      }
      let progressed = resume !== null;
      let result: T;
      try {
        result = await write.run({
          resume,
          progress: async (value) => {
            progressed = true;
            await this.#store.update(keyId, claim, { progressJson: encodeResult(value) });
          },
        });
      } catch (error) {
        if (progressed || this.#isAmbiguous(error) || !isTrackqlError(error)) {
          // Something may be stored upstream: keep the record for the retry to reconcile.
          await this.#move(keyId, claim, state, 'ambiguous', {});
        } else {
          await this.#store.delete(keyId, claim); // refused before anything was stored: a retry may try again
        }
        throw error;
      }
      await this.#move(keyId, claim, state, 'done', { resultJson: encodeResult(result) });
      return result;
    });
  }

  /** A logging write: `submit` gets the hook that writes the record in the outbox's enqueue transaction. */
  async logged(keyId: string, claim: IdempotencyClaim | undefined, submit: (record: () => void) => Promise<WriteStatus>): Promise<WriteStatus> {
    if (claim === undefined) return submit(() => undefined);
    return this.#store.exclusive(keyId, claim, async () => {
      const found = await this.#store.get(keyId, claim);
      if (found) return this.#answer<WriteStatus>(keyId, claim, found, 'was cut short before it was queued');
      let status: WriteStatus;
      let copied: Promise<void> = Promise.resolve();
      try {
        status = await submit(() => {
          this.#store.putInOutbox(keyId, claim, encodeResult('QUEUED'));
          // Runs once the transaction committed (a microtask after it): a shared store copies the record out.
          copied = Promise.resolve().then(() => this.#store.afterOutbox?.(keyId, claim));
        });
        await copied;
      } catch (error) {
        await copied.catch(() => undefined);
        // Comet refused it before storing any of it, and its entries were dropped (delivery.ts): nothing is
        // stored, a retry may try again.
        await this.#store.delete(keyId, claim);
        throw error;
      }
      // Recorded before the answer: a retry replays exactly what this call answers.
      if (status === 'ACCEPTED') await this.#store.update(keyId, claim, { resultJson: encodeResult(status) });
      return status;
    });
  }

  async close(): Promise<void> {
    await this.#store.close?.();
  }

  /** The answer for a retry that found a record: its result when done, a refusal otherwise. */
  async #answer<T>(keyId: string, claim: IdempotencyClaim, found: StoredRecord, why: string): Promise<T> {
    if (found.state === 'done') return replay<T>(found, claim);
    replay(found, { ...claim, onReplay: undefined }); // a different request with this key is a conflict first
    if (found.state !== 'dead') await this.#move(keyId, claim, found.state, 'dead', { reason: why });
    throw outcomeUnknown(claim, found.reason ?? why);
  }

  async #move(keyId: string, claim: IdempotencyClaim, from: WriteState, to: WriteState, change: Partial<Pick<StoredRecord, 'resultJson' | 'progressJson' | 'reason'>>): Promise<StoredRecord> {
    if (!MOVES[from].includes(to)) throw new Error(`comet idempotency: a ${from} record cannot become ${to}`);
    return this.#store.update(keyId, claim, { ...change, state: to });
  }
}
