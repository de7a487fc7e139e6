/**
 * The simulator's in-memory model. Records hold what the tracking server stores; wire shapes are built from
 * them in shapes.ts. Units: every time is Unix ms.
 */
import type { LifecycleStage, RunStatus, Stage } from './constants';

export interface ExperimentRecord {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  /** In insertion order; setting a present key again overwrites it. */
  tags: Map<string, string>;
}

/** One logged metric value. `value` may be NaN or ±Infinity (§4.2). */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface RunRecord {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
  /** Every metric value, in arrival order (metrics append, §4.3). */
  metrics: MetricPoint[];
  /** Write-once (§4.3). */
  params: Map<string, string>;
  /** Overwritten on set (§4.3). */
  tags: Map<string, string>;
}

export interface ModelVersionRecord {
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  currentStage: Stage;
  description: string;
  source: string;
  runId: string;
  runLink: string;
  status: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
  tags: Map<string, string>;
}

export interface RegisteredModelRecord {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  tags: Map<string, string>;
  /** alias → version. */
  aliases: Map<string, string>;
  /** By version string, in creation order. */
  versions: Map<string, ModelVersionRecord>;
  /** Version numbers are never reused after a delete (§6.1, a sim choice). */
  lastVersion: number;
}

/** A row of the call log (§9). */
export interface CallRecord {
  method: string;
  /** The request path as sent, without the query string. */
  path: string;
  /** `METHOD route-name`, e.g. `POST mlflow/runs/log-batch`; unknown paths keep their raw path. */
  route: string;
  /** The raw query string without `?` ('' when none). */
  query: string;
  /** Bytes of request body received. */
  bodyBytes: number;
  /** The `Authorization` header as sent, or null. */
  authorization: string | null;
  /** Status answered, or null when the connection was cut (lost-answer fault, hang). */
  status: number | null;
}
