/** The metrics port on SQLite: points in blocks, with summaries and rollups kept in the same transaction. */
import type * as Port from '../port';
import type { SqliteContext } from './context';
import { HistoryReader } from './history';
import { validatePoints } from './metric-input';
import { MetricStore } from './metric-store';

type Caller = Port.Caller;

export const SQLITE_METRICS_CAPABILITIES: Port.MetricsCapabilities = Object.freeze({ pointCounts: true, pointAttributes: true, contexts: true });

export class SqliteMetrics implements Port.MetricsPort {
  readonly #c: SqliteContext;
  readonly #store: MetricStore;
  readonly #history: HistoryReader;

  constructor(context: SqliteContext) {
    this.#c = context;
    this.#store = new MetricStore(context.db, context.blocks);
    this.#history = new HistoryReader(context.db, context.blocks);
  }

  async summaries(_caller: Caller, keys: readonly string[], names?: readonly string[] | null) {
    return this.#store.getSummaries(keys, names);
  }

  async histories(_caller: Caller, requests: readonly Port.MetricHistoryRequest[]) {
    return this.#history.read(requests);
  }

  async log(caller: Caller, experimentKey: string, points: readonly Port.MetricPointInput[], options?: Port.WriteOptions) {
    const valid = validatePoints(points, this.#c.now());
    return this.#c.touching(caller, options, experimentKey, (): Port.WriteStatus => {
      this.#store.append(experimentKey, valid);
      return 'ACCEPTED';
    });
  }
}
