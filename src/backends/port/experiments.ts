/** Experiments (runs): lookup by key, listing with filter, order and page, children, and their lifecycle. */
import type { Caller, Page, PageRequest, WriteOptions } from './common';
import type { Parameter } from './attributes';
import type { ProjectRef } from './projects';

/** An experiment's lifecycle state. */
export type ExperimentStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'CRASHED';
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = ['RUNNING', 'FINISHED', 'FAILED', 'CRASHED'];

export interface Experiment {
  key: string;
  workspace: string;
  project: string;
  projectId: string;
  name: string | null;
  status: ExperimentStatus;
  startedAt: number | null;
  endedAt: number | null;
  archived: boolean;
  /** Key of the parent run, or null for a top-level run. */
  parentKey: string | null;
  /** Link to the experiment in the backend's own UI, when it has one. */
  url?: string | null;
}

export type Comparison = 'EQ' | 'NE' | 'LT' | 'LTE' | 'GT' | 'GTE';
export type MetricAggregate = 'LAST' | 'MIN' | 'MAX';

/** A filter tree over experiments. Exactly one member of each node is set. */
export type ExperimentFilter =
  | { and: ExperimentFilter[] }
  | { or: ExperimentFilter[] }
  | { not: ExperimentFilter }
  | { tag: string }
  | { parameter: { name: string; op: Comparison; value: string } }
  | { metric: { name: string; aggregate: MetricAggregate; op: Comparison; value: number } }
  | { status: ExperimentStatus[] }
  | { nameContains: string }
  /** Both bounds exclusive. */
  | { startedAfter?: number; startedBefore?: number }
  | { archived: boolean }
  /** The name, exactly. */
  | { name: string }
  /** End minus start in ms, or now minus start while running (as `Experiment.durationMs`); unknown without a start. */
  | { durationMs: { op: Comparison; value: number } }
  /** Both bounds exclusive; a run without an end matches neither. */
  | { endedAfter?: number; endedBefore?: number };

export type SortDirection = 'ASC' | 'DESC';
export type ExperimentOrderKey =
  | { field: 'NAME' | 'STARTED_AT' | 'ENDED_AT' | 'KEY' | 'DURATION' }
  | { field: 'METRIC'; name: string; aggregate: MetricAggregate }
  | { field: 'PARAMETER'; name: string };
export type ExperimentOrder = ExperimentOrderKey & { direction: SortDirection };

export interface ListExperimentsRequest {
  project: ProjectRef;
  filter?: ExperimentFilter | null;
  /** Keys applied in order; the experiment key is always the final tie-breaker. Nulls sort last. */
  orderBy?: ExperimentOrder[];
  page: PageRequest;
  /** Include archived experiments (default false unless the filter mentions `archived`). */
  includeArchived?: boolean;
}

export interface CreateExperimentInput {
  workspace: string;
  project: string;
  name?: string | null;
  tags?: string[];
  parameters?: Parameter[];
  parentKey?: string | null;
  startedAt?: number | null;
}

export interface EndExperimentInput {
  experimentKey: string;
  status: Exclude<ExperimentStatus, 'RUNNING'>;
  endedAt?: number | null;
}

export interface ExperimentsCapabilities {
  /** OR and NOT filters are evaluated by the backend itself (otherwise in the gateway after the fetch). */
  orFilters: boolean;
  /** `update` can rename an experiment (otherwise it is refused as unsupported). */
  rename: boolean;
}

/** Fields left `undefined` stay as they are. */
export interface UpdateExperimentInput {
  experimentKey: string;
  name?: string | null;
}

export interface ExperimentsPort {
  /** One entry per key, in key order; `null` when missing or not visible to the caller. */
  get(caller: Caller, keys: readonly string[]): Promise<(Experiment | Error | null)[]>;
  list(caller: Caller, request: ListExperimentsRequest): Promise<Page<Experiment>>;
  /** Children of each parent key, ordered by start time then key. */
  children(caller: Caller, parentKeys: readonly string[]): Promise<(Experiment[] | Error)[]>;
  /** A missing project (and workspace) is created on the fly, as SDKs expect when they log to a new one. */
  create(caller: Caller, input: CreateExperimentInput, options?: WriteOptions): Promise<Experiment>;
  end(caller: Caller, input: EndExperimentInput, options?: WriteOptions): Promise<Experiment>;
  archive(caller: Caller, experimentKey: string, options?: WriteOptions): Promise<Experiment>;
  /** Removes the experiment with all its data; its children are kept as top-level runs. */
  delete(caller: Caller, experimentKey: string, options?: WriteOptions): Promise<void>;
  /** Renames the experiment. */
  update(caller: Caller, input: UpdateExperimentInput, options?: WriteOptions): Promise<Experiment>;
  /** Un-archives the experiment (a no-op on one that is not archived). */
  restore(caller: Caller, experimentKey: string, options?: WriteOptions): Promise<Experiment>;
}
