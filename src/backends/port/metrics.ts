/** Metric series: summaries per experiment, histories (raw pages or downsampled), and logging points. */
import type { Caller, ReadOptions, WriteOptions, WriteStatus } from './common';

/** A metric value that JSON cannot carry as a number. */
export type NonFinite = 'NAN' | 'INFINITY' | 'NEGATIVE_INFINITY';

export interface MetricSummary {
  experimentKey: string;
  name: string;
  /**
   * The series' context (`train`, `validate`…); null for the default context, the points logged without
   * one. Where `capabilities().metrics.contexts` is false, one series holds every context and this is null.
   */
  context: string | null;
  /** Value of the point with the highest (step, timestamp). May be NaN or ±Infinity. */
  last: number;
  /** Smallest value, NaN ignored (NaN only when every value is NaN). */
  min: number;
  /** Largest value, NaN ignored (NaN only when every value is NaN). */
  max: number;
  /** Number of stored points, or null when the backend cannot tell. */
  count: number | null;
  lastStep: number | null;
  /** Step at which `min` was logged. */
  minStep: number | null;
  /** Step at which `max` was logged. */
  maxStep: number | null;
  lastTimestamp: number | null;
}

export interface MetricPoint {
  /** An integer up to 2^53 − 1; null when the point was logged without a step (Comet allows it). */
  step: number | null;
  epoch: number | null;
  /** May be NaN or ±Infinity. */
  value: number;
  timestamp: number;
  context: string | null;
}

/** One series to read. Ranges are exclusive: afterStep < step < beforeStep; a point without a step is in no bounded range. */
export interface MetricHistoryRequest {
  experimentKey: string;
  name: string;
  /** The series of this context; null or absent: the default context (see `MetricSummary.context`). */
  context?: string | null;
  afterStep?: number | null;
  beforeStep?: number | null;
  /** Raw paging: at most `first` points after the opaque `after` cursor. Ignored when `samples` is set. */
  first?: number | null;
  after?: string | null;
  /** Downsample to at most this many points, keeping each bucket's min and max and the first and last point. */
  samples?: number | null;
}

export interface MetricHistory {
  points: MetricPoint[];
  /** Cursor of each point, same order as `points` (raw paging only; empty when sampled). */
  cursors: string[];
  hasNextPage: boolean;
  /** A point of the range comes before this page (raw paging after a cursor); false when sampled. */
  hasPreviousPage: boolean;
  /** Points in the requested step range before sampling or paging. */
  totalCount: number;
  sampled: boolean;
}

export interface MetricPointInput {
  name: string;
  value: number;
  step: number;
  epoch?: number | null;
  timestamp?: number | null;
  context?: string | null;
}

export interface MetricsCapabilities {
  /** `MetricSummary.count` is known. */
  pointCounts: boolean;
  /** A point's `epoch` and `context` are kept (false: they read back null). */
  pointAttributes: boolean;
  /**
   * Contexts are kept apart: each (metric, context) is a series of its own, with its summary, rollups and
   * history, and reads may name a context. False: one series per metric name holds every context, and a
   * read naming a context other than the default is refused (reason UNSUPPORTED).
   */
  contexts: boolean;
}

/** The context a read or write names, normalised: absent, null and blank all mean the default (null). */
export function contextOf(context: string | null | undefined): string | null {
  if (context === null || context === undefined) return null;
  const trimmed = context.trim();
  return trimmed === '' ? null : trimmed;
}

export interface MetricsPort {
  /** Summaries per key, ordered by metric name; only `names` when given. */
  summaries(
    caller: Caller, keys: readonly string[], names?: readonly string[] | null, options?: ReadOptions,
  ): Promise<(MetricSummary[] | Error)[]>;
  /** One history per request, in request order. An unknown experiment or metric gives an empty history. */
  histories(caller: Caller, requests: readonly MetricHistoryRequest[], options?: ReadOptions): Promise<(MetricHistory | Error)[]>;
  /** Stores every point or none. */
  log(caller: Caller, experimentKey: string, points: readonly MetricPointInput[], options?: WriteOptions): Promise<WriteStatus>;
}
