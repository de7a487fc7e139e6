/**
 * The live hub: the services publish through it (`LiveEvents`), the subscription resolvers subscribe
 * through it. It owns the topics of this replica, each subscriber's bounded queue, the pollers, and the
 * decision to close a consumer that is too slow.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { modelVersionNotFound, type Caller, type Domains, type MetricPointInput, type ModelVersionRef } from '../backends/port';
import { UpstreamUnavailableError } from '../errors';
import { LiveAccess } from './access';
import { RateBudget } from './budget';
import type { Bus } from './bus';
import { LiveCloseCode, MAX_QUEUED_EXPERIMENT_EVENTS, SOCKET_HIGH_WATER_BYTES, SUBSCRIBER_TOO_SLOW_REASON, metricChannel, modelChannel, predictionChannel, projectChannel } from './constants';
import { metricEventsOf, type ExperimentEvent, type LiveEvents, type LiveMessage, type MetricEvent, type ModelVersionEvent, type PredictionBatchEvent } from './events';
import type { LiveLogger } from './logger';
import { experimentPolicy, metricPolicy, modelPolicy, predictionPolicy } from './policies';
import { ExperimentPoller } from './poller';
import { SubscriberQueue, type QueuePolicy } from './queue';
import { MetricTopic, Topic, type LiveConnection, type Subscriber } from './topic';

/** The reads the live feed makes: access checks at subscribe time, and the pollers' reads. */
export interface LivePort {
  experiments: Pick<Domains['experiments'], 'get'>;
  projects: Pick<Domains['projects'], 'get' | 'getWorkspaces'>;
  metrics: Pick<Domains['metrics'], 'summaries' | 'histories'>;
  registry: Pick<Domains['registry'], 'versions'>;
}

export interface LiveHubOptions {
  bus: Bus;
  port: LivePort;
  logger: LiveLogger;
  /** Most metric points waiting per subscriber; beyond it, points of the same metric are coalesced. */
  queuePoints: number;
  /** A subscriber that takes nothing from its non-empty queue for this long (ms) is closed. */
  stuckMs: number;
  /** Poll the backend for points logged behind the gateways' back; null: off. */
  poll: { intervalMs: number; callsPerMinute: number } | null;
  now?: () => number;
}

/** Who subscribes: the caller the connection authenticated as, and the socket it reads from. */
export interface SubscriberIdentity {
  caller: Caller;
  connection: LiveConnection;
}

/** What the hub tracks of any subscriber, whatever its events. */
type Tracked = Pick<Subscriber<unknown>, 'caller' | 'connection'> & { readonly queue: Pick<SubscriberQueue<unknown>, 'close' | 'length' | 'isStuck' | 'waitingMs'> };

export class LiveHub implements LiveEvents {
  readonly #access: LiveAccess;
  readonly #budget: RateBudget | null;
  readonly #metricTopics = new Map<string, MetricTopic>();
  /** Every poller not yet finished: a stopped one may still have a poll in flight. */
  readonly #pollers = new Set<ExperimentPoller>();
  readonly #projectTopics = new Map<string, Topic<ExperimentEvent>>();
  readonly #predictionTopics = new Map<string, Topic<PredictionBatchEvent>>();
  readonly #modelTopics = new Map<string, Topic<ModelVersionEvent>>();
  readonly #byConnection = new Map<LiveConnection, Set<Tracked>>();
  readonly #sweep: NodeJS.Timeout;
  readonly #now: () => number;
  #closing = false;
  readonly #stats = { highWaterPoints: 0, coalesced: 0, droppedPoints: 0, closedTooSlow: 0 };
  /** Counted by the WebSocket layer's shared executions (src/server/live-fanout.ts). */
  readonly fanoutCounters = { executions: 0, deliveries: 0 };
  #fanoutGroups: () => number = () => 0;
  /** Delay of the event loop: events wait there, before any queue, when the replica is CPU-bound. */
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 10 });
  readonly #loopWindow: NodeJS.Timeout;
  #lastLoopWindow: { p99: number; max: number } | null = null;

  constructor(private readonly options: LiveHubOptions) {
    this.#access = new LiveAccess(options.port);
    this.#budget = options.poll ? new RateBudget(options.poll.callsPerMinute) : null;
    this.#now = options.now ?? Date.now;
    // Catches consumers that stalled with no new event to notice it on.
    this.#sweep = setInterval(() => this.#closeStuck(), Math.max(50, Math.min(1000, options.stuckMs / 4)));
    this.#sweep.unref();
    this.#loopDelay.enable();
    this.#loopWindow = setInterval(() => {
      this.#lastLoopWindow = loopLag(this.#loopDelay);
      this.#loopDelay.reset();
    }, LOOP_WINDOW_MS);
    this.#loopWindow.unref();
  }

  /** How many distinct subscriptions the WebSocket layer executes for (reported in `status`). */
  observeFanout(groups: () => number): void {
    this.#fanoutGroups = groups;
  }

  // ---- publishing (LiveEvents) -------------------------------------------------------------------------

  metricsLogged(experimentKey: string, points: readonly MetricPointInput[]): void {
    this.#publish(() => {
      for (const event of metricEventsOf(experimentKey, points)) this.options.bus.publish(metricChannel(experimentKey), { kind: 'metric', event });
    });
  }

  experimentChanged(event: ExperimentEvent): void {
    this.#publish(() => this.options.bus.publish(projectChannel(event.workspace, event.project), { kind: 'experiment', event }));
  }

  predictionsLogged(ref: ModelVersionRef, timestamps: readonly number[]): void {
    if (timestamps.length === 0) return;
    this.#publish(() => {
      let from = timestamps[0];
      let to = timestamps[0];
      for (const t of timestamps) {
        if (t < from) from = t;
        if (t > to) to = t;
      }
      const event = { workspace: ref.workspace, modelName: ref.modelName, modelVersion: ref.version, count: timestamps.length, from, to };
      this.options.bus.publish(predictionChannel(ref.workspace, ref.modelName, ref.version), { kind: 'predictions', event });
    });
  }

  /** To the workspace's channel and the model's own, so each subscriber joins one topic. */
  modelVersionChanged(event: ModelVersionEvent): void {
    const { workspace, modelName } = event.version;
    this.#publish(() => {
      for (const channel of [modelChannel(workspace, null), modelChannel(workspace, modelName)]) this.options.bus.publish(channel, { kind: 'model', event });
    });
  }

  #publish(send: () => void): void {
    try {
      send();
    } catch (err) {
      this.options.logger.error('live event not published', { error: err });
    }
  }

  // ---- subscribing -------------------------------------------------------------------------------------

  /** Points of one experiment (only `names` when given), from now on. NOT_FOUND when the caller cannot read it. */
  async subscribeMetrics(who: SubscriberIdentity, experimentKey: string, names: readonly string[] | null): Promise<AsyncIterableIterator<MetricEvent>> {
    this.#refuseWhileClosing();
    await this.#access.experiment(who.caller, experimentKey);
    this.#refuseWhileClosing();
    const topic = this.#metricTopics.get(experimentKey) ?? this.#metricTopic(experimentKey);
    const subscriber = this.#subscriber(who, metricPolicy, this.options.queuePoints, names ? new Set(names) : null);
    this.#join(topic, subscriber, () => this.#metricTopics.get(experimentKey) === topic && this.#metricTopics.delete(experimentKey));
    if (!topic.poller) this.#startPoller(topic, experimentKey, who.caller);
    return subscriber.queue;
  }

  #metricTopic(experimentKey: string): MetricTopic {
    const topic = new MetricTopic(metricChannel(experimentKey), (s, e) => this.#offerPoints(s, e));
    topic.attach(this.options.bus.subscribe(topic.channel, (m) => {
      if (m.kind === 'metric') topic.receive(m.event);
    }));
    this.#metricTopics.set(experimentKey, topic);
    return topic;
  }

  /** One poller per watched experiment, paid by the key of one of its current subscribers. */
  #startPoller(topic: MetricTopic, experimentKey: string, firstCaller: Caller): void {
    if (!this.options.poll || !this.#budget) return;
    const poller = new ExperimentPoller(this.options.port, {
      experimentKey,
      caller: () => topic.subscribers.values().next().value?.caller ?? firstCaller,
      names: () => topic.wantedNames(),
      deliver: (event) => topic.receive(event),
    }, { intervalMs: this.options.poll.intervalMs, budget: this.#budget, logger: this.options.logger, now: this.#now });
    this.#pollers.add(poller);
    topic.startPoller(poller);
  }

  /** Experiment events of one project, from now on. NOT_FOUND when the caller cannot read the project. */
  async subscribeExperiments(who: SubscriberIdentity, workspace: string, project: string): Promise<AsyncIterableIterator<ExperimentEvent>> {
    this.#refuseWhileClosing();
    await this.#access.project(who.caller, workspace, project);
    this.#refuseWhileClosing();
    return this.#joinTopic(this.#projectTopics, projectChannel(workspace, project), 'experiment', who, experimentPolicy);
  }

  /** Model version events of a workspace (one model's when named). NOT_FOUND when the caller cannot read the workspace. */
  async subscribeModelVersions(who: SubscriberIdentity, workspace: string, modelName: string | null): Promise<AsyncIterableIterator<ModelVersionEvent>> {
    this.#refuseWhileClosing();
    await this.#access.workspace(who.caller, workspace);
    this.#refuseWhileClosing();
    return this.#joinTopic(this.#modelTopics, modelChannel(workspace, modelName), 'model', who, modelPolicy);
  }

  /** Prediction batches of one model version, from now on. NOT_FOUND when the caller cannot see the version. */
  async subscribePredictions(who: SubscriberIdentity, ref: ModelVersionRef): Promise<AsyncIterableIterator<PredictionBatchEvent>> {
    this.#refuseWhileClosing();
    const [versions] = await this.options.port.registry.versions(who.caller, [{ workspace: ref.workspace, name: ref.modelName }]);
    if (versions instanceof Error) throw versions;
    if (!versions.some((v) => v.version === ref.version)) throw modelVersionNotFound(ref);
    this.#refuseWhileClosing();
    return this.#joinTopic(this.#predictionTopics, predictionChannel(ref.workspace, ref.modelName, ref.version), 'predictions', who, predictionPolicy);
  }

  /**
   * Joins `who` to the topic of `channel`, made (and subscribed on the bus to messages of `kind`) for its
   * first subscriber and forgotten with its last: every topic but the metric ones, which also poll.
   */
  #joinTopic<K extends Exclude<LiveMessage['kind'], 'metric'>, T extends Extract<LiveMessage, { kind: K }>['event']>(
    topics: Map<string, Topic<T>>, channel: string, kind: K, who: SubscriberIdentity, policy: QueuePolicy<T>,
  ): SubscriberQueue<T> {
    let topic = topics.get(channel);
    if (!topic) {
      const created = new Topic<T>(channel, (s, e) => this.#offer(s, e));
      created.attach(this.options.bus.subscribe(channel, (m) => {
        if (m.kind === kind) created.receive(m.event as T);
      }));
      topics.set(channel, (topic = created));
    }
    const joined = topic;
    const subscriber = this.#subscriber(who, policy, MAX_QUEUED_EXPERIMENT_EVENTS, null);
    this.#join(joined, subscriber, () => topics.get(channel) === joined && topics.delete(channel));
    return subscriber.queue;
  }

  #subscriber<T>(who: SubscriberIdentity, policy: QueuePolicy<T>, bound: number, names: ReadonlySet<string> | null): Subscriber<T> {
    const { connection } = who;
    const queue = new SubscriberQueue(bound, policy, { pressure: () => connection.bufferedAmount() > SOCKET_HIGH_WATER_BYTES, now: this.#now });
    return { queue, caller: who.caller, connection, names };
  }

  #join<T>(topic: Topic<T>, subscriber: Subscriber<T>, forgetTopic: () => void): void {
    topic.add(subscriber);
    let mine = this.#byConnection.get(subscriber.connection);
    if (!mine) this.#byConnection.set(subscriber.connection, (mine = new Set()));
    mine.add(subscriber);
    subscriber.queue.onReturn(() => {
      topic.remove(subscriber);
      if (topic.subscribers.size === 0) {
        topic.dispose();
        forgetTopic();
      }
      const set = this.#byConnection.get(subscriber.connection);
      set?.delete(subscriber);
      if (set?.size === 0) this.#byConnection.delete(subscriber.connection);
    });
  }

  #refuseWhileClosing(): void {
    if (this.#closing) throw new UpstreamUnavailableError('The gateway is shutting down: reconnect to another replica or retry shortly');
  }

  // ---- backpressure ------------------------------------------------------------------------------------

  #offer<T>(subscriber: Subscriber<T>, event: T): void {
    const { offer, dropped } = subscriber.queue.offer(event);
    if (offer === 'coalesced') {
      this.#stats.coalesced += 1;
      this.#stats.droppedPoints += dropped;
    }
    if (offer === 'overflow' || subscriber.queue.isStuck(this.options.stuckMs)) {
      this.#tooSlow(subscriber.connection, offer === 'overflow' ? 'overflow' : 'stuck');
      return;
    }
  }

  #offerPoints(subscriber: Subscriber<MetricEvent>, event: MetricEvent): void {
    this.#offer(subscriber, event);
    this.#stats.highWaterPoints = Math.max(this.#stats.highWaterPoints, subscriber.queue.weight);
  }

  #closeStuck(): void {
    for (const [connection, subscribers] of [...this.#byConnection]) {
      for (const s of subscribers) {
        if (s.queue.isStuck(this.options.stuckMs)) {
          this.#tooSlow(connection, 'stuck');
          break;
        }
      }
    }
  }

  /** Closes every subscription of a connection whose reader cannot keep up: one slow socket, one decision. */
  #tooSlow(connection: LiveConnection, why: 'overflow' | 'stuck'): void {
    const subscribers = this.#byConnection.get(connection);
    if (!subscribers) return;
    this.#stats.closedTooSlow += 1;
    const first = subscribers.values().next().value;
    this.options.logger.warn('live subscriber too slow: closing its connection', {
      keyId: first?.caller.keyId, why, bufferedBytes: connection.bufferedAmount(), subscriptions: subscribers.size,
    });
    for (const s of [...subscribers]) s.queue.close();
    connection.close(LiveCloseCode.SubscriberTooSlow, SUBSCRIBER_TOO_SLOW_REASON);
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------

  /** Stops new subscriptions and polls, then waits (at most `graceMs`) for queued events to be taken. */
  async drain(graceMs: number): Promise<void> {
    this.#closing = true;
    for (const topic of this.#metricTopics.values()) topic.stopPoller();
    const deadline = this.#now() + graceMs;
    while (this.#queued() > 0 && this.#now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweep);
    clearInterval(this.#loopWindow);
    this.#loopDelay.disable();
    for (const subscribers of [...this.#byConnection.values()]) for (const s of [...subscribers]) s.queue.close();
    await this.options.bus.close();
  }

  #queued(): number {
    let n = 0;
    for (const subscribers of this.#byConnection.values()) for (const s of subscribers) n += s.queue.length;
    return n;
  }

  /** For `/readyz`: where cross-replica delivery stands, and what backpressure has done so far. */
  status() {
    const bus = this.options.bus.status();
    let subscribers = 0;
    // The longest any subscriber's events have waited untaken: the delay the slow-reader protection acts on.
    let longestWaitMs = 0;
    for (const set of this.#byConnection.values()) {
      subscribers += set.size;
      for (const s of set) longestWaitMs = Math.max(longestWaitMs, s.queue.waitingMs());
    }
    // A poller counts until its last poll has finished, so `0` means no more upstream calls.
    for (const poller of this.#pollers) if (!poller.active) this.#pollers.delete(poller);
    const pollers = this.#pollers.size;
    return {
      status: bus.kind === 'redis' && bus.redis !== 'ready' ? ('degraded' as const) : ('ok' as const),
      pubsub: bus.kind,
      ...(bus.kind === 'redis' && { redis: bus.redis, redisPublishFailures: bus.publishFailures }),
      connections: this.#byConnection.size,
      subscribers,
      pollers,
      queue: { boundPoints: this.options.queuePoints, longestWaitMs, ...this.#stats },
      fanout: { groups: this.#fanoutGroups(), ...this.fanoutCounters },
      eventLoopLagMs: this.#eventLoopLag(),
    };
  }

  /** The event loop's delay over the last window (LOOP_WINDOW_MS) or the current one before that, in ms. */
  #eventLoopLag(): { p99: number; max: number } {
    return this.#lastLoopWindow ?? loopLag(this.#loopDelay);
  }
}

/** Window over which `/readyz` reports the event loop's delay. */
const LOOP_WINDOW_MS = 10_000;

function loopLag(h: ReturnType<typeof monitorEventLoopDelay>): { p99: number; max: number } {
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return h.count > 0 ? { p99: ms(h.percentile(99)), max: ms(h.max) } : { p99: 0, max: 0 };
}
