/** Logging metrics: validation of a whole batch first, then one atomic write through the port. */
import type { Backend, Caller, IdempotencyClaim, MetricPointInput, NonFinite, WriteStatus } from '../backends/port';
import { BadUserInputError, PayloadTooLargeError, UnreachableCaseError } from '../errors';
import { NO_LIVE_EVENTS, type LiveEvents } from '../live/events';
import type { Notifier } from '../notify/notifier';
import { Once } from './idempotency';
import * as v from './validate';
import { isCount, isTime } from './validate';

/** One metric in column form: entry i of every array is one point. */
export interface RawMetricSeries {
  name: string;
  steps: readonly number[];
  values: readonly (number | null)[];
  nonFinite?: readonly (NonFinite | null)[] | null;
  timestamps?: readonly number[] | null;
  epochs?: readonly (number | null)[] | null;
  context?: string | null;
}

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
    private readonly events: LiveEvents = NO_LIVE_EVENTS,
    /** Metric alerts (src/notify/), evaluated with the write; none when null. */
    private readonly notifier: Notifier | null = null,
  ) {}

  /** Validates every point, then stores all of them or none. */
  async logMetrics(
    caller: Caller, experimentKey: string, raw: readonly RawMetricPoint[], series: readonly RawMetricSeries[] = [], claim?: IdempotencyClaim,
  ): Promise<{ accepted: number; status: WriteStatus }> {
    const key = v.experimentKey(experimentKey);
    const total = series.reduce((n, s) => n + s.steps.length, raw.length);
    if (total === 0) throw new BadUserInputError('points and series must hold at least one point', { field: 'points' });
    if (total > this.maxPoints) {
      throw new PayloadTooLargeError(`a logMetrics call may hold at most ${this.maxPoints} points, got ${total}: split the batch`, {
        field: 'points',
        max: this.maxPoints,
      });
    }
    const receivedAt = this.now();
    // A batch repeats a few names thousands of times: each distinct one is checked once.
    const names = new Map<string, string>();
    const points = raw.map((p, i) => this.point(p, i, receivedAt, names));
    series.forEach((s, i) => this.expandSeries(s, `series[${i}]`, receivedAt, points));
    const once = new Once(claim);
    const log = () => this.backend.metrics.log(caller, key, points, once.options);
    const status = this.notifier ? await this.notifier.metricsLogged(caller, key, points, log, () => once.replayed) : await log();
    // After the write: live subscribers see only what is stored (or durably queued, which will be), once.
    if (!once.replayed) this.events.metricsLogged(key, points);
    return { accepted: points.length, status };
  }

  /** Validates one column-form series and appends its points to `out`. */
  private expandSeries(s: RawMetricSeries, field: string, receivedAt: number, out: MetricPointInput[]): void {
    const name = v.name(s.name, `${field}.name`);
    const context = v.optionalName(s.context, `${field}.context`);
    const n = s.steps.length;
    for (const [column, list] of [['values', s.values], ['nonFinite', s.nonFinite], ['timestamps', s.timestamps], ['epochs', s.epochs]] as const) {
      if (list != null && list.length !== n) {
        throw new BadUserInputError(`${field}.${column} must have as many entries as ${field}.steps (${n}), got ${list.length}`, { field: `${field}.${column}` });
      }
    }
    const { steps, values, nonFinite, epochs, timestamps } = s;
    // Field names are built only for an error: ten thousand template strings a batch were a fifth of its cost.
    for (let i = 0; i < n; i += 1) {
      const value = values[i];
      const special = nonFinite?.[i] ?? null;
      if ((value == null) === (special == null)) {
        throw new BadUserInputError(`${field} entry ${i} must have exactly one of values[${i}] or nonFinite[${i}]`, { field });
      }
      const step = steps[i];
      const epoch = epochs?.[i] ?? null;
      const timestamp = timestamps?.[i] ?? null;
      if (!isCount(step)) v.count(step, `${field}.steps[${i}]`);
      if (epoch !== null && !isCount(epoch)) v.count(epoch, `${field}.epochs[${i}]`);
      if (timestamp !== null && !isTime(timestamp)) v.time(timestamp, `${field}.timestamps[${i}]`);
      out.push({ name, value: value ?? nonFiniteToNumber(special as NonFinite), step, epoch, timestamp: timestamp ?? receivedAt, context });
    }
  }

  private point(p: RawMetricPoint, index: number, receivedAt: number, names: Map<string, string>): MetricPointInput {
    const hasValue = p.value != null;
    const hasNonFinite = p.nonFinite != null;
    if (hasValue === hasNonFinite) {
      throw new BadUserInputError(`points[${index}] must have exactly one of value or nonFinite`, { field: `points[${index}]` });
    }
    const { step, epoch, timestamp } = p;
    if (!isCount(step)) v.count(step, `points[${index}].step`);
    if (epoch != null && !isCount(epoch)) v.count(epoch, `points[${index}].epoch`);
    if (timestamp != null && !isTime(timestamp)) v.time(timestamp, `points[${index}].timestamp`);
    return {
      name: names.get(p.name) ?? checkedName(names, p.name, `points[${index}].name`),
      value: hasValue ? (p.value as number) : nonFiniteToNumber(p.nonFinite as NonFinite),
      step,
      epoch: epoch ?? null,
      timestamp: timestamp ?? receivedAt,
      context: p.context == null ? null : names.get(p.context) ?? checkedName(names, p.context, `points[${index}].context`),
    };
  }
}

/** Checks a name once and remembers it (`names` maps what was sent to what is kept). */
function checkedName(names: Map<string, string>, raw: string, field: string): string {
  const name = v.name(raw, field);
  names.set(raw, name);
  return name;
}
