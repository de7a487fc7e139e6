/**
 * Production monitoring of registered model versions: prediction events (input features, outputs, labels that
 * may arrive later), reference data (the training distribution drift is measured against), and aggregates over
 * them. Times are Unix ms; buckets are half-open [start, start + interval).
 */
import { BadUserInputError, NotFoundError } from '../../errors';
import type { Caller, Page, WriteOptions, WriteStatus } from './common';
import type { ModelVersionRef } from './registry';


/** A feature value: numbers are numerical; strings and booleans categorical. */
export type FeatureValue = number | string | boolean;
export type FeatureValues = Readonly<Record<string, FeatureValue>>;

export type FeatureSource = 'INPUT' | 'OUTPUT' | 'LABEL';
export type FeatureType = 'NUMERICAL' | 'CATEGORICAL';
export type Interval = 'MINUTE' | 'HOUR' | 'DAY';
export type DriftAlgorithm = 'PSI' | 'KL' | 'EMD';
export type DriftReference = 'REFERENCE_DATA' | 'FIRST_WINDOW';
export type LabelMetric = 'ACCURACY' | 'PRECISION' | 'RECALL' | 'F1' | 'MAE' | 'RMSE';

export const INTERVAL_MS: Readonly<Record<Interval, number>> = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/**
 * One event as logged. A prediction id is unique per model version: an event with a known id merges its fields
 * into the stored one (a label may come before its prediction), and an exact duplicate stores nothing.
 */
export interface PredictionEventInput {
  predictionId: string;
  /** Unix ms (the services fill in the time of receipt when the client gave none). */
  timestamp: number;
  features: FeatureValues;
  /** Outputs; `value` and `probability` by convention. */
  prediction: FeatureValues;
  labels: FeatureValues;
}

/** A late label (or labels) for a prediction, by id. */
export interface LabelInput {
  predictionId: string;
  timestamp: number;
  labels: FeatureValues;
}

export interface Prediction {
  predictionId: string;
  timestamp: number;
  features: Record<string, FeatureValue>;
  prediction: Record<string, FeatureValue>;
  labels: Record<string, FeatureValue>;
}

export interface PredictionsRequest {
  ref: ModelVersionRef;
  first: number;
  after?: string | null;
  from?: number | null;
  to?: number | null;
  predictionId?: string | null;
}

/** A time range; `from` inclusive, `to` exclusive. Aggregates count events by the minute they fall in. */
export interface WindowRequest {
  ref: ModelVersionRef;
  from?: number | null;
  to?: number | null;
}

export interface CountsRequest extends WindowRequest {
  from: number;
  to: number;
  interval: Interval;
}

export interface DistributionRequest extends WindowRequest {
  feature: string;
  source: FeatureSource;
}

export interface DriftRequest extends DistributionRequest {
  interval: Interval;
  algorithm: DriftAlgorithm;
  reference: DriftReference;
}

export interface LabelMetricRequest extends WindowRequest {
  metric: LabelMetric;
  /** Output name (`value` by convention). */
  output: string;
  /** Label name (`value` by convention). */
  label: string;
  interval: Interval;
}

export interface TimeBucket {
  /** Start of the bucket, Unix ms. */
  start: number;
  value: number;
  /** Events the value was computed from. */
  count: number;
}

export interface Bin {
  /** Lower edge; the first bin also holds every value below it. */
  start: number;
  /** Upper edge (exclusive); the last bin also holds every value above it. */
  end: number;
  count: number;
}

export interface CategoryCount {
  value: string;
  count: number;
}

export interface Percentiles {
  min: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

export interface Distribution {
  type: FeatureType;
  bins: Bin[];
  categories: CategoryCount[];
  /** Null when the feature is categorical or the backend cannot tell. */
  percentiles: Percentiles | null;
  /** Events of the window without this feature. */
  missing: number;
}

export interface MonitoredFeature {
  name: string;
  source: FeatureSource;
  type: FeatureType;
}

/**
 * What a backend does with monitoring. `supported: false` means not at all (every method refuses); the other
 * flags say what a supporting backend lacks.
 */
export interface MonitoringCapabilities {
  supported: boolean;
  /** `predictions` lists individual events (Comet's read API has no such endpoint). */
  listPredictions: boolean;
  /** `logReferenceData` is taken. */
  referenceData: boolean;
  /** Drift against the first window (`DriftReference.FIRST_WINDOW`). */
  firstWindowDrift: boolean;
  /** `labelMetric` is computed. */
  labelMetrics: boolean;
}

/** Capabilities of a backend that has no monitoring at all. */
export const NO_MONITORING: MonitoringCapabilities = Object.freeze({
  supported: false, listPredictions: false, referenceData: false, firstWindowDrift: false, labelMetrics: false,
});

export interface MonitoringPort {
  /** Prediction events, merged by id. All stored or none; NOT_FOUND for an unknown model version. */
  log(caller: Caller, ref: ModelVersionRef, events: readonly PredictionEventInput[], options?: WriteOptions): Promise<WriteStatus>;
  /** Late labels, merged into their predictions by id (the prediction may come later). */
  logLabels(caller: Caller, ref: ModelVersionRef, labels: readonly LabelInput[], options?: WriteOptions): Promise<WriteStatus>;
  /** Reference data: events drift is measured against, never counted as predictions. */
  logReference(caller: Caller, ref: ModelVersionRef, events: readonly PredictionEventInput[], options?: WriteOptions): Promise<WriteStatus>;
  /** One page per request, oldest first (by timestamp, then id). */
  predictions(caller: Caller, requests: readonly PredictionsRequest[]): Promise<(Page<Prediction> | Error)[]>;
  /** Predictions per bucket, every bucket of [from, to) included (`value` = `count`). */
  counts(caller: Caller, requests: readonly CountsRequest[]): Promise<(TimeBucket[] | Error)[]>;
  distributions(caller: Caller, requests: readonly DistributionRequest[]): Promise<(Distribution | Error)[]>;
  /** Drift per bucket that holds data, oldest first. */
  drift(caller: Caller, requests: readonly DriftRequest[]): Promise<(TimeBucket[] | Error)[]>;
  /** The metric per bucket that holds labelled predictions, oldest first. */
  labelMetrics(caller: Caller, requests: readonly LabelMetricRequest[]): Promise<(TimeBucket[] | Error)[]>;
  /** Features seen per model version, by source then name. */
  features(caller: Caller, refs: readonly ModelVersionRef[]): Promise<(MonitoredFeature[] | Error)[]>;
}

/** Most buckets one aggregate may answer. */
export const MAX_BUCKETS = 10_000;

/**
 * Starts of the buckets covering [from, to), aligned to the interval in UTC; BAD_USER_INPUT for an empty or
 * reversed range, or one past MAX_BUCKETS.
 */
export function bucketStarts(from: number, to: number, interval: Interval): number[] {
  const size = INTERVAL_MS[interval];
  if (!(to > from)) throw new BadUserInputError(`to must be after from, got from ${new Date(from).toISOString()} and to ${new Date(to).toISOString()}`, { field: 'to' });
  const first = Math.floor(from / size) * size;
  const n = Math.ceil((to - first) / size);
  if (n > MAX_BUCKETS) {
    throw new BadUserInputError(`from..to holds ${n} buckets of one ${interval.toLowerCase()}; at most ${MAX_BUCKETS} are answered: use a larger interval or a shorter range`, { field: 'interval', max: MAX_BUCKETS });
  }
  return Array.from({ length: n }, (_, i) => first + i * size);
}

/** The one way to say a model version is missing (both backends, the same words). */
export function modelVersionNotFound(ref: ModelVersionRef): NotFoundError {
  return new NotFoundError(`Model version '${ref.workspace}/${ref.modelName}' ${ref.version} does not exist`, { ...ref });
}
