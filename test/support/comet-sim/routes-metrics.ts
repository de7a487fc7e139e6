/** Metric reads: per-experiment summary and history, and the multi-experiment chart endpoint (§3 "Metrics"). */
import { requireExperiment } from './access';
import { Limits, Path } from './constants';
import { forbidden } from './errors';
import { json, type Route } from './route';
import { evenSample, hashSeed, shuffled } from './sampling';
import { latestByName, metricSample, summarise } from './summaries';
import type { ExperimentRecord, MetricPoint } from './types';
import { decodeObject, decodeQuery, optional, qRequired, required } from './validate';

/** Step order (points without a step last), then time, then arrival. */
function byStep(points: readonly MetricPoint[]): MetricPoint[] {
  return points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.step ?? Infinity) - (b.p.step ?? Infinity) || a.p.timestamp - b.p.timestamp || a.i - b.i)
    .map(({ p }) => p);
}

/** Up to 15,000 values per metric are served; longer series are downsampled on read (§8 "Hard limits"). */
function stored(points: readonly MetricPoint[]): readonly MetricPoint[] {
  return points.length <= Limits.MAX_POINTS_PER_METRIC ? points : evenSample(byStep(points), Limits.MAX_POINTS_PER_METRIC);
}

/**
 * Chart values. The reference leaves their type open (Corrections 9): finite values are sent as JSON
 * numbers, non-finite ones as their string spelling ("NaN", "Infinity", "-Infinity"), so a reader must
 * accept both.
 */
function chartValue(value: string): number | string {
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

const CHART_BODY = {
  targetedExperiments: required('stringArray'),
  metrics: required('stringArray'),
  params: optional('stringArray'),
  independentMetrics: optional('boolean'),
  fetchFull: optional('boolean'),
} as const;

interface ChartOptions {
  metrics: readonly string[];
  params: readonly string[];
  independentMetrics: boolean;
  fetchFull: boolean;
}

/**
 * One experiment's chart object, in the Python docstring's shape (§3): `experiment_key` spelled as there (the
 * wire spelling is unverified: key off the map key), `params` a name → value map, one `metrics` entry per
 * requested metric the experiment has, its arrays in step order. `durations` are ms since the experiment's
 * start. With `independentMetrics: false` only the steps every requested metric has are kept, and
 * `steps` lists them; otherwise `steps` is null. `epochs` is null.
 */
function chartFor(e: ExperimentRecord, o: ChartOptions) {
  const params = latestByName(e.parameters);
  const series = o.metrics.map((name) => ({ name, points: byStep(stored(e.metricsByName.get(name) ?? [])) }));
  let commonSteps: number[] | null = null;
  if (!o.independentMetrics) {
    const stepSets = series.map((s) => new Set(s.points.flatMap((p) => (p.step === null ? [] : [p.step]))));
    commonSteps = [...(stepSets[0] ?? new Set<number>())].filter((step) => stepSets.every((set) => set.has(step)));
    const keep = new Set(commonSteps);
    for (const s of series) s.points = s.points.filter((p) => p.step !== null && keep.has(p.step));
  }
  return {
    experiment_key: e.experimentKey,
    steps: commonSteps,
    epochs: null,
    params: Object.fromEntries(o.params.flatMap((name) => {
      const value = params.get(name);
      return value === undefined ? [] : [[name, value]];
    })),
    metrics: series
      .filter((s) => s.points.length > 0)
      .map((s) => {
        const points = o.fetchFull ? s.points : evenSample(s.points, Limits.CHART_SAMPLE_POINTS);
        return {
          metricName: s.name,
          values: points.map((p) => chartValue(p.metricValue)),
          steps: points.map((p) => p.step),
          epochs: points.map((p) => p.epoch),
          timestamps: points.map((p) => p.timestamp),
          durations: points.map((p) => p.timestamp - e.startTimeMillis),
        };
      }),
  };
}

export const metricRoutes: readonly Route[] = [
  {
    method: 'GET',
    name: Path.metricsSummary,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { experimentKey: qRequired('string') }, Path.metricsSummary);
      const e = requireExperiment(req, q.experimentKey, 'read');
      // From every point received: downsampling applies to histories, not to min/max/current.
      const values = [...e.metricsByName].map(([name, points]) => summarise(name, points.map(metricSample)));
      return json({ values });
    },
  },
  {
    method: 'GET',
    name: Path.getMetric,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { experimentKey: qRequired('string'), metricName: qRequired('string') }, Path.getMetric);
      const e = requireExperiment(req, q.experimentKey, 'read');
      // "values in backend response are not sorted" (§3): a fixed shuffle, so a client that forgets to sort
      // fails every time rather than sometimes.
      const points = shuffled(stored(e.metricsByName.get(q.metricName) ?? []), hashSeed(`${e.experimentKey}\0${q.metricName}`));
      return json({
        metrics: points.map((p) => ({
          metricName: p.metricName,
          metricValue: p.metricValue,
          timestamp: p.timestamp,
          step: p.step,
          epoch: p.epoch,
          runContext: p.context,
        })),
      });
    },
  },
  {
    method: 'POST',
    name: Path.multiMetricChart,
    body: 'json',
    jsonContentType: 'application/octet-stream',
    handle: (req) => {
      const b = decodeObject(req.json, CHART_BODY, Path.multiMetricChart);
      const options: ChartOptions = {
        metrics: b.metrics,
        params: b.params ?? [],
        // Defaults when omitted are a sim choice; the SDKs always send both (§3).
        independentMetrics: b.independentMetrics ?? true,
        fetchFull: b.fetchFull ?? false,
      };
      const experiments: Record<string, ReturnType<typeof chartFor>> = {};
      for (const key of b.targetedExperiments) {
        const e = req.state.experiments.get(key);
        // Unknown keys are left out of the map (the adapter then sees "missing"); another key's experiment
        // is refused as in every per-experiment read (see access.ts).
        if (e === undefined) continue;
        if (!req.key.workspaces.includes(req.state.workspaceOf(e))) throw forbidden(`no access to experiment '${key}'`);
        experiments[key] = chartFor(e, options);
      }
      return json({ experiments, empty: Object.keys(experiments).length === 0 });
    },
  },
];
