/**
 * The MPM read API (C.4, C.5): the model id of a model name, then counts, drift, distributions and the feature
 * list by model id and version. Answers are decoded leniently (numbers as strings, a missing series name, null
 * buckets), since they were not verified against a live server; what cannot be mapped is a clear error.
 */
import { BadUserInputError, NotFoundError, UpstreamUnavailableError } from '../../errors';
import {
  bucketStarts, type CountsRequest, type Distribution, type DistributionRequest, type DriftRequest, type FeatureSource, type Interval,
  type ModelVersionRef, type MonitoredFeature, type TimeBucket,
} from '../port';
import type { CometHttp } from './http';
import { MPM_INTERVALS, MpmRoute } from './mpm-protocol';
import type { CometSession } from './routing';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function shapeError(route: string): UpstreamUnavailableError {
  return new UpstreamUnavailableError(`Comet ${route} answered in a shape the gateway cannot read`, { route });
}

export function unsupported(what: string, flag: string): BadUserInputError {
  return new BadUserInputError(`${what} is not supported on the Comet backend (capabilities.monitoring.${flag} is false)`, { reason: 'UNSUPPORTED' });
}

/** The points of the first series of a `{data: [{name, data: [{x, y}]}]}` answer (C.5). */
export function decodeSeries(json: unknown, route: string): { x: unknown; y: number | null }[] {
  if (!isObj(json) || !Array.isArray(json.data)) throw shapeError(route);
  const first: unknown = json.data[0];
  if (first === undefined) return [];
  if (!isObj(first) || !Array.isArray(first.data)) throw shapeError(route);
  return first.data.flatMap((p: unknown) => (isObj(p) ? [{ x: p.x, y: num(p.y) }] : []));
}

function intervalType(interval: Interval): string {
  if (interval === 'MINUTE') throw new BadUserInputError('Comet MPM answers hourly or daily buckets only: use interval HOUR or DAY', { field: 'interval', reason: 'UNSUPPORTED' });
  return MPM_INTERVALS[interval];
}

export class MpmReads {
  constructor(
    private readonly http: CometHttp,
    private readonly session: CometSession,
  ) {}

  /** The MPM model id of `ref`'s model (from the workspace listing); NOT_FOUND when MPM has no such model. */
  async modelId(ref: ModelVersionRef): Promise<string> {
    const json = await this.http.json(this.session, { method: 'GET', plane: 'mpmApi', route: MpmRoute.workspaces, idempotent: true });
    if (!isObj(json) || !Array.isArray(json.workspaces)) throw shapeError(MpmRoute.workspaces);
    for (const ws of json.workspaces as unknown[]) {
      if (!isObj(ws) || ws.workspaceName !== ref.workspace || !Array.isArray(ws.models)) continue;
      for (const m of ws.models as unknown[]) if (isObj(m) && m.modelName === ref.modelName && typeof m.modelId === 'string') return m.modelId;
    }
    throw new NotFoundError(`Comet MPM has no model '${ref.workspace}/${ref.modelName}': nothing was logged for it yet`, { ...ref });
  }

  async counts(request: CountsRequest): Promise<TimeBucket[]> {
    const starts = bucketStarts(request.from, request.to, request.interval);
    const modelId = await this.modelId(request.ref);
    const json = await this.#post(MpmRoute.numberOfPredictions, {
      modelId, from: request.from, to: request.to, intervalType: intervalType(request.interval), predicates: [], version: request.ref.version,
    });
    const byStart = new Map(decodeSeries(json, MpmRoute.numberOfPredictions).flatMap((p) => (num(p.x) === null ? [] : [[num(p.x) as number, p.y ?? 0]])));
    return starts.map((start) => ({ start, value: byStart.get(start) ?? 0, count: byStart.get(start) ?? 0 }));
  }

  async drift(request: DriftRequest): Promise<TimeBucket[]> {
    if (request.reference === 'FIRST_WINDOW') throw unsupported('Drift against the first window', 'firstWindowDrift');
    const { from, to } = this.#range(request);
    bucketStarts(from, to, request.interval);
    const modelId = await this.modelId(request.ref);
    const json = await this.#post(MpmRoute.drift, {
      modelId, name: request.feature, from, to, intervalType: intervalType(request.interval), algorithmType: request.algorithm,
      source: request.source, predicates: [], version: request.ref.version,
    });
    // A bucket without data comes back null (C.5): it is left out, as the port says.
    return decodeSeries(json, MpmRoute.drift).flatMap((p) => (num(p.x) === null || p.y === null ? [] : [{ start: num(p.x) as number, value: p.y, count: 0 }]));
  }

  async distribution(request: DistributionRequest): Promise<Distribution> {
    const { from, to } = this.#range(request);
    const modelId = await this.modelId(request.ref);
    const json = await this.#post(MpmRoute.distribution, {
      modelId, name: request.feature, from, to, intervalType: 'DAILY', source: request.source, predicates: [], version: request.ref.version,
    });
    const points = decodeSeries(json, MpmRoute.distribution);
    const numerical = points.length > 0 && points.every((p) => num(p.x) !== null);
    if (!numerical) {
      return { type: 'CATEGORICAL', bins: [], categories: points.map((p) => ({ value: String(p.x), count: p.y ?? 0 })), percentiles: null, missing: 0 };
    }
    const sorted = points.map((p) => ({ start: num(p.x) as number, count: p.y ?? 0 })).sort((a, b) => a.start - b.start);
    const width = sorted.length > 1 ? sorted[1].start - sorted[0].start : 1;
    const bins = sorted.map((b, i) => ({ start: b.start, end: i + 1 < sorted.length ? sorted[i + 1].start : b.start + width, count: b.count }));
    return { type: 'NUMERICAL', bins, categories: [], percentiles: null, missing: 0 };
  }

  async features(ref: ModelVersionRef): Promise<MonitoredFeature[]> {
    let modelId: string;
    try {
      modelId = await this.modelId(ref);
    } catch (error) {
      if (error instanceof NotFoundError) return [];
      throw error;
    }
    const json = await this.http.json(this.session, { method: 'GET', plane: 'mpmApi', route: MpmRoute.modelDetails, query: { modelId }, idempotent: true });
    const features = isObj(json) && isObj(json.model) && Array.isArray(json.model.features) ? (json.model.features as unknown[]) : null;
    if (features === null) throw shapeError(MpmRoute.modelDetails);
    const sources: Record<string, FeatureSource> = { INPUT: 'INPUT', FEATURE: 'INPUT', OUTPUT: 'OUTPUT', PREDICTION: 'OUTPUT', LABEL: 'LABEL' };
    return features.flatMap((f) => {
      if (!isObj(f) || typeof f.name !== 'string') return [];
      const source = sources[String(f.source ?? 'INPUT').toUpperCase()] ?? 'INPUT';
      return [{ name: f.name, source, type: f.type === 'NUMERICAL' ? ('NUMERICAL' as const) : ('CATEGORICAL' as const) }];
    }).sort((a, b) => ['INPUT', 'OUTPUT', 'LABEL'].indexOf(a.source) - ['INPUT', 'OUTPUT', 'LABEL'].indexOf(b.source) || a.name.localeCompare(b.name));
  }

  /** The read API needs a range: without one, the last 30 days. */
  #range(request: { from?: number | null; to?: number | null }): { from: number; to: number } {
    const to = request.to ?? Date.now();
    return { from: request.from ?? to - 30 * 86_400_000, to };
  }

  #post(route: typeof MpmRoute[keyof typeof MpmRoute], json: Obj): Promise<unknown> {
    // Reads sent as POST: safe to repeat.
    return this.http.json(this.session, { method: 'POST', plane: 'mpmApi', route, json, idempotent: true });
  }
}
