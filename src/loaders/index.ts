/**
 * One set of DataLoaders per request (never shared across requests or API keys): each maps 1:1 onto a
 * batch read of the port, so N nested fields of the same kind cost one port call per tick.
 */
import DataLoader from 'dataloader';
import type {
  Asset, AssetPageRequest, AssetRef, Backend, Caller, Experiment, ExperimentModel, MetricHistory, MetricHistoryRequest, MetricSummary,
  ModelVersion, Other, Page, Parameter, Project, ProjectRef, RegisteredModel, RegisteredModelRef, Workspace,
} from '../backends/port';
import { createDetailLoaders, type DetailLoaders } from './details';
import type {
  CountsRequest, Distribution, DistributionRequest, DriftRequest, LabelMetricRequest, ModelVersionRef, MonitoredFeature, Prediction,
  PredictionsRequest, TimeBucket,
} from '../backends/port';

/** Composite keys joined with a separator that cannot appear in names (names are validated). */
const SEP = '\u0000';
const refKey = (ref: { workspace: string; name: string }): string => `${ref.workspace}${SEP}${ref.name}`;
const json = <T extends object>(request: T): string => JSON.stringify(request);

export interface Loaders {
  experiment: DataLoader<string, Experiment | null>;
  children: DataLoader<string, Experiment[]>;
  workspace: DataLoader<string, Workspace | null>;
  project: DataLoader<ProjectRef, Project | null, string>;
  metricSummaries: DataLoader<string, MetricSummary[]>;
  metricHistory: DataLoader<MetricHistoryRequest, MetricHistory, string>;
  parameters: DataLoader<string, Parameter[]>;
  tags: DataLoader<string, string[]>;
  others: DataLoader<string, Other[]>;
  /** One page of one experiment's assets per key. */
  assets: DataLoader<AssetPageRequest, Page<Asset>, string>;
  asset: DataLoader<AssetRef, Asset | null, string>;
  experimentModels: DataLoader<string, ExperimentModel[]>;
  registeredModel: DataLoader<RegisteredModelRef, RegisteredModel | null, string>;
  modelVersions: DataLoader<RegisteredModelRef, ModelVersion[], string>;
  /** Run details, output, curves, project notes and columns (details.ts). */
  details: DetailLoaders;
  predictions: DataLoader<PredictionsRequest, Page<Prediction>, string>;
  predictionCounts: DataLoader<CountsRequest, TimeBucket[], string>;
  featureDistribution: DataLoader<DistributionRequest, Distribution, string>;
  featureDrift: DataLoader<DriftRequest, TimeBucket[], string>;
  labelMetric: DataLoader<LabelMetricRequest, TimeBucket[], string>;
  monitoredFeatures: DataLoader<ModelVersionRef, MonitoredFeature[], string>;
}

// `maxBatchSize` keeps one SQL statement or upstream request bounded however large the page is.
const options = { maxBatchSize: 1000 } as const;

/** How each loader is made, for one request's caller. */
const FACTORIES: { [K in keyof Loaders]: (backend: Backend, caller: Caller) => Loaders[K] } = {
  experiment: (backend, caller) => new DataLoader((keys) => backend.experiments.get(caller, keys), options),
  children: (backend, caller) => new DataLoader((keys) => backend.experiments.children(caller, keys), options),
  workspace: (backend, caller) => new DataLoader((names) => backend.projects.getWorkspaces(caller, names), options),
  project: (backend, caller) => new DataLoader((refs) => backend.projects.get(caller, refs), { ...options, cacheKeyFn: refKey }),
  metricSummaries: (backend, caller) => new DataLoader((keys) => backend.metrics.summaries(caller, keys), options),
  metricHistory: (backend, caller) => new DataLoader((requests) => backend.metrics.histories(caller, requests), {
    ...options,
    cacheKeyFn: (r) => JSON.stringify([r.experimentKey, r.name, r.context ?? null, r.afterStep, r.beforeStep, r.first, r.after, r.samples]),
  }),
  parameters: (backend, caller) => new DataLoader((keys) => backend.attributes.parameters(caller, keys), options),
  tags: (backend, caller) => new DataLoader((keys) => backend.attributes.tags(caller, keys), options),
  others: (backend, caller) => new DataLoader((keys) => backend.attributes.others(caller, keys), options),
  assets: (backend, caller) => new DataLoader((requests) => backend.assets.list(caller, requests), {
    ...options,
    cacheKeyFn: (r) => JSON.stringify([r.experimentKey, r.type ?? null, r.first, r.after ?? null]),
  }),
  asset: (backend, caller) => new DataLoader((refs) => backend.assets.get(caller, refs), { ...options, cacheKeyFn: (r) => `${r.experimentKey}${SEP}${r.assetId}` }),
  experimentModels: (backend, caller) => new DataLoader((keys) => backend.assets.models(caller, keys), options),
  registeredModel: (backend, caller) => new DataLoader((refs) => backend.registry.models(caller, refs), { ...options, cacheKeyFn: refKey }),
  modelVersions: (backend, caller) => new DataLoader((refs) => backend.registry.versions(caller, refs), { ...options, cacheKeyFn: refKey }),
  details: (backend, caller) => createDetailLoaders(backend, caller),
  // Monitoring requests are small objects of plain values: their JSON is their identity.
  predictions: (backend, caller) => new DataLoader((requests) => backend.monitoring.predictions(caller, requests), { ...options, cacheKeyFn: json }),
  predictionCounts: (backend, caller) => new DataLoader((requests) => backend.monitoring.counts(caller, requests), { ...options, cacheKeyFn: json }),
  featureDistribution: (backend, caller) => new DataLoader((requests) => backend.monitoring.distributions(caller, requests), { ...options, cacheKeyFn: json }),
  featureDrift: (backend, caller) => new DataLoader((requests) => backend.monitoring.drift(caller, requests), { ...options, cacheKeyFn: json }),
  labelMetric: (backend, caller) => new DataLoader((requests) => backend.monitoring.labelMetrics(caller, requests), { ...options, cacheKeyFn: json }),
  monitoredFeatures: (backend, caller) => new DataLoader((refs) => backend.monitoring.features(caller, refs), { ...options, cacheKeyFn: json }),
};

/**
 * A request's loaders, each made on first use: a request reads a few kinds of entity, and making all twenty
 * loaders for every one of them was a measurable share of a small query's CPU.
 */
class RequestLoaders {
  readonly made: Partial<Loaders> = {};

  constructor(
    readonly backend: Backend,
    readonly caller: Caller,
  ) {}
}
for (const key of Object.keys(FACTORIES) as (keyof Loaders)[]) {
  Object.defineProperty(RequestLoaders.prototype, key, {
    get(this: RequestLoaders) {
      return (this.made[key] ??= FACTORIES[key](this.backend, this.caller) as never);
    },
  });
}

export function createLoaders(backend: Backend, caller: Caller): Loaders {
  return new RequestLoaders(backend, caller) as unknown as Loaders;
}

/** Primes the experiment loader with rows a listing already returned, so nested lookups cost nothing. */
export function primeExperiments(loaders: Loaders, experiments: readonly Experiment[]): void {
  for (const e of experiments) loaders.experiment.prime(e.key, e);
}
