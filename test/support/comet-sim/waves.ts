/**
 * Dependent round trips, counted without a clock: while a gate is open, every answer waits until the test
 * releases it. Requests that arrive while the previous wave is still held cannot depend on its answers, so
 * the number of releases a piece of work needs is the length of its longest chain of dependent calls. The
 * gate releases a wave once the client has gone quiet: no request arriving for a while and every arrived one
 * waiting at the gate. A client that is slow to send can only split a wave in two (a count too high), never
 * merge two dependent ones. Faults that hang or drop an answer never reach the gate: do not combine them.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** Long enough for a client on a busy machine to send every call it can without an answer. */
const QUIET_MS = 150;
/** Event-loop turns checked after the quiet time: a request written just before it is read in these. */
const SETTLE_TURNS = 5;

export class WaveGate {
  #open = false;
  #arrived = 0;
  #waiting: { route: string; release: () => void }[] = [];

  /** Called for every request as it arrives. */
  arrive(): void {
    if (this.#open) this.#arrived += 1;
  }

  /** Called before a request is answered: resolves at once, or when its wave is released. */
  hold(route: string): Promise<void> {
    if (!this.#open) return Promise.resolve();
    return new Promise<void>((release) => this.#waiting.push({ route, release }));
  }

  /**
   * Runs `work` with every answer held, releasing a wave at a time until it settles. Each wave is the route
   * counts of the requests it answered, in order.
   */
  async inWaves<T>(work: () => Promise<T>): Promise<{ result: T; waves: Record<string, number>[] }> {
    if (this.#open) throw new Error('comet-sim: inWaves() is already running');
    this.#open = true;
    this.#arrived = 0;
    const waves: Record<string, number>[] = [];
    let settled = false;
    const running = work().finally(() => {
      settled = true;
    });
    try {
      while (!settled) {
        await this.#quiet(() => settled);
        if (settled) break;
        const wave = this.#waiting.splice(0);
        this.#arrived -= wave.length;
        if (wave.length === 0) continue;
        waves.push(countRoutes(wave.map((w) => w.route)));
        for (const w of wave) w.release();
      }
      return { result: await running, waves };
    } finally {
      this.#open = false;
      for (const w of this.#waiting.splice(0)) w.release();
      this.#arrived = 0;
    }
  }

  async #quiet(settled: () => boolean): Promise<void> {
    for (;;) {
      const seen = this.#arrived;
      await sleep(QUIET_MS);
      for (let i = 0; i < SETTLE_TURNS; i++) await nextTurn();
      if (settled() || (this.#arrived === seen && this.#waiting.length === this.#arrived)) return;
    }
  }
}

function countRoutes(routes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const route of [...routes].sort()) out[route] = (out[route] ?? 0) + 1;
  return out;
}
