/** The monitoring port on SQLite: events and rollups written in one transaction, aggregates read in one snapshot. */
import type * as Port from '../port';
import type { SqliteContext } from './context';
import { MonitoringReader } from './monitoring-reads';
import { MonitoringStore, Part, type PartId, type StoredEvent } from './monitoring-store';

type Caller = Port.Caller;

export const SQLITE_MONITORING_CAPABILITIES: Port.MonitoringCapabilities = Object.freeze({
  supported: true, listPredictions: true, referenceData: true, firstWindowDrift: true, labelMetrics: true,
});

const asStored = (e: Port.PredictionEventInput): StoredEvent =>
  ({ predictionId: e.predictionId, timestamp: e.timestamp, predicted: true, groups: [e.features, e.prediction, e.labels] });

export class SqliteMonitoring implements Port.MonitoringPort {
  readonly #c: SqliteContext;
  readonly #store: MonitoringStore;
  readonly #reader: MonitoringReader;

  constructor(context: SqliteContext) {
    this.#c = context;
    this.#store = new MonitoringStore(context.db);
    this.#reader = new MonitoringReader(context.db);
  }

  async log(caller: Caller, ref: Port.ModelVersionRef, events: readonly Port.PredictionEventInput[], options?: Port.WriteOptions) {
    return this.#append(caller, ref, Part.production, events.map(asStored), options);
  }

  async logLabels(caller: Caller, ref: Port.ModelVersionRef, labels: readonly Port.LabelInput[], options?: Port.WriteOptions) {
    const events = labels.map((l): StoredEvent => ({ predictionId: l.predictionId, timestamp: l.timestamp, predicted: false, groups: [{}, {}, l.labels] }));
    return this.#append(caller, ref, Part.production, events, options);
  }

  async logReference(caller: Caller, ref: Port.ModelVersionRef, events: readonly Port.PredictionEventInput[], options?: Port.WriteOptions) {
    return this.#append(caller, ref, Part.reference, events.map(asStored), options);
  }

  async predictions(_caller: Caller, requests: readonly Port.PredictionsRequest[]) {
    return this.#each(requests, (model, r) => this.#reader.predictions(model, r));
  }

  async counts(_caller: Caller, requests: readonly Port.CountsRequest[]) {
    return this.#each(requests, (model, r) => this.#reader.counts(model, r));
  }

  async distributions(_caller: Caller, requests: readonly Port.DistributionRequest[]) {
    return this.#each(requests, (model, r) => this.#reader.distribution(model, r));
  }

  async drift(_caller: Caller, requests: readonly Port.DriftRequest[]) {
    return this.#each(requests, (model, r) => this.#reader.drift(model, r));
  }

  async labelMetrics(_caller: Caller, requests: readonly Port.LabelMetricRequest[]) {
    return this.#each(requests, (model, r) => this.#reader.labelMetric(model, r));
  }

  async features(_caller: Caller, refs: readonly Port.ModelVersionRef[]) {
    return this.#each(refs.map((ref) => ({ ref })), (model) => this.#reader.features(model));
  }

  #append(caller: Caller, ref: Port.ModelVersionRef, part: PartId, events: readonly StoredEvent[], options?: Port.WriteOptions): Port.WriteStatus {
    return this.#c.write((): Port.WriteStatus => {
      this.#store.append(this.#store.modelId(ref, true) as number, part, events);
      return 'ACCEPTED';
    }, caller, options);
  }

  /** One slot per request, read in one snapshot; a per-request failure (unknown version, bad range) is its slot's Error. */
  #each<R extends { ref: Port.ModelVersionRef }, V>(requests: readonly R[], read: (model: number | null, request: R) => V): (V | Error)[] {
    return this.#c.read(() => requests.map((r) => {
      try {
        return read(this.#store.modelId(r.ref, false), r);
      } catch (error) {
        if (error instanceof Error) return error;
        throw error;
      }
    }));
  }
}
