/**
 * The in-memory store: experiments, runs, the model registry and proxied artifact bytes, plus the lookups
 * that answer with MLflow's errors. No HTTP here.
 */
import { randomBytes } from 'node:crypto';
import { ARTIFACT_SCHEME } from './constants';
import { invalid, notFound } from './errors';
import type { ExperimentRecord, ModelVersionRecord, RegisteredModelRecord, RunRecord } from './types';

/** Run ids are 32 lowercase hex characters (a sim choice, §4). */
export function newRunId(): string {
  return randomBytes(16).toString('hex');
}

export class SimState {
  readonly experiments = new Map<string, ExperimentRecord>();
  readonly runs = new Map<string, RunRecord>();
  /** By exact name. */
  readonly models = new Map<string, RegisteredModelRecord>();
  /** Proxied artifacts by path below the proxy root, without a leading slash. */
  readonly artifacts = new Map<string, Buffer>();
  #lastExperimentId = 0;
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
    // Every tracking server has the "Default" experiment, id "0" (§3, a sim choice).
    this.addExperiment('Default', undefined, new Map(), '0');
  }

  now(): number {
    return this.#clock();
  }

  addExperiment(name: string, artifactLocation: string | undefined, tags: Map<string, string>, id?: string): ExperimentRecord {
    const experimentId = id ?? String(++this.#lastExperimentId);
    const now = this.now();
    const e: ExperimentRecord = {
      experimentId,
      name,
      artifactLocation: artifactLocation ?? `${ARTIFACT_SCHEME}${experimentId}`,
      lifecycleStage: 'active',
      creationTime: now,
      lastUpdateTime: now,
      tags,
    };
    this.experiments.set(experimentId, e);
    return e;
  }

  /** The active experiment of that name, else a deleted one, else undefined (§3 get-by-name). */
  experimentByName(name: string): ExperimentRecord | undefined {
    let deleted: ExperimentRecord | undefined;
    for (const e of this.experiments.values()) {
      if (e.name !== name) continue;
      if (e.lifecycleStage === 'active') return e;
      deleted ??= e;
    }
    return deleted;
  }

  requireExperiment(experimentId: string): ExperimentRecord {
    const e = this.experiments.get(experimentId);
    if (e === undefined) throw notFound(`No Experiment with id=${experimentId} exists`);
    return e;
  }

  requireRun(runId: string): RunRecord {
    const r = this.runs.get(runId);
    if (r === undefined) throw notFound(`Run with id=${runId} not found`);
    return r;
  }

  /** Writes to a deleted run are refused (§4, a sim choice after MLflow's stores). */
  requireActiveRun(runId: string): RunRecord {
    const r = this.requireRun(runId);
    if (r.lifecycleStage !== 'active') {
      throw invalid(`The run ${runId} must be in the 'active' state. Current state is ${r.lifecycleStage}.`);
    }
    return r;
  }

  requireModel(name: string): RegisteredModelRecord {
    const m = this.models.get(name);
    if (m === undefined) throw notFound(`Registered Model with name=${name} not found`);
    return m;
  }

  requireVersion(name: string, version: string): { model: RegisteredModelRecord; version: ModelVersionRecord } {
    const model = this.requireModel(name);
    const v = model.versions.get(version);
    if (v === undefined) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    return { model, version: v };
  }
}
