/**
 * The simulated MPM store (shared/comet-mpm.md, section C): models created by their first event, events kept
 * per model version in arrival order, merged by prediction id ("same id merges, exact duplicates dropped",
 * C.1), and the figures of the read API computed from them. Kept beside the REST state, one per SimState.
 */
import { newId, type SimState } from './state';

export type Scalar = string | number | boolean;
export type Values = Record<string, Scalar>;

export interface MpmEvent {
  predictionId: string;
  timestamp: number;
  features: Values;
  prediction: Values;
  labels: Values;
}

export interface MpmModel {
  modelId: string;
  workspaceName: string;
  modelName: string;
  /** Per version: events by prediction id, in the order they were first received. */
  versions: Map<string, Map<string, MpmEvent>>;
  /** Every accepted event or label, in arrival order, as sent (for tests of delivery order). */
  received: { version: string; predictionId: string; kind: 'event' | 'label' }[];
}

export class MpmStore {
  readonly models = new Map<string, MpmModel>();

  model(workspaceName: string, modelName: string): MpmModel {
    const id = `${workspaceName}/${modelName}`;
    let model = this.models.get(id);
    if (!model) this.models.set(id, (model = { modelId: newId(), workspaceName, modelName, versions: new Map(), received: [] }));
    return model;
  }

  byId(modelId: string): MpmModel | undefined {
    return [...this.models.values()].find((m) => m.modelId === modelId);
  }

  /** Merges one event; false when it was an exact duplicate (nothing changed). */
  merge(model: MpmModel, version: string, incoming: MpmEvent, kind: 'event' | 'label'): boolean {
    let events = model.versions.get(version);
    if (!events) model.versions.set(version, (events = new Map()));
    const stored = events.get(incoming.predictionId);
    model.received.push({ version, predictionId: incoming.predictionId, kind });
    if (!stored) {
      events.set(incoming.predictionId, incoming);
      return true;
    }
    const merged: MpmEvent = {
      predictionId: stored.predictionId,
      // A label's own time does not move its prediction.
      timestamp: kind === 'event' ? incoming.timestamp : stored.timestamp,
      features: { ...stored.features, ...incoming.features },
      prediction: { ...stored.prediction, ...incoming.prediction },
      labels: { ...stored.labels, ...incoming.labels },
    };
    const changed = JSON.stringify(merged) !== JSON.stringify(stored);
    events.set(incoming.predictionId, merged);
    return changed;
  }
}

const stores = new WeakMap<SimState, MpmStore>();

export function mpmOf(state: SimState): MpmStore {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = new MpmStore()));
  return store;
}
