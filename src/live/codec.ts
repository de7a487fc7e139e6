/**
 * The wire form of a live message on Redis: JSON, with non-finite metric values as strings (JSON has no
 * NaN or Infinity, and `JSON.stringify(NaN)` is `null`, which would turn a NaN into a missing value).
 * `decodeEnvelope` is the one boundary where bytes from Redis become trusted types.
 */
import { EXPERIMENT_STATUSES, type Experiment, type MetricPoint } from '../backends/port';
import { CHANNEL_VERSION } from './constants';
import {
  EXPERIMENT_EVENT_KINDS, MODEL_VERSION_EVENT_KINDS, type ExperimentEvent, type ExperimentEventKind, type LiveMessage, type MetricEvent,
  type ModelVersionEvent, type ModelVersionEventKind, type PredictionBatchEvent,
} from './events';
import type { ModelVersion } from '../backends/port';

export interface Envelope {
  /** Replica that published the message (it has delivered it locally already). */
  origin: string;
  message: LiveMessage;
}

type WireValue = number | 'NaN' | 'Infinity' | '-Infinity';

function encodeValue(value: number): WireValue {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

function decodeValue(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (raw === 'NaN') return Number.NaN;
  if (raw === 'Infinity') return Number.POSITIVE_INFINITY;
  if (raw === '-Infinity') return Number.NEGATIVE_INFINITY;
  throw new TypeError('metric value must be a number, NaN, Infinity or -Infinity');
}

export function encodeEnvelope(envelope: Envelope): string {
  const { message } = envelope;
  const wire = message.kind === 'metric'
    ? { ...message, event: { ...message.event, points: message.event.points.map((p) => ({ ...p, value: encodeValue(p.value) })) } }
    : message;
  return JSON.stringify({ v: CHANNEL_VERSION, origin: envelope.origin, message: wire });
}

/** Parses and checks a message from Redis; throws a `TypeError` naming what was wrong. */
export function decodeEnvelope(raw: string): Envelope {
  const root = record(JSON.parse(raw), 'envelope');
  if (root.v !== CHANNEL_VERSION) throw new TypeError(`envelope version must be ${CHANNEL_VERSION}, got ${String(root.v)}`);
  const message = record(root.message, 'message');
  const event = record(message.event, 'event');
  const origin = str(root.origin, 'origin');
  if (message.kind === 'metric') return { origin, message: { kind: 'metric', event: metricEvent(event) } };
  if (message.kind === 'experiment') return { origin, message: { kind: 'experiment', event: experimentEvent(event) } };
  if (message.kind === 'predictions') return { origin, message: { kind: 'predictions', event: predictionBatchEvent(event) } };
  if (message.kind === 'model') return { origin, message: { kind: 'model', event: modelVersionEvent(event) } };
  throw new TypeError(`message kind must be 'metric' or 'experiment' (or 'model' or 'predictions'), got ${String(message.kind)}`);
}

function metricEvent(e: Record<string, unknown>): MetricEvent {
  if (!Array.isArray(e.points)) throw new TypeError('points must be a list');
  return { experimentKey: str(e.experimentKey, 'experimentKey'), name: str(e.name, 'name'), points: e.points.map(point), dropped: num(e.dropped, 'dropped') };
}

function point(raw: unknown): MetricPoint {
  const p = record(raw, 'point');
  return { step: num(p.step, 'step'), epoch: nullable(p.epoch, num, 'epoch'), value: decodeValue(p.value), timestamp: num(p.timestamp, 'timestamp'), context: nullable(p.context, str, 'context') };
}

function experimentEvent(e: Record<string, unknown>): ExperimentEvent {
  const kind = str(e.kind, 'kind') as ExperimentEventKind;
  if (!EXPERIMENT_EVENT_KINDS.includes(kind)) throw new TypeError(`kind ${kind} is not an experiment event kind`);
  const tags = e.tags == null ? null : e.tags;
  if (tags !== null && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) throw new TypeError('tags must be a list of strings');
  return {
    kind, experimentKey: str(e.experimentKey, 'experimentKey'), workspace: str(e.workspace, 'workspace'), project: str(e.project, 'project'),
    experiment: e.experiment == null ? null : experiment(record(e.experiment, 'experiment')), tags,
  };
}

function experiment(e: Record<string, unknown>): Experiment {
  const status = str(e.status, 'status') as Experiment['status'];
  if (!EXPERIMENT_STATUSES.includes(status)) throw new TypeError(`status ${status} is not an experiment status`);
  return {
    key: str(e.key, 'key'), workspace: str(e.workspace, 'workspace'), project: str(e.project, 'project'), projectId: str(e.projectId, 'projectId'),
    name: nullable(e.name, str, 'name'), status, startedAt: nullable(e.startedAt, num, 'startedAt'), endedAt: nullable(e.endedAt, num, 'endedAt'),
    archived: e.archived === true, parentKey: nullable(e.parentKey, str, 'parentKey'), url: nullable(e.url, str, 'url'),
  };
}

function strings(value: unknown, what: string): string[] {
  if (!(Array.isArray(value) && value.every((t) => typeof t === 'string'))) throw new TypeError(`${what} must be a list of strings`);
  return value;
}

function modelVersionEvent(e: Record<string, unknown>): ModelVersionEvent {
  const kind = str(e.kind, 'kind') as ModelVersionEventKind;
  if (!MODEL_VERSION_EVENT_KINDS.includes(kind)) throw new TypeError(`kind ${kind} is not a model version event kind`);
  const v = record(e.version, 'version');
  const version: ModelVersion = {
    id: str(v.id, 'id'), workspace: str(v.workspace, 'workspace'), modelName: str(v.modelName, 'modelName'), version: str(v.version, 'version'),
    stage: nullable(v.stage, str, 'stage'), status: nullable(v.status, str, 'status'), tags: strings(v.tags, 'tags'), aliases: strings(v.aliases, 'aliases'),
    comment: nullable(v.comment, str, 'comment'), createdAt: nullable(v.createdAt, num, 'createdAt'),
    experimentKey: nullable(v.experimentKey, str, 'experimentKey'), experimentModelName: nullable(v.experimentModelName, str, 'experimentModelName'),
  };
  return { kind, version, addedAliases: strings(e.addedAliases, 'addedAliases'), removedAliases: strings(e.removedAliases, 'removedAliases') };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${what} must be a finite number`);
  return value;
}

function nullable<T>(value: unknown, parse: (v: unknown, what: string) => T, what: string): T | null {
  return value == null ? null : parse(value, what);
}

function predictionBatchEvent(e: Record<string, unknown>): PredictionBatchEvent {
  return {
    workspace: str(e.workspace, 'workspace'), modelName: str(e.modelName, 'modelName'), modelVersion: str(e.modelVersion, 'modelVersion'),
    count: num(e.count, 'count'), from: num(e.from, 'from'), to: num(e.to, 'to'),
  };
}
