import type { Backend } from '../backends/port';
import type { Config } from '../config';
import { NO_LIVE_EVENTS, type LiveEvents } from '../live/events';
import type { Notify } from '../notify';
import type { NotifyService } from '../notify/service';
import { AssetsService } from './assets.service';
import { DetailsService } from './details.service';
import { LifecycleService } from './lifecycle.service';
import { ExperimentsService } from './experiments.service';
import { MetricsService } from './metrics.service';
import { ModelsService } from './models.service';
import { MonitoringService } from './monitoring.service';
import { UrlSigner } from './signing';

export interface Services {
  experiments: ExperimentsService;
  metrics: MetricsService;
  models: ModelsService;
  assets: AssetsService;
  monitoring: MonitoringService;
  /** Webhooks and metric alerts; null where the gateway runs without them (unit tests). */
  notify: NotifyService | null;
  details: DetailsService;
  lifecycle: LifecycleService;
}

/** `events` receives every successful write for the live feed (src/live/); none by default. */
export function createServices(
  backend: Backend, config: Config, urlSecrets: readonly string[], events: LiveEvents = NO_LIVE_EVENTS, notify: Notify | null = null,
): Services {
  const notifier = notify?.notifier ?? null;
  return {
    experiments: new ExperimentsService(backend, events, notifier),
    metrics: new MetricsService(backend, config.maxMetricPoints, Date.now, events, notifier),
    models: new ModelsService(backend, notifier, events),
    assets: new AssetsService(backend, new UrlSigner(urlSecrets), config.urlTtlSeconds, config.maxAssetBytes),
    monitoring: new MonitoringService(backend, Date.now, events),
    notify: notify?.service ?? null,
    details: new DetailsService(backend, events),
    lifecycle: new LifecycleService(backend, events),
  };
}
