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

/** A source that pushes (the hub's SubscriberQueue): told when items wait, taken from synchronously. */
interface PushSource extends AsyncIterator<unknown> {
  listen(listener: { ready(): void; closed(): void }): void;
  take(): unknown;
}

function isPushSource(source: AsyncIterator<unknown>): source is PushSource {
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

/** One distinct subscription: its execution arguments (the first subscriber's context) and its results by event. */
class Group {
  members = 0;
  /** Keyed by the event object: every subscriber of a topic receives the same object (src/live/topic.ts). */
  readonly #payloads = new WeakMap<object, Promise<string>>();
  /** The same, once executed: the subscribers after the first take it synchronously. */
  readonly #ready = new WeakMap<object, string>();
  /** Executions of one group run one after another: a resolver may refresh per-event state on the context. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly args: ExecutionArgs,
    private readonly run: (args: ExecutionArgs, root: unknown) => Promise<string>,
  ) {}

  ready(event: unknown): string | undefined {
    return typeof event === 'object' && event !== null ? this.#ready.get(event) : undefined;
  }

  payload(event: unknown): Promise<string> {
    if (typeof event !== 'object' || event === null) return this.run(this.args, event);
    let payload = this.#payloads.get(event);
    if (!payload) {
      payload = this.#tail.then(() => this.run(this.args, event)).then((json) => {
        this.#ready.set(event, json);
        return json;
      });
      this.#tail = payload.catch(() => undefined);
      this.#payloads.set(event, payload);
    }
    return payload;
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
  stream(args: ExecutionArgs, source: AsyncIterator<unknown>, target: FanoutTarget): AsyncIterableIterator<ExecutionResult> {
    const group = this.#join(target.groupKey, args);
    const prefix = `{"id":${JSON.stringify(target.subscriptionId)},"type":"next","payload":`;
    let stopped = false;
    const send = (payload: string): boolean => {
      if (stopped || !target.writer.write(`${prefix}${payload}}`)) return false;
      this.counters.deliveries += 1;
      return true;
    };
    const delivered = isPushSource(source) ? this.#push(source, group, target.writer, send) : this.#pull(source, group, target.writer, send);
    const done = delivered.finally(() => this.#leave(target.groupKey, group)).then((): IteratorResult<ExecutionResult> => ({ done: true, value: undefined }));
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

  /**
   * The hub's queues are pushed: each queued event is taken synchronously, and one already executed for the
   * group is written at once, with no promise per subscriber. The socket's own backlog stops the taking:
   * events then wait in the hub's bounded queue, which coalesces them and closes a subscriber that stays
   * stuck (src/live/queue.ts).
   */
  #push(source: PushSource, group: Group, writer: FrameWriter, send: (payload: string) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      let busy = false;
      let ended = false;
      const end = () => {
        ended = true;
        resolve();
      };
      const resume = () => {
        busy = false;
        drain();
      };
      const drain = (): void => {
        if (busy || ended) return;
        busy = true;
        for (;;) {
          if (writer.congested()) return void writer.drained().then(resume);
          const event = source.take();
          if (event === undefined) break;
          const ready = group.ready(event);
          if (ready === undefined) {
            group.payload(event).then((payload) => (send(payload) ? resume() : end()), (err: unknown) => {
              ended = true;
              reject(err);
            });
            return;
          }
          if (!send(ready)) return end();
        }
        busy = false;
      };
      source.listen({ ready: drain, closed: end });
      drain(); // events queued before we listened
    });
  }

  /** Any other source is pulled, one event at a time. */
  async #pull(source: AsyncIterator<unknown>, group: Group, writer: FrameWriter, send: (payload: string) => boolean): Promise<void> {
    for (;;) {
      const next = await source.next();
      if (next.done || !send(await group.payload(next.value))) return;
      if (writer.congested()) await writer.drained();
    }
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

  async #execute(args: ExecutionArgs, root: unknown): Promise<string> {
    this.counters.executions += 1;
    const result = await execute({ ...args, rootValue: root });
    return JSON.stringify(result.errors ? { ...result, errors: this.format(result.errors) } : result);
  }
}
