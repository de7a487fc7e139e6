/**
 * The shapes of the write pipeline (writer.ts): what it sends, how it is configured, how calls are batched
 * and chunked into requests, and which failures are transient.
 */
import { NotFoundError, isTrackqlError } from '../../errors';
import type { WriteStatus } from '../port';
import type { RateBudget } from './budget';
import { Limits } from './protocol';
import type { Outbox, WriteKind } from './outbox';
import type { CometSession } from './routing';

/**
 * What the pipeline needs of a session, whichever upstream it writes to: a non-secret namespace (lanes, the
 * outbox's per-key bound) and the key the outbox keeps to rebuild the session for a later send.
 */
export interface PipelineSession {
  readonly ns: string;
  readonly replayKey: string;
}

/** Sends one request's worth of values (the caller chunks); throws a coded error on failure. */
export type Sender<S extends PipelineSession = CometSession> = (session: S, experimentKey: string, kind: WriteKind, values: readonly unknown[]) => Promise<void>;

/** The values of a request that the upstream does not have yet (after an ambiguous failure); throws like a Sender. */
export type Reconciler<S extends PipelineSession = CometSession> = (session: S, experimentKey: string, kind: WriteKind, values: readonly unknown[]) => Promise<unknown[]>;

export interface WriterOptions<S extends PipelineSession = CometSession> {
  outbox: Outbox;
  send: Sender<S>;
  /** The hourly call budget of a key (Comet's); none for an upstream without one. */
  budget?: Pick<RateBudget, 'waitSeconds'>;
  /** Session for a stored key (outbox replays after a restart). */
  sessionOf: (apiKey: string) => S;
  /** Requests of `values` (default: Comet's batch limits, `chunk`). */
  chunk?: (kind: WriteKind, values: readonly unknown[]) => unknown[][];
  /** A failure that does not say whether the upstream stored the request (default: Comet's, http.ts). */
  isAmbiguous?: (error: unknown) => boolean;
  /** The upstream's name in messages and logs. Default 'Comet'. */
  upstream?: string;
  /** First outbox retry delay in ms (doubles per attempt, capped at `maxBackoffMs`). */
  backoffMs: number;
  maxBackoffMs: number;
  /** Longest wait of a `submitDurable` call for Comet to take its entries before it answers QUEUED, ms. */
  durableWaitMs?: number;
  onError?: (message: string, detail: Record<string, unknown>) => void;
  /** Checks what an ambiguously failed request already stored, so it is never stored twice. */
  reconcile?: Reconciler<S>;
  /**
   * Requests one key namespace may hold in the outbox, queued or dead (`TRACKQL_OUTBOX_MAX_PER_KEY`): past
   * it, a write that would queue is RATE_LIMITED, so no key (an invented one during an outage) fills the disk.
   */
  maxPerKey?: number;
}

/** What a full outbox tells the caller to wait, in seconds: about one drain of a lane under backoff. */
export const FULL_RETRY_AFTER_SECONDS = 30;

/** Values of one kind, for one experiment: chunked into requests when queued. */
export interface WriteItem {
  kind: WriteKind;
  values: readonly unknown[];
}

export interface StepsOptions {
  /**
   * The steps of a run already made (create-run.ts): queued even past the key's bound, since leaving them out
   * would leave the run without them, and one refused for good is kept as a dead letter, not dropped.
   */
  ofMadeRun?: boolean;
}

export interface Submission<S extends PipelineSession = CometSession> {
  kind: WriteKind;
  values: readonly unknown[];
  session: S;
  /** Sent alone, not coalesced (after a coalesced batch was refused, to find whose values were bad). */
  solo: boolean;
  resolve(status: WriteStatus): void;
  reject(error: Error): void;
}

export interface Lane<S extends PipelineSession = CometSession> {
  ns: string;
  experimentKey: string;
  live: Submission<S>[];
  flushing: Promise<void> | null;
  draining: Promise<void> | null;
  timer: NodeJS.Timeout | null;
}

/** Transient: Comet is down, slow or throttling; anything else is a refusal that retrying will not fix. */
export function isTransient(error: unknown): boolean {
  return isTrackqlError(error) && (error.code === 'UPSTREAM_UNAVAILABLE' || error.code === 'RATE_LIMITED');
}

export function deadLetterNotFound(id: number): NotFoundError {
  return new NotFoundError(`Dead letter '${id}' does not exist for this API key`);
}

export function chunk(kind: WriteKind, values: readonly unknown[]): unknown[][] {
  // Others go one REST call per entry anyway: one request row holds them all (resending overwrites); tags and
  // a start time are one REST call each.
  // MPM events: at most the SDK's batch of 1,000 per request (mpm-protocol.ts).
  const size = kind === 'metric' || kind === 'parameter' || kind === 'prediction' || kind === 'label' ? Limits.BATCH_MAX_VALUES : Math.max(1, values.length);
  const out: unknown[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** Values per coalesced batch: a few requests' worth, so one slow call does not hold many others. */
export const MAX_COALESCED_VALUES = 5 * Limits.BATCH_MAX_VALUES;

export function laneId(lane: { ns: string; experimentKey: string }): string {
  return `${lane.ns}\u0000${lane.experimentKey}`;
}

/** The next calls to send together: same kind, in order, up to a size bound; a `solo` call alone. */
export function takeBatch<S extends PipelineSession>(live: Submission<S>[]): Submission<S>[] {
  const first = live.shift() as Submission<S>;
  const batch = [first];
  if (first.solo) return batch;
  let size = first.values.length;
  while (live.length > 0 && !live[0].solo && live[0].kind === first.kind && live[0].session.ns === first.session.ns && size + live[0].values.length <= MAX_COALESCED_VALUES) {
    const next = live.shift() as Submission<S>;
    size += next.values.length;
    batch.push(next);
  }
  return batch;
}
