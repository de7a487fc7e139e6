/**
 * Writes a backend acknowledged QUEUED and its upstream later refused for good. They are never dropped: each
 * is kept with the reason, listed to the API key that made it, and replayed or discarded on request.
 * A backend that never queues (SQLite stores every write before answering) has none, and says so.
 */
import type { Caller, Page, PageRequest, WriteOptions, WriteStatus } from './common';

export interface DeadLetter {
  /** Opaque id, stable while the letter is kept. */
  id: string;
  experimentKey: string;
  /**
   * What the request did: `metric`, `parameter`, `other`, `tags` or `start`; `prediction` or `label` for
   * monitoring, whose `experimentKey` is then the model version's lane, `mpm:<workspace>/<model>/<version>`.
   */
  kind: string;
  /** Values in the request (points, parameters, others, tags). */
  size: number;
  /** The upstream's refusal, as it said it. */
  reason: string;
  /** When the write was first queued, Unix ms. */
  queuedAt: number;
  /** When the upstream refused it for good, Unix ms. */
  failedAt: number;
}

export interface DeadLettersCapabilities {
  /** Queued writes refused for good are kept as dead letters (false: the backend never queues, so has none). */
  kept: boolean;
}

export interface DeadLettersPort {
  /** The caller's own dead letters, oldest first. */
  list(caller: Caller, page: PageRequest): Promise<Page<DeadLetter>>;
  /**
   * Queues the letter's request again and waits briefly for its delivery: ACCEPTED when the upstream took it,
   * QUEUED while it waits; a new refusal rejects and the request is kept again, under a new id.
   * NOT_FOUND for an id the caller has no letter under.
   */
  replay(caller: Caller, id: string, options?: WriteOptions): Promise<WriteStatus>;
  /** Forgets the letter for good. NOT_FOUND for an id the caller has no letter under. */
  discard(caller: Caller, id: string, options?: WriteOptions): Promise<void>;
}
