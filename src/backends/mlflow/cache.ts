/**
 * A short-lived memory of runs and experiments per set of credentials. `runs/search` returns each run whole
 * (info, params, tags, latest metrics, §4.2): a listing primes this memory, so the parameters, tags and
 * last values a dashboard asks for next cost no call. Writes through the gateway drop the run they change;
 * writes by other clients show after the TTL (`TRACKQL_CACHE_TTL_SECONDS`); reads marked `fresh` skip it.
 */
import { LruMap } from '../../lru';
import type { MlflowExperiment, MlflowMetric, MlflowRun } from './decode';

const CAPACITY = 50_000;
/** Whole series kept at once (each at most a few thousand points when read in bulk). */
const SERIES_CAPACITY = 5_000;

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
  readonly #byName = new LruMap<string, Entry<MlflowExperiment>>(CAPACITY);
  /** Run searches by credentials and query; any write through the gateway drops them all (it may change any). */
  readonly #searches = new LruMap<string, Entry<MlflowRun[]>>(1_000);
  /** Whole metric series by run id, then credentials and metric key: summaries and sampled histories share them. */
  readonly #series = new LruMap<string, Map<string, Entry<MlflowMetric[]>>>(SERIES_CAPACITY);

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
    this.#series.delete(runId);
    this.#searches.clear();
  }

  /** A new run (or one whose making failed ambiguously) may belong to any remembered search. */
  forgetSearches(): void {
    this.#searches.clear();
  }

  /** After a rename or delete of an experiment (rare): every experiment entry goes, with the searches. */
  forgetExperiments(): void {
    this.#experiments.clear();
    this.#byName.clear();
    this.#searches.clear();
  }

  /** A search made within the TTL with the same credentials and query (a project's count, then its page). */
  search(ns: string, query: string): MlflowRun[] | undefined {
    return this.#fresh(this.#searches, `${ns} ${query}`);
  }

  putSearch(ns: string, query: string, runs: MlflowRun[]): void {
    if (this.ttlMs > 0) this.#searches.set(`${ns} ${query}`, { value: runs, expires: this.#now() + this.ttlMs });
  }

  series(ns: string, runId: string, key: string): MlflowMetric[] | undefined {
    const entry = this.#series.get(runId)?.get(`${ns} ${key}`);
    return entry !== undefined && entry.expires > this.#now() ? entry.value : undefined;
  }

  putSeries(ns: string, runId: string, key: string, points: MlflowMetric[]): void {
    if (this.ttlMs <= 0) return;
    const byKey = this.#series.get(runId) ?? new Map<string, Entry<MlflowMetric[]>>();
    byKey.set(`${ns} ${key}`, { value: points, expires: this.#now() + this.ttlMs });
    this.#series.set(runId, byKey);
  }

  /** An active experiment by name (only found ones are kept: a new one is seen at once). */
  experimentByName(ns: string, name: string): MlflowExperiment | undefined {
    return this.#fresh(this.#byName, `${ns} ${name}`);
  }

  experiment(ns: string, experimentId: string): MlflowExperiment | undefined {
    return this.#fresh(this.#experiments, `${ns} ${experimentId}`);
  }

  putExperiment(ns: string, experiment: MlflowExperiment): void {
    if (this.ttlMs <= 0) return;
    const entry = { value: experiment, expires: this.#now() + this.ttlMs };
    this.#experiments.set(`${ns} ${experiment.experimentId}`, entry);
    if (experiment.lifecycleStage === 'active') this.#byName.set(`${ns} ${experiment.name}`, entry);
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
