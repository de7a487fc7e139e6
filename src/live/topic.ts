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
  readonly #subscribers = new Set<Subscriber<T>>();
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
      // No copy: offering may close a subscriber, which leaves the set, and a Set's iteration then skips it.
      for (const audience of this.audience(event)) for (const subscriber of audience) this.offer(subscriber, event);
    }
  }

  /** Who listens. Join and leave through `add` and `remove`, which keep any index of the audience. */
  get subscribers(): ReadonlySet<Subscriber<T>> {
    return this.#subscribers;
  }

  add(subscriber: Subscriber<T>): void {
    this.#subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber<T>): void {
    this.#subscribers.delete(subscriber);
  }

  /** The subscribers that want this event, as sets to walk (no subscriber in two of them). */
  protected audience(_event: T): Iterable<ReadonlySet<Subscriber<T>>> {
    return [this.subscribers];
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

  /** Subscribers by the metric names they filter on, and those that want every metric: an event walks only its own. */
  readonly #byName = new Map<string, Set<Subscriber<MetricEvent>>>();
  readonly #everything = new Set<Subscriber<MetricEvent>>();

  override add(subscriber: Subscriber<MetricEvent>): void {
    super.add(subscriber);
    if (subscriber.names === null) return void this.#everything.add(subscriber);
    for (const name of subscriber.names) {
      let set = this.#byName.get(name);
      if (!set) this.#byName.set(name, (set = new Set()));
      set.add(subscriber);
    }
  }

  override remove(subscriber: Subscriber<MetricEvent>): void {
    super.remove(subscriber);
    if (subscriber.names === null) return void this.#everything.delete(subscriber);
    for (const name of subscriber.names) {
      const set = this.#byName.get(name);
      if (set?.delete(subscriber) && set.size === 0) this.#byName.delete(name);
    }
  }

  protected override audience(event: MetricEvent): Iterable<ReadonlySet<Subscriber<MetricEvent>>> {
    const named = this.#byName.get(event.name);
    return named ? [named, this.#everything] : [this.#everything];
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
