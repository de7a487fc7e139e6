import type { Backend } from '../backends/port';
import type { Config } from '../config';
import { AssetsService } from './assets.service';
import { ExperimentsService } from './experiments.service';
import { MetricsService } from './metrics.service';
import { ModelsService } from './models.service';
import { UrlSigner } from './signing';

export interface Services {
  experiments: ExperimentsService;
  metrics: MetricsService;
  models: ModelsService;
  assets: AssetsService;
}

export function createServices(backend: Backend, config: Config, urlSecrets: readonly string[]): Services {
  return {
    experiments: new ExperimentsService(backend),
    metrics: new MetricsService(backend, config.maxMetricPoints),
    models: new ModelsService(backend),
    assets: new AssetsService(backend, new UrlSigner(urlSecrets), config.urlTtlSeconds, config.maxAssetBytes),
  };
}
