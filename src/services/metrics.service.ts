/** Logging metrics: validation of a whole batch first, then one atomic write through the port. */
import type { Backend, Caller, MetricPointInput, NonFinite, WriteStatus } from '../backends/port';
import { BadUserInputError, PayloadTooLargeError, UnreachableCaseError } from '../errors';
import * as v from './validate';

/** A point as the API receives it: a finite `value`, or `nonFinite` for NaN and ±Infinity. */
export interface RawMetricPoint {
  name: string;
  value?: number | null;
  nonFinite?: NonFinite | null;
  step: number;
  epoch?: number | null;
  timestamp?: number | null;
  context?: string | null;
}

export function nonFiniteToNumber(kind: NonFinite): number {
  switch (kind) {
    case 'NAN':
      return Number.NaN;
    case 'INFINITY':
      return Number.POSITIVE_INFINITY;
    case 'NEGATIVE_INFINITY':
      return Number.NEGATIVE_INFINITY;
    default:
      throw new UnreachableCaseError(kind);
  }
}

/** The `nonFinite` twin of a value: null for a finite number. */
export function classifyNonFinite(value: number): NonFinite | null {
  if (Number.isNaN(value)) return 'NAN';
  if (value === Number.POSITIVE_INFINITY) return 'INFINITY';
  if (value === Number.NEGATIVE_INFINITY) return 'NEGATIVE_INFINITY';
  return null;
}

export class MetricsService {
  constructor(
    private readonly backend: Backend,
    private readonly maxPoints: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Validates every point, then stores all of them or none. */
  async logMetrics(caller: Caller, experimentKey: string, raw: readonly RawMetricPoint[]): Promise<{ accepted: number; status: WriteStatus }> {
    const key = v.experimentKey(experimentKey);
    if (raw.length === 0) throw new BadUserInputError('points must hold at least one point', { field: 'points' });
    if (raw.length > this.maxPoints) {
      throw new PayloadTooLargeError(`points may hold at most ${this.maxPoints} points per call, got ${raw.length}: split the batch`, {
        field: 'points',
        max: this.maxPoints,
      });
    }
    const receivedAt = this.now();
    const points = raw.map((p, i) => this.point(p, `points[${i}]`, receivedAt));
    const status = await this.backend.logMetrics(caller, key, points);
    return { accepted: points.length, status };
  }

  private point(p: RawMetricPoint, field: string, receivedAt: number): MetricPointInput {
    const hasValue = p.value != null;
    const hasNonFinite = p.nonFinite != null;
    if (hasValue === hasNonFinite) {
      throw new BadUserInputError(`${field} must have exactly one of value or nonFinite`, { field });
    }
    return {
      name: v.name(p.name, `${field}.name`),
      value: hasValue ? (p.value as number) : nonFiniteToNumber(p.nonFinite as NonFinite),
      step: v.count(p.step, `${field}.step`),
      epoch: p.epoch == null ? null : v.count(p.epoch, `${field}.epoch`),
      timestamp: p.timestamp == null ? receivedAt : v.time(p.timestamp, `${field}.timestamp`),
      context: v.optionalName(p.context, `${field}.context`),
    };
  }
}
