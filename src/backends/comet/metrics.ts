/** The metrics port on Comet: summaries per run, histories from multi-metric-chart or raw pages, logging through the pipeline. */
import type * as Port from '../port';
import type { CometContext } from './context';
import { getMetricHistories } from './history';
import { metricValues } from './logging';
import { getMetricSummaries } from './summaries';

type Caller = Port.Caller;

// The summary endpoint keeps no point count (§3 "metrics/summary").
export const COMET_METRICS_CAPABILITIES: Port.MetricsCapabilities = Object.freeze({ pointCounts: false, pointAttributes: true, contexts: false });

export class CometMetrics implements Port.MetricsPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async summaries(caller: Caller, keys: readonly string[], names?: readonly string[] | null, options?: Port.ReadOptions) {
    return getMetricSummaries(this.#c.api(caller, options), keys, names);
  }

  async histories(caller: Caller, requests: readonly Port.MetricHistoryRequest[], options?: Port.ReadOptions) {
    return getMetricHistories(this.#c.api(caller, options), requests);
  }

  async log(caller: Caller, experimentKey: string, points: readonly Port.MetricPointInput[], options?: Port.WriteOptions) {
    return this.#c.submit(caller, experimentKey, 'metric', metricValues(points, this.#c.now()), options);
  }
}
