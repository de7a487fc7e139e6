/**
 * MPM routes (shared/comet-mpm.md, section C): ingestion below `/mpm/v2/` (C.2) and the read API below
 * `/api/mpm/` (C.4, answers shaped as in C.5). Where the reference is silent, the choice is commented.
 */
import { requireWorkspace } from './access';
import { badRequest, notFound } from './errors';
import { mpmOf, type MpmEvent, type MpmModel, type Values } from './mpm';
import { json, type Route, type SimRequest } from './route';
import { isObject } from './validate';

/** The SDK's batch size (C.3), taken as the server's ceiling as for the clientlib batch plane. */
export const MPM_BATCH_MAX = 1000;
const INTERVALS: Record<string, number> = { HOURLY: 3_600_000, DAILY: 86_400_000 };

function fields(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) throw badRequest(`${where}: unknown field '${key}'`);
}

function str(obj: Record<string, unknown>, key: string, where: string): string {
  if (typeof obj[key] !== 'string' || obj[key] === '') throw badRequest(`${where}: field '${key}' must be a non-empty string`);
  return obj[key] as string;
}

/** "Values must be flat dicts of scalars" (C.1). */
function flat(value: unknown, where: string): Values {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw badRequest(`${where}: must be an object of scalars`);
  for (const [k, v] of Object.entries(value)) {
    if (!(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) throw badRequest(`${where}.${k}: must be a scalar`);
  }
  return value as Values;
}

function batch(req: SimRequest, where: string): Record<string, unknown>[] {
  if (!isObject(req.json)) throw badRequest(`${where}: expected {"data": [...]}`);
  fields(req.json, ['data'], where);
  const data = req.json.data;
  if (!Array.isArray(data)) throw badRequest(`${where}: field 'data' must be an array`);
  if (data.length > MPM_BATCH_MAX) throw badRequest(`${where}: ${data.length} events in one batch; at most ${MPM_BATCH_MAX} are accepted`);
  return data.map((e, i) => {
    if (!isObject(e)) throw badRequest(`${where}: data[${i}] must be an object`);
    return e;
  });
}

/** Validates the whole batch before storing any of it. */
function ingest(req: SimRequest, where: string, kind: 'event' | 'label'): ReturnType<typeof json> {
  const base = ['modelName', 'modelVersion', 'workspaceName', 'predictionId', 'timestamp', 'labels'];
  // The SDK sends `prediction`; the REST docs show `predictions` (C.1): both are taken.
  const allowed = kind === 'event' ? [...base, 'features', 'prediction', 'predictions'] : base;
  const events = batch(req, where).map((e, i) => {
    const at = `${where}: data[${i}]`;
    fields(e, allowed, at);
    if (!(typeof e.timestamp === 'number' && Number.isSafeInteger(e.timestamp))) throw badRequest(`${at}: timestamp must be Unix ms`);
    const workspace = requireWorkspace(req, str(e, 'workspaceName', at));
    const event: MpmEvent = {
      predictionId: str(e, 'predictionId', at), timestamp: e.timestamp,
      features: flat(e.features, `${at}.features`), prediction: flat(e.prediction ?? e.predictions, `${at}.prediction`), labels: flat(e.labels, `${at}.labels`),
    };
    return { workspace, model: str(e, 'modelName', at), version: str(e, 'modelVersion', at), event };
  });
  const store = mpmOf(req.state);
  for (const e of events) store.merge(store.model(e.workspace, e.model), e.version, e.event, kind);
  // The answer of the ingestion endpoints is not in the reference: an empty JSON object is assumed.
  return json({});
}

interface ReadBody {
  model: MpmModel;
  version: string;
  from: number;
  to: number;
  interval: number;
  body: Record<string, unknown>;
}

function readBody(req: SimRequest, where: string, extra: readonly string[]): ReadBody {
  if (!isObject(req.json)) throw badRequest(`${where}: expected a JSON object`);
  const body = req.json;
  fields(body, ['modelId', 'from', 'to', 'intervalType', 'predicates', 'version', ...extra], where);
  const model = mpmOf(req.state).byId(str(body, 'modelId', where));
  if (!model) throw notFound(`${where}: no model '${String(body.modelId)}'`);
  requireWorkspace(req, model.workspaceName);
  // `from` and `to` are taken as Unix ms: the reference names them without a format.
  const from = body.from;
  const to = body.to;
  if (typeof from !== 'number' || typeof to !== 'number' || !(to > from)) throw badRequest(`${where}: from and to must be Unix ms, from before to`);
  const interval = INTERVALS[String(body.intervalType)];
  if (interval === undefined) throw badRequest(`${where}: intervalType must be HOURLY or DAILY`);
  if (body.predicates !== undefined && !Array.isArray(body.predicates)) throw badRequest(`${where}: predicates must be an array`);
  return { model, version: str(body, 'version', where), from, to, interval, body };
}

function eventsIn(r: ReadBody): MpmEvent[] {
  return [...(r.model.versions.get(r.version)?.values() ?? [])].filter((e) => e.timestamp >= r.from && e.timestamp < r.to && Object.keys(e.features).length + Object.keys(e.prediction).length > 0);
}

function valuesOf(events: MpmEvent[], name: string, source: string): unknown[] {
  const group = source === 'OUTPUT' ? 'prediction' : source === 'LABEL' ? 'labels' : 'features';
  return events.flatMap((e) => (name in e[group] ? [e[group][name]] : []));
}

function buckets(r: ReadBody): number[] {
  const out: number[] = [];
  for (let t = Math.floor(r.from / r.interval) * r.interval; t < r.to; t += r.interval) out.push(t);
  return out;
}

/** Shares of values per key: numbers in 10 equal-width bins over the reference's range, else by category. */
function shares(values: unknown[], reference: unknown[]): Map<string, number> {
  const numeric = reference.every((v) => typeof v === 'number');
  const lo = Math.min(...(reference as number[]));
  const hi = Math.max(...(reference as number[]));
  const width = hi > lo ? (hi - lo) / 10 : 1;
  const keyOf = (v: unknown) => (numeric ? String(Math.min(9, Math.max(0, Math.floor(((v as number) - lo) / width)))) : String(v));
  const out = new Map<string, number>();
  for (const v of values) out.set(keyOf(v), (out.get(keyOf(v)) ?? 0) + 1 / values.length);
  return out;
}

function driftOf(algorithm: string, current: unknown[], reference: unknown[]): number {
  if (algorithm === 'EMD') {
    const xs = [...new Set([...current, ...reference] as number[])].sort((a, b) => a - b);
    const cdf = (s: unknown[], x: number) => s.filter((v) => (v as number) <= x).length / s.length;
    let sum = 0;
    for (let i = 0; i + 1 < xs.length; i += 1) sum += Math.abs(cdf(current, xs[i]) - cdf(reference, xs[i])) * (xs[i + 1] - xs[i]);
    return sum;
  }
  const c = shares(current, reference);
  const r = shares(reference, reference);
  let sum = 0;
  for (const key of new Set([...c.keys(), ...r.keys()])) {
    const p = Math.max(1e-4, c.get(key) ?? 0);
    const q = Math.max(1e-4, r.get(key) ?? 0);
    sum += algorithm === 'PSI' ? (p - q) * Math.log(p / q) : p * Math.log(p / q);
  }
  return sum;
}

export const mpmRoutes: readonly Route[] = [
  { method: 'POST', name: 'mpm/v2/events/batch', body: 'json', handle: (req) => ingest(req, 'mpm/v2/events/batch', 'event') },
  { method: 'POST', name: 'mpm/v2/labels/batch', body: 'json', handle: (req) => ingest(req, 'mpm/v2/labels/batch', 'label') },
  {
    method: 'GET', name: 'api/mpm/v3/workspaces', body: 'none',
    handle: (req) => json({
      workspaces: req.key.workspaces.map((workspaceName) => ({
        workspaceName,
        models: [...mpmOf(req.state).models.values()].filter((m) => m.workspaceName === workspaceName).map((m) => ({ modelName: m.modelName, modelId: m.modelId })),
      })),
    }),
  },
  {
    method: 'GET', name: 'api/mpm/v2/model/details', body: 'none',
    handle: (req) => {
      const model = mpmOf(req.state).byId(req.query.get('modelId') ?? '');
      if (!model) throw notFound('api/mpm/v2/model/details: no such model');
      requireWorkspace(req, model.workspaceName);
      const features = new Map<string, { name: string; type: string; source: string }>();
      for (const events of model.versions.values()) {
        for (const e of events.values()) {
          // Source names are not in the reference: INPUT, OUTPUT and LABEL are assumed.
          for (const [source, group] of [['INPUT', e.features], ['OUTPUT', e.prediction], ['LABEL', e.labels]] as const) {
            for (const [name, v] of Object.entries(group)) features.set(`${source}/${name}`, { name, source, type: typeof v === 'number' ? 'NUMERICAL' : 'CATEGORICAL' });
          }
        }
      }
      return json({ model: { modelId: model.modelId, modelName: model.modelName, features: [...features.values()] } });
    },
  },
  {
    method: 'POST', name: 'api/mpm/v2/model/numberOfPredictions', body: 'json',
    handle: (req) => {
      const r = readBody(req, 'api/mpm/v2/model/numberOfPredictions', []);
      const events = eventsIn(r);
      const data = buckets(r).map((x) => ({ x, y: events.filter((e) => e.timestamp >= x && e.timestamp < x + r.interval).length }));
      return json({ data: [{ name: 'numberOfPredictions', data }] });
    },
  },
  {
    method: 'POST', name: 'api/mpm/v2/features/drift', body: 'json',
    handle: (req) => {
      const where = 'api/mpm/v2/features/drift';
      const r = readBody(req, where, ['name', 'algorithmType', 'source']);
      const algorithm = String(r.body.algorithmType);
      if (!['EMD', 'PSI', 'KL'].includes(algorithm)) throw badRequest(`${where}: algorithmType must be EMD, PSI or KL`);
      const name = str(r.body, 'name', where);
      const source = String(r.body.source ?? 'INPUT');
      const events = eventsIn(r);
      const per = buckets(r).map((x) => ({ x, values: valuesOf(events.filter((e) => e.timestamp >= x && e.timestamp < x + r.interval), name, source) }));
      // With no training dataset uploaded, drift is measured against the first interval with data (a choice:
      // the reference does not say what MPM compares against).
      const reference = per.find((b) => b.values.length > 0)?.values ?? [];
      const data = per.map((b) => ({ x: b.x, y: b.values.length === 0 ? null : driftOf(algorithm, b.values, reference) }));
      return json({ data: [{ name, data }] });
    },
  },
  {
    method: 'POST', name: 'api/mpm/v2/features/distribution', body: 'json',
    handle: (req) => {
      const where = 'api/mpm/v2/features/distribution';
      const r = readBody(req, where, ['name', 'normalize', 'source']);
      const name = str(r.body, 'name', where);
      const values = valuesOf(eventsIn(r), name, String(r.body.source ?? 'INPUT'));
      if (values.every((v) => typeof v === 'number') && values.length > 0) {
        const lo = Math.min(...(values as number[]));
        const hi = Math.max(...(values as number[]));
        const width = hi > lo ? (hi - lo) / 10 : 1;
        const counts = new Array<number>(10).fill(0);
        for (const v of values as number[]) counts[Math.min(9, Math.floor((v - lo) / width))] += 1;
        return json({ data: [{ name, data: counts.map((y, i) => ({ x: lo + i * width, y })) }] });
      }
      const counts = new Map<string, number>();
      for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      return json({ data: [{ name, data: [...counts].map(([x, y]) => ({ x, y })) }] });
    },
  },
];
