/**
 * The monitoring port on Comet MPM. Writes go through the write pipeline and its durable outbox, one lane per
 * model version (so an acknowledged prediction is never lost, and a version's events arrive in order), as
 * `POST mpm/v2/events/batch` and `labels/batch` of at most 1,000 events. Reads use the MPM read API. What MPM
 * has no endpoint for (listing predictions, reference data uploads, label metrics, drift against the first
 * window) is refused with its capability flag false.
 */
import { BadUserInputError } from '../../errors';
import * as Port from '../port';
import type { CometContext } from './context';
import { MpmReads, unsupported } from './mpm-reads';
import { mpmLane } from './mpm-protocol';
import { getModelVersions } from './registry-calls';
import { isTransient } from './write-types';

type Caller = Port.Caller;

export const COMET_MONITORING_CAPABILITIES: Port.MonitoringCapabilities = Object.freeze({
  supported: true, listPredictions: false, referenceData: false, firstWindowDrift: false, labelMetrics: false,
});

export class CometMonitoring implements Port.MonitoringPort {
  readonly #c: CometContext;

  constructor(context: CometContext) {
    this.#c = context;
  }

  async log(caller: Caller, ref: Port.ModelVersionRef, events: readonly Port.PredictionEventInput[], options?: Port.WriteOptions) {
    await this.#requireVersion(caller, ref);
    const wire = events.map((e) => ({ ...this.#head(ref, e.predictionId, e.timestamp), features: e.features, prediction: e.prediction, labels: e.labels }));
    return this.#c.submit(caller, mpmLane(ref.workspace, ref.modelName, ref.version), 'prediction', wire, options);
  }

  async logLabels(caller: Caller, ref: Port.ModelVersionRef, labels: readonly Port.LabelInput[], options?: Port.WriteOptions) {
    await this.#requireVersion(caller, ref);
    const wire = labels.map((l) => ({ ...this.#head(ref, l.predictionId, l.timestamp), labels: l.labels }));
    return this.#c.submit(caller, mpmLane(ref.workspace, ref.modelName, ref.version), 'label', wire, options);
  }

  async logReference(_caller: Caller, _ref: Port.ModelVersionRef, _events: readonly Port.PredictionEventInput[], _options?: Port.WriteOptions): Promise<Port.WriteStatus> {
    // MPM takes reference data only as a CSV dataset upload (C.2), which the gateway does not make.
    throw unsupported('Logging reference data', 'referenceData');
  }

  async predictions(_caller: Caller, requests: readonly Port.PredictionsRequest[]) {
    // Comet's read API has no endpoint listing individual predictions (C.4): every slot says so.
    return requests.map(() => unsupported('Listing individual predictions', 'listPredictions'));
  }

  async counts(caller: Caller, requests: readonly Port.CountsRequest[]) {
    return this.#each(caller, requests, (reads, r) => reads.counts(r));
  }

  async distributions(caller: Caller, requests: readonly Port.DistributionRequest[]) {
    return this.#each(caller, requests, (reads, r) => reads.distribution(r));
  }

  async drift(caller: Caller, requests: readonly Port.DriftRequest[]) {
    return this.#each(caller, requests, (reads, r) => reads.drift(r));
  }

  async labelMetrics(_caller: Caller, requests: readonly Port.LabelMetricRequest[]) {
    return requests.map(() => unsupported('Label metrics', 'labelMetrics'));
  }

  async features(caller: Caller, refs: readonly Port.ModelVersionRef[]) {
    return this.#each(caller, refs.map((ref) => ({ ref })), (reads, r) => reads.features(r.ref));
  }

  /** The event fields MPM keys every event by (C.1); timestamps in ms. */
  #head(ref: Port.ModelVersionRef, predictionId: string, timestamp: number) {
    return { workspaceName: ref.workspace, modelName: ref.modelName, modelVersion: ref.version, predictionId, timestamp };
  }

  /**
   * MPM takes events for any name; the gateway logs only for registered versions, as on every backend. When
   * Comet cannot answer (down, throttling), the events are queued unchecked rather than refused: an outage
   * must not cost predictions, and MPM takes them for any name once back.
   */
  async #requireVersion(caller: Caller, ref: Port.ModelVersionRef): Promise<void> {
    const [versions] = await getModelVersions(this.#c.api(caller), [{ workspace: ref.workspace, name: ref.modelName }]);
    if (versions instanceof Error && isTransient(versions)) return;
    if (versions instanceof Error) throw versions;
    if (!versions.some((v) => v.version === ref.version)) throw Port.modelVersionNotFound(ref);
  }

  async #each<R, V>(caller: Caller, requests: readonly R[], read: (reads: MpmReads, request: R) => Promise<V>): Promise<(V | Error)[]> {
    const reads = new MpmReads(this.#c.parts.http, this.#c.parts.sessions.resolve(caller));
    return Promise.all(requests.map((r) => read(reads, r).catch((error: unknown) => (error instanceof Error ? error : new BadUserInputError(String(error))))));
  }
}
