/**
 * One socket's outgoing live frames. Every frame written in one turn of the event loop reaches the kernel in
 * one write: the first frame corks the TCP socket and the end of the turn uncorks it, so a dashboard with
 * ten subscriptions gets one `writev` per event, not ten. ws corks each frame's header and body itself;
 * corking nests, so our outer cork holds them all.
 *
 * `congested` is the socket's own backlog (ws's `bufferedAmount`: bytes handed to ws and not yet to the
 * kernel): above it, a subscriber stops pulling events until the socket drains.
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/** Backlog above which a socket counts as congested. Small: the hub's queue coalesces better than a socket buffer. */
export const FRAME_HIGH_WATER_BYTES = 256 * 1024;

export class FrameWriter {
  #corked = false;
  #drained: Promise<void> | null = null;

  constructor(private readonly ws: WebSocket) {}

  /** The TCP socket under ws (ws keeps it as `_socket`; absent before the upgrade completes and after close). */
  get #raw(): Socket | undefined {
    return (this.ws as unknown as { _socket?: Socket })._socket;
  }

  /** Sends one text frame; false once the socket is no longer open (the frame is dropped with the socket). */
  write(frame: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    const raw = this.#raw;
    if (raw && !this.#corked) {
      this.#corked = true;
      raw.cork();
      setImmediate(() => {
        this.#corked = false;
        raw.uncork();
      });
    }
    // No callback: a failed write closes the socket, which ends every subscription on it.
    this.ws.send(frame);
    return true;
  }

  congested(): boolean {
    return this.ws.bufferedAmount > FRAME_HIGH_WATER_BYTES;
  }

  /** Resolves when the backlog is written out, or when the socket closes. */
  drained(): Promise<void> {
    const raw = this.#raw;
    if (!raw || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    this.#drained ??= new Promise<void>((resolve) => {
      const done = () => {
        raw.off('drain', done);
        this.ws.off('close', done);
        this.#drained = null;
        resolve();
      };
      raw.on('drain', done);
      this.ws.on('close', done);
    });
    return this.#drained;
  }
}
