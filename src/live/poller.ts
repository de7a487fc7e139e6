/**
 * Notices metric points that reached the backend without passing through a gateway (on Comet and MLflow:
 * their own SDKs logging straight to the server) while someone watches the experiment. One poller per watched experiment per
 * replica, written against the port only.
 *
 * Each poll reads the experiment's metric summaries (one call on Comet; on MLflow one run read, plus one per
 * series that moved, mlflow/series.ts), then the history of only the metrics whose
 * `lastStep` moved past what subscribers have already seen, from that step on (`afterStep`, one call per
 * moved metric). Points the gateways published themselves move the marks too (`observe`), so they are not
 * read back; a read that races with such a publish is filtered by the topic's `RecentPoints`.
 * Every call is paid from the key's `RateBudget`; a poll the budget cannot afford is skipped, not queued.
 *
 * Known limit: a point logged again at a step the poller has already passed is not noticed (histories are
 * read by step).
 */
import type { Caller, MetricSummary } from '../backends/port';
import type { LivePort } from './hub';
import { RateLimitedError } from '../errors';
import type { RateBudget } from './budget';
import { MAX_POLL_POINTS } from './constants';
import type { MetricEvent } from './events';
import type { LiveLogger } from './logger';

const FRESH = { fresh: true } as const;

/** Longest pause after repeated failures (ms). */
export const MAX_POLL_BACKOFF_MS = 60_000;
/**
 * How long a moved metric whose history reads come back empty is retried before its summary's step is
 * believed. Comet's reads lag its writes (comet-rest-v2.md §8), and a cached series may be older than a
 * fresher summary: the grace outlasts both, so points are late rather than skipped.
 */
export const EMPTY_READ_GRACE_MS = 30_000;

export interface PollTarget {
  readonly experimentKey: string;
  /** Whose key pays for the polls: one of the current subscribers (all were allowed to read the experiment). */
  caller(): Caller;
  /** Metric names some subscriber wants, or null for all. */
  names(): string[] | null;
  deliver(event: MetricEvent): void;
}

export interface PollerOptions {
  intervalMs: number;
  budget: RateBudget;
  logger: LiveLogger;
  now?: () => number;
}

export type PollOutcome = 'primed' | 'polled' | 'unchanged' | 'over-budget';

export class ExperimentPoller {
  /** Highest step seen per metric (null: the metric has no stepped point yet). */
  readonly #marks = new Map<string, number | null>();
  /** Since when each moved metric's history has read empty. */
  readonly #emptySince = new Map<string, number>();
  #primed = false;
  #stopped = false;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #polling = false;

  constructor(
    private readonly port: Pick<LivePort, 'metrics'>,
    private readonly target: PollTarget,
    private readonly options: PollerOptions,
  ) {}

  start(): void {
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Still running, or stopped with a poll in flight (it finishes, but starts nothing more). */
  get active(): boolean {
    return !this.#stopped || this.#polling;
  }

  /** Points delivered from any source: the poller will not read them back. */
  observe(event: MetricEvent): void {
    // A point without a step (Comet) moves no mark: marks are step bounds of the next history read.
    const top = event.points.reduce<number | null>((max, p) => (p.step !== null && (max === null || p.step > max) ? p.step : max), null);
    const mark = this.#marks.get(event.name);
    if (top !== null && (mark == null || top > mark)) this.#marks.set(event.name, top);
  }

  /** One poll. The first only records where each metric stands: history from before the subscription is not replayed. */
  async pollOnce(): Promise<PollOutcome> {
    const caller = this.target.caller();
    if (!this.options.budget.take(caller.keyId, 1)) return 'over-budget';
    // Fresh reads: a cached summary would hide, for a whole cache lifetime, points logged straight to Comet.
    const [summaries] = await this.port.metrics.summaries(caller, [this.target.experimentKey], this.target.names(), FRESH);
    if (summaries instanceof Error) throw summaries;
    if (!this.#primed) {
      for (const s of summaries ?? []) this.#marks.set(s.name, s.lastStep);
      this.#primed = true;
      return 'primed';
    }
    // Stopped while the summary was read (the last subscriber left): no further call.
    if (this.#stopped) return 'unchanged';
    const moved = (summaries ?? []).filter((s) => this.#moved(s));
    if (moved.length === 0) return 'unchanged';
    const affordable = Math.min(moved.length, this.options.budget.available(caller.keyId));
    if (affordable === 0 || !this.options.budget.take(caller.keyId, affordable)) return 'over-budget';
    const reads = moved.slice(0, affordable);
    const histories = await this.port.metrics.histories(
      caller,
      reads.map((s) => ({ experimentKey: this.target.experimentKey, name: s.name, afterStep: this.#marks.get(s.name) ?? null, first: MAX_POLL_POINTS })),
      FRESH,
    );
    reads.forEach((summary, i) => {
      const history = histories[i];
      if (history instanceof Error) {
        this.options.logger.debug('live poll history failed', { metric: summary.name, error: history.message });
        return;
      }
      if (this.#stopped) return;
      if (!history || history.points.length === 0) {
        this.#emptyRead(summary);
        return;
      }
      this.#emptySince.delete(summary.name);
      const event: MetricEvent = { experimentKey: this.target.experimentKey, name: summary.name, points: history.points, dropped: 0 };
      this.observe(event);
      this.target.deliver(event);
    });
    return 'polled';
  }

  #moved(s: MetricSummary): boolean {
    if (!this.#marks.has(s.name)) return true; // a metric that appeared since the last poll
    const mark = this.#marks.get(s.name) ?? null;
    return s.lastStep !== null && (mark === null || s.lastStep > mark);
  }

  /** Retries while reads may lag, then believes the summary, so the metric stops costing a call per poll. */
  #emptyRead(s: MetricSummary): void {
    const now = (this.options.now ?? Date.now)();
    const since = this.#emptySince.get(s.name);
    if (since === undefined) this.#emptySince.set(s.name, now);
    if (since === undefined || now - since < EMPTY_READ_GRACE_MS) return;
    this.#emptySince.delete(s.name);
    this.#marks.set(s.name, s.lastStep);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    let delay = this.options.intervalMs;
    this.#polling = true;
    try {
      await this.pollOnce();
      if (this.#failures > 0) this.options.logger.info('live poll recovered', { experimentKey: this.target.experimentKey });
      this.#failures = 0;
    } catch (err) {
      this.#failures += 1;
      if (err instanceof RateLimitedError) delay = Math.max(delay, err.retryAfter * 1000);
      else delay = Math.min(MAX_POLL_BACKOFF_MS, this.options.intervalMs * 2 ** this.#failures);
      if (this.#failures === 1) {
        this.options.logger.warn('live poll failed: retrying with backoff', {
          experimentKey: this.target.experimentKey, error: err instanceof Error ? err.message : String(err), retryInMs: delay,
        });
      }
    } finally {
      this.#polling = false;
    }
    this.#schedule(delay);
  }
}
