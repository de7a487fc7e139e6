/**
 * The events of the live feed, in the domain's own types (port objects, not GraphQL classes), and the
 * `LiveEvents` sink the services publish to after a write succeeded. Services see only this file: no
 * pub/sub, Redis or WebSocket type reaches them.
 */
import type { Experiment, MetricPoint, MetricPointInput, ModelVersion, ModelVersionRef } from '../backends/port';

/** New points of one metric of one experiment, in the order they were logged. */
export interface MetricEvent {
  experimentKey: string;
  name: string;
  points: MetricPoint[];
  /** Points of this metric removed, since the subscriber's previous event, because it read too slowly. */
  dropped: number;
}

export type ExperimentEventKind = 'CREATED' | 'STATUS_CHANGED' | 'ENDED' | 'TAGS_CHANGED' | 'ARCHIVED' | 'DELETED' | 'UPDATED' | 'RESTORED';
export const EXPERIMENT_EVENT_KINDS: readonly ExperimentEventKind[] = ['CREATED', 'STATUS_CHANGED', 'ENDED', 'TAGS_CHANGED', 'ARCHIVED', 'DELETED', 'UPDATED', 'RESTORED'];

export interface ExperimentEvent {
  kind: ExperimentEventKind;
  experimentKey: string;
  /** Routing: the project channel the event goes to. */
  workspace: string;
  project: string;
  /** The experiment after the change; null once deleted. */
  experiment: Experiment | null;
  /** Tags after the change, for CREATED and TAGS_CHANGED; null otherwise. */
  tags: string[] | null;
}

/** Predictions logged to one model version: how many, and the range of their timestamps. */
export interface PredictionBatchEvent {
  workspace: string;
  modelName: string;
  modelVersion: string;
  count: number;
  /** Earliest and latest prediction timestamp of the batch, Unix ms. */
  from: number;
  to: number;
}

export type ModelVersionEventKind = 'CREATED' | 'UPDATED';
export const MODEL_VERSION_EVENT_KINDS: readonly ModelVersionEventKind[] = ['CREATED', 'UPDATED'];

/** A version of a registered model was created (registerModel) or changed (updateModelVersion). */
export interface ModelVersionEvent {
  kind: ModelVersionEventKind;
  /** The version after the change. */
  version: ModelVersion;
  addedAliases: string[];
  removedAliases: string[];
}

/** What travels on a channel. */
export type LiveMessage =
  | { kind: 'metric'; event: MetricEvent }
  | { kind: 'experiment'; event: ExperimentEvent }
  | { kind: 'predictions'; event: PredictionBatchEvent }
  | { kind: 'model'; event: ModelVersionEvent };

/**
 * Where services report successful writes. Implementations never throw and never block the write's answer
 * on delivery: a lost event costs a live chart a point, a failed mutation would cost the data.
 */
export interface LiveEvents {
  /** Points just stored (or durably queued) for one experiment, in logged order, timestamps filled in. */
  metricsLogged(experimentKey: string, points: readonly MetricPointInput[]): void;
  experimentChanged(event: ExperimentEvent): void;
  /** Predictions just stored (or durably queued) for one model version: their timestamps. Optional: a sink may ignore them. */
  predictionsLogged?(ref: ModelVersionRef, timestamps: readonly number[]): void;
  /** Registry changes; optional, so sinks that predate it need not implement it. */
  modelVersionChanged?(event: ModelVersionEvent): void;
}

/** For a gateway without a live feed (and unit tests): every event is dropped. */
export const NO_LIVE_EVENTS: LiveEvents = Object.freeze({
  metricsLogged: () => undefined,
  experimentChanged: () => undefined,
});

/** One MetricEvent per metric name, each with all its points in logged order (not one event per point). */
export function metricEventsOf(experimentKey: string, points: readonly MetricPointInput[]): MetricEvent[] {
  const byName = new Map<string, MetricPoint[]>();
  for (const p of points) {
    let list = byName.get(p.name);
    if (!list) byName.set(p.name, (list = []));
    list.push({ step: p.step, epoch: p.epoch ?? null, value: p.value, timestamp: p.timestamp ?? Date.now(), context: p.context ?? null });
  }
  return [...byName].map(([name, list]) => ({ experimentKey, name, points: list, dropped: 0 }));
}
