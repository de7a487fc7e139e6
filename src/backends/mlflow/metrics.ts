/** The metrics port on MLflow: exact summaries and histories from whole series, logging through log-batch. */
import type * as Port from '../port';
import type { MlflowContext } from './context';
import { reachable } from './attributes';
import { getMetricHistories } from './history';
import { getMetricSummaries } from './summaries';
import { checkPoints } from './validate';

type Caller = Port.Caller;

// Counts are exact (summaries.ts reads whole series); MLflow has no epoch or context on a point.
export const MLFLOW_METRICS_CAPABILITIES: Port.MetricsCapabilities = Object.freeze({ pointCounts: true, pointAttributes: false, contexts: false });

export class MlflowMetrics implements Port.MetricsPort {
  readonly #c: MlflowContext;

  constructor(context: MlflowContext) {
    this.#c = context;
  }

  async summaries(caller: Caller, keys: readonly string[], names?: readonly string[] | null, options?: Port.ReadOptions) {
    return getMetricSummaries(this.#c.api(caller, options), keys, names);
  }

  async histories(caller: Caller, requests: readonly Port.MetricHistoryRequest[], options?: Port.ReadOptions) {
    return getMetricHistories(this.#c.api(caller, options), requests);
  }

  async log(caller: Caller, experimentKey: string, points: readonly Port.MetricPointInput[], options?: Port.WriteOptions): Promise<Port.WriteStatus> {
    const metrics = checkPoints(points, this.#c.now());
    await reachable(this.#c.api(caller), experimentKey);
    return this.#c.submit(caller, experimentKey, 'metric', metrics, options);
  }
}
