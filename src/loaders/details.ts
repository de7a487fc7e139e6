/**
 * The loaders of run details, built per request with the others (index.ts). Run details are read by part:
 * the fields of one tick are gathered into one port call with the union of their parts, so a page of runs
 * asking only `code` costs Comet one call per run, not one per part per run.
 */
import DataLoader from 'dataloader';
import type { Backend, Caller, Curve, DetailPart, OutputLine, OutputPageRequest, Page, ProjectColumn, ProjectRef, RunDetails } from '../backends/port';

const SEP = '\u0000';
const refKey = (ref: ProjectRef): string => `${ref.workspace}${SEP}${ref.name}`;

export interface PartRequest {
  experimentKey: string;
  part: DetailPart;
}

export interface DetailLoaders {
  /** One part of one run's details; null where the run does not exist. */
  part: DataLoader<PartRequest, RunDetails | null, string>;
  output: DataLoader<OutputPageRequest, Page<OutputLine>, string>;
  curves: DataLoader<string, Curve[]>;
  projectNotes: DataLoader<ProjectRef, string | null, string>;
  projectColumns: DataLoader<ProjectRef, ProjectColumn[], string>;
}

export function createDetailLoaders(backend: Backend, caller: Caller): DetailLoaders {
  const options = { maxBatchSize: 1000 } as const;
  return {
    part: new DataLoader(async (requests) => {
      const keys = [...new Set(requests.map((r) => r.experimentKey))];
      const parts = [...new Set(requests.map((r) => r.part))];
      const rows = await backend.details.get(caller, keys, { parts });
      const byKey = new Map(keys.map((key, i) => [key, rows[i]]));
      return requests.map((r) => byKey.get(r.experimentKey) ?? null);
    }, { ...options, cacheKeyFn: (r) => `${r.experimentKey}${SEP}${r.part}` }),
    output: new DataLoader((requests) => backend.details.output(caller, requests), {
      ...options,
      cacheKeyFn: (r) => JSON.stringify([r.experimentKey, r.stream ?? null, r.first, r.after ?? null]),
    }),
    curves: new DataLoader((keys) => backend.details.curves(caller, keys), options),
    projectNotes: new DataLoader((refs) => backend.details.projectNotes(caller, refs), { ...options, cacheKeyFn: refKey }),
    projectColumns: new DataLoader((refs) => backend.details.projectColumns(caller, refs), { ...options, cacheKeyFn: refKey }),
  };
}
