/**
 * Remembers the points recently delivered for one experiment, so a point reaches subscribers once even when
 * it arrives twice: logged through a gateway (published on the bus) and also read back by the Comet poller,
 * in either order. Only active while a poller runs; without one, each point has a single source.
 *
 * A point is identified by (metric, step, timestamp, value): the gateway stamps every point's timestamp
 * before writing, and the backend stores it as sent, so both copies agree.
 */
import type { MetricPoint } from '../backends/port';
import type { MetricEvent } from './events';

/** Points remembered per metric; beyond it the oldest are forgotten (a duplicate that late is harmless). */
export const DEDUP_POINTS_PER_METRIC = 20_000;

export class RecentPoints {
  readonly #seen = new Map<string, Set<string>>();

  constructor(private readonly capacity = DEDUP_POINTS_PER_METRIC) {}

  /** The event without the points already delivered (null when none is new); records the new ones. */
  admit(event: MetricEvent): MetricEvent | null {
    let seen = this.#seen.get(event.name);
    if (!seen) this.#seen.set(event.name, (seen = new Set()));
    const fresh: MetricPoint[] = [];
    for (const point of event.points) {
      const id = fingerprint(point);
      if (seen.has(id)) continue;
      seen.add(id);
      fresh.push(point);
    }
    // A Set iterates in insertion order: the first entries are the oldest.
    for (const id of seen) {
      if (seen.size <= this.capacity) break;
      seen.delete(id);
    }
    if (fresh.length === 0) return null;
    return fresh.length === event.points.length ? event : { ...event, points: fresh };
  }
}

function fingerprint(p: MetricPoint): string {
  // String(NaN) is 'NaN', so non-finite values compare like any other.
  return `${p.step}|${p.timestamp}|${String(p.value)}`;
}
