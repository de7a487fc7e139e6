/**
 * The bus carries live messages between the services that publish them and the subscribers of every
 * replica. `MemoryBus` serves one process; `RedisBus` (redis-bus.ts) adds Redis between replicas.
 *
 * Contract: a message published on a replica is delivered to that replica's listeners synchronously and
 * in publish order, whatever the state of Redis; other replicas get it when Redis carries it.
 */
import type { LiveMessage } from './events';

export type BusListener = (message: LiveMessage) => void;

/** Where cross-replica delivery stands, as `/readyz` reports it. */
export type BusStatus =
  | { kind: 'memory' }
  | { kind: 'redis'; redis: 'ready' | 'connecting' | 'reconnecting' | 'closed'; publishFailures: number };

export interface Bus {
  publish(channel: string, message: LiveMessage): void;
  /** Returns the function that unsubscribes this listener (idempotent). */
  subscribe(channel: string, listener: BusListener): () => void;
  status(): BusStatus;
  close(): Promise<void>;
}

export class MemoryBus implements Bus {
  readonly #channels = new Map<string, Set<BusListener>>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => undefined) {}

  publish(channel: string, message: LiveMessage): void {
    const listeners = this.#channels.get(channel);
    if (!listeners) return;
    // A copy: a listener may unsubscribe (itself or another) while we iterate.
    for (const listener of [...listeners]) {
      try {
        listener(message);
      } catch (err) {
        // One broken subscriber must not cost the others their event, nor the publisher its write.
        this.onListenerError(err);
      }
    }
  }

  subscribe(channel: string, listener: BusListener): () => void {
    let listeners = this.#channels.get(channel);
    if (!listeners) this.#channels.set(channel, (listeners = new Set()));
    // Wrapped, so the same function subscribed twice is two subscriptions.
    const entry: BusListener = (m) => listener(m);
    listeners.add(entry);
    return () => {
      const set = this.#channels.get(channel);
      if (!set?.delete(entry)) return;
      if (set.size === 0) this.#channels.delete(channel);
    };
  }

  /** Channels with at least one listener. */
  channelCount(): number {
    return this.#channels.size;
  }

  hasListeners(channel: string): boolean {
    return this.#channels.has(channel);
  }

  status(): BusStatus {
    return { kind: 'memory' };
  }

  async close(): Promise<void> {
    this.#channels.clear();
  }
}
