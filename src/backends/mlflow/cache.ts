/**
 * A short-lived memory of runs and experiments per set of credentials. `runs/search` returns each run whole
 * (info, params, tags, latest metrics, §4.2): a listing primes this memory, so the parameters, tags and
 * last values a dashboard asks for next cost no call. Writes through the gateway drop the run they change;
 * writes by other clients show after the TTL (default 5 s); reads marked `fresh` skip it.
 */
import { LruMap } from '../../lru';
import type { MlflowExperiment, MlflowRun } from './decode';

const CAPACITY = 50_000;

interface Entry<T> {
  value: T;
  expires: number;
}

export class MlflowCache {
  readonly ttlMs: number;
  readonly #now: () => number;
  /** By run id, then credentials: a write drops the run for everyone at once. */
  readonly #runs = new LruMap<string, Map<string, Entry<MlflowRun>>>(CAPACITY);
  readonly #experiments = new LruMap<string, Entry<MlflowExperiment>>(CAPACITY);

  constructor(ttlMs: number, now: () => number) {
    this.ttlMs = ttlMs;
    this.#now = now;
  }

  run(ns: string, runId: string): MlflowRun | undefined {
    const entry = this.#runs.get(runId)?.get(ns);
    return entry !== undefined && entry.expires > this.#now() ? entry.value : undefined;
  }

  putRun(ns: string, run: MlflowRun): void {
    if (this.ttlMs <= 0) return;
    const byNs = this.#runs.get(run.runId) ?? new Map<string, Entry<MlflowRun>>();
    byNs.set(ns, { value: run, expires: this.#now() + this.ttlMs });
    this.#runs.set(run.runId, byNs);
  }

  /** Drops a run for every set of credentials: a write by one caller changes what all of them read. */
  forgetRun(runId: string): void {
    this.#runs.delete(runId);
  }

  experiment(ns: string, experimentId: string): MlflowExperiment | undefined {
    return this.#fresh(this.#experiments, `${ns} ${experimentId}`);
  }

  putExperiment(ns: string, experiment: MlflowExperiment): void {
    if (this.ttlMs > 0) this.#experiments.set(`${ns} ${experiment.experimentId}`, { value: experiment, expires: this.#now() + this.ttlMs });
  }

  #fresh<T>(map: LruMap<string, Entry<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }
}
