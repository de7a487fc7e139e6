/**
 * A topic is one channel's local audience: the subscribers of this replica to one experiment's metrics or
 * one project's experiment events. The hub subscribes the bus once per topic and fans each event out here.
 */
import type { Caller } from '../backends/port';
import { RecentPoints } from './dedup';
import type { MetricEvent } from './events';
import type { ExperimentPoller } from './poller';
import type { SubscriberQueue } from './queue';

/** The socket a subscriber reads from, as the hub needs it (graphql-ws's socket behind it). */
export interface LiveConnection {
  /** Bytes accepted by `send` but not yet handed to the kernel. */
  bufferedAmount(): number;
  close(code: number, reason: string): void;
}

export interface Subscriber<T> {
  readonly queue: SubscriberQueue<T>;
  readonly caller: Caller;
  readonly connection: LiveConnection;
  /** Metric names wanted (`metricLogged(names:)`); null for all, and for experiment events. */
  readonly names: ReadonlySet<string> | null;
}

export class Topic<T> {
  readonly subscribers = new Set<Subscriber<T>>();
  #unsubscribe: (() => void) | null = null;
  #pending: T[] = [];

  constructor(
    readonly channel: string,
    private readonly offer: (subscriber: Subscriber<T>, event: T) => void,
  ) {}

  /** Keeps the bus subscription's cancel function, called by `dispose`. */
  attach(unsubscribe: () => void): void {
    this.#unsubscribe = unsubscribe;
  }

  /**
   * Fans the event out after the current turn of the event loop, with any other events of this turn in
   * order: the write that published it answers its client first and never waits for the fan-out.
   */
  receive(event: T): void {
    this.#pending.push(event);
    if (this.#pending.length === 1) setImmediate(() => this.#fanOut());
  }

  #fanOut(): void {
    const events = this.#pending;
    this.#pending = [];
    for (const event of events) {
      // A copy: offering may close subscribers, which removes them from the set.
      for (const subscriber of [...this.subscribers]) {
        if (this.wants(subscriber, event)) this.offer(subscriber, event);
      }
    }
  }

  protected wants(_subscriber: Subscriber<T>, _event: T): boolean {
    return true;
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }
}

/** An experiment's metric topic; with a poller, points pass `RecentPoints` so each reaches subscribers once. */
export class MetricTopic extends Topic<MetricEvent> {
  #poller: ExperimentPoller | null = null;
  #recent: RecentPoints | null = null;

  get poller(): ExperimentPoller | null {
    return this.#poller;
  }

  startPoller(poller: ExperimentPoller): void {
    this.#poller = poller;
    this.#recent = new RecentPoints();
    poller.start();
  }

  stopPoller(): void {
    this.#poller?.stop();
    this.#poller = null;
    this.#recent = null;
  }

  override receive(event: MetricEvent): void {
    let admitted: MetricEvent | null = event;
    if (this.#recent) {
      admitted = this.#recent.admit(event);
      if (admitted) this.#poller?.observe(admitted);
    }
    if (admitted) super.receive(admitted);
  }

  protected override wants(subscriber: Subscriber<MetricEvent>, event: MetricEvent): boolean {
    return subscriber.names === null || subscriber.names.has(event.name);
  }

  /** Metric names some subscriber wants, or null when one of them wants all (the poller reads only these). */
  wantedNames(): string[] | null {
    const union = new Set<string>();
    for (const subscriber of this.subscribers) {
      if (subscriber.names === null) return null;
      subscriber.names.forEach((n) => union.add(n));
    }
    return [...union].sort();
  }

  override dispose(): void {
    this.stopPoller();
    super.dispose();
  }
}
