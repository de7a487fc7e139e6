/**
 * Execute once, fan out bytes. Subscribers whose document, operation, variables, caller and base URL are
 * equal see the same data for the same event, so they share one execution per event: the result is
 * serialised once, and each subscriber's socket gets it in a graphql-ws `next` frame that differs only by
 * its subscription id.
 *
 * graphql-ws keeps the protocol (init, subscribe, complete, errors, close codes); only the delivery of
 * `next` messages is taken over here. `stream` runs in graphql-ws's place of graphql-js's per-subscriber
 * `mapAsyncIterator(execute)`: it pumps the subscriber's own source (the hub's bounded queue, which keeps
 * backpressure, coalescing and the access check per subscriber) through the group's shared execution into
 * the socket's frame writer, and hands graphql-ws an iterator that yields nothing and ends when the pump
 * does. Frames of one event loop turn reach a socket in one write (frame-writer.ts).
 */
import { createHash } from 'node:crypto';
import { execute, type ExecutionArgs, type ExecutionResult, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { FrameWriter } from './frame-writer';

/** What identifies a subscriber's delivery: the socket's writer, graphql-ws's id, and who may see what. */
export interface FanoutTarget {
  writer: FrameWriter;
  subscriptionId: string;
  /** Equal only when two subscribers must see byte-identical data (see `groupKey`). */
  groupKey: string;
}

/**
 * What every subscription reads from: the hub's SubscriberQueue, which is told when events wait and taken from
 * synchronously. Its events are objects, shared by every subscriber of a topic.
 */
export interface PushSource extends AsyncIterator<unknown> {
  listen(listener: { ready(): void; closed(): void }): void;
  take(): object | undefined;
}

export function isPushSource(source: AsyncIterator<unknown>): source is PushSource {
  const s = source as Partial<PushSource>;
  return typeof s.listen === 'function' && typeof s.take === 'function';
}

export interface FanoutCounters {
  /** GraphQL executions of subscription events: one per event per group, not per subscriber. */
  executions: number;
  /** `next` frames handed to sockets. */
  deliveries: number;
}

/**
 * The sharing key. The caller's key is in it (tenancy: one key's execution never serves another), the base
 * URL too (asset URLs are built from it), and the raw variables: subscribers that spell the same values
 * differently just do not share. Hashed, so no key text is kept twice.
 */
export function groupKey(parts: { apiKey: string | null; baseUrl: string; query: string; operationName?: string | null; variables?: unknown }): string {
  const hash = createHash('sha256');
  for (const part of [parts.apiKey ?? '', parts.baseUrl, parts.operationName ?? '', JSON.stringify(parts.variables ?? null), parts.query]) {
    hash.update(String(part.length)).update(':').update(part);
  }
  return hash.digest('base64url');
}

/** What waits for a group's execution of an event: a pushed subscriber (`Member`). */
interface Waiter {
  deliver(payload: string): void;
  fail(err: unknown): void;
}

/** One distinct subscription: its execution arguments (the first subscriber's context) and its results by event. */
class Group {
  members = 0;
  /** Executed payloads, keyed by the event object: every subscriber of a topic receives the same object (src/live/topic.ts). */
  readonly #ready = new WeakMap<object, string>();
  /** Subscribers waiting for an execution in flight, told in one loop when it ends; an entry here is that execution. */
  readonly #waiters = new WeakMap<object, Waiter[]>();
  /** Executions of one group run one after another: a resolver may refresh per-event state on the context. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly args: ExecutionArgs,
    private readonly run: (args: ExecutionArgs, root: object) => Promise<string>,
  ) {}

  ready(event: object): string | undefined {
    return this.#ready.get(event);
  }

  /** Tells `waiter` the event's payload once executed, executing it unless that is already under way. */
  wait(event: object, waiter: Waiter): void {
    const waiting = this.#waiters.get(event);
    if (waiting) return void waiting.push(waiter);
    const all = [waiter];
    this.#waiters.set(event, all);
    const executed = this.#tail.then(() => this.run(this.args, event));
    this.#tail = executed.catch(() => undefined);
    executed.then((json) => {
      this.#ready.set(event, json);
      this.#waiters.delete(event);
      for (const w of all) w.deliver(json);
    }, (err: unknown) => {
      this.#waiters.delete(event);
      for (const w of all) w.fail(err);
    });
  }
}

/**
 * A subscriber fed by a pushing source (the hub's queue): each queued event is taken synchronously, and one
 * the group has already executed is written at once, with no promise per subscriber. The socket's own
 * backlog stops the taking: events then wait in the hub's bounded queue, which coalesces them and closes a
 * subscriber that stays stuck (src/live/queue.ts).
 */
class Member implements Waiter {
  #busy = false;
  #ended = false;
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;

  constructor(
    private readonly source: PushSource,
    private readonly group: Group,
    private readonly writer: FrameWriter,
    private readonly send: (payload: string) => boolean,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    source.listen({ ready: () => this.drain(), closed: () => this.#end() });
    this.drain(); // events queued before we listened
  }

  drain(): void {
    if (this.#busy || this.#ended) return;
    this.#busy = true;
    for (;;) {
      if (this.writer.congested()) return void this.writer.drained().then(() => this.#resume());
      const event = this.source.take();
      if (event === undefined) break;
      const ready = this.group.ready(event);
      if (ready === undefined) return this.group.wait(event, this); // stays busy: `deliver` resumes
      if (!this.send(ready)) return this.#end();
    }
    this.#busy = false;
  }

  deliver(payload: string): void {
    if (this.#ended) return;
    if (this.send(payload)) this.#resume();
    else this.#end();
  }

  fail(err: unknown): void {
    this.#ended = true;
    this.#reject(err);
  }

  #resume(): void {
    this.#busy = false;
    this.drain();
  }

  #end(): void {
    this.#ended = true;
    this.#resolve();
  }
}

export class Fanout {
  readonly #groups = new Map<string, Group>();

  constructor(
    private readonly format: (errors: readonly GraphQLError[]) => GraphQLFormattedError[],
    readonly counters: FanoutCounters = { executions: 0, deliveries: 0 },
  ) {}

  /** Distinct subscriptions with at least one subscriber on this replica. */
  get groups(): number {
    return this.#groups.size;
  }

  /**
   * Delivers every event of `source` to `target` through its group's shared execution. The returned iterator
   * is what graphql-ws iterates: it yields nothing, ends when the source does, and its `return` (the client's
   * `complete`, or the socket closing) ends the source.
   */
  stream(args: ExecutionArgs, source: PushSource, target: FanoutTarget): AsyncIterableIterator<ExecutionResult> {
    const group = this.#join(target.groupKey, args);
    const prefix = `{"id":${JSON.stringify(target.subscriptionId)},"type":"next","payload":`;
    let stopped = false;
    const send = (payload: string): boolean => {
      if (stopped || !target.writer.write(`${prefix}${payload}}`)) return false;
      this.counters.deliveries += 1;
      return true;
    };
    const done = new Member(source, group, target.writer, send).done.finally(() => this.#leave(target.groupKey, group)).then((): IteratorResult<ExecutionResult> => ({ done: true, value: undefined }));
    const stop = async (): Promise<IteratorResult<ExecutionResult>> => {
      stopped = true;
      await source.return?.();
      await done.catch(() => undefined);
      return { done: true, value: undefined };
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => done,
      return: stop,
      throw: async (err?: unknown) => {
        await stop();
        throw err;
      },
    };
  }

  #join(key: string, args: ExecutionArgs): Group {
    let group = this.#groups.get(key);
    if (!group) this.#groups.set(key, (group = new Group(args, (a, root) => this.#execute(a, root))));
    group.members += 1;
    return group;
  }

  #leave(key: string, group: Group): void {
    group.members -= 1;
    if (group.members === 0 && this.#groups.get(key) === group) this.#groups.delete(key);
  }

  async #execute(args: ExecutionArgs, root: object): Promise<string> {
    this.counters.executions += 1;
    const result = await execute({ ...args, rootValue: root });
    return JSON.stringify(result.errors ? { ...result, errors: this.format(result.errors) } : result);
  }
}
