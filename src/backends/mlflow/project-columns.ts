/**
 * A project's columns on MLflow, named and typed as on the other backends (docs/run-details.md), derived
 * from what one `runs/search` returns: the metric, param and tag keys of the experiment's
 * COLUMN_SAMPLE_RUNS most recently started active runs (MLflow's default order), plus the run's own fields.
 * System fields come from `mlflow.user` and the fields the `trackql.detail.system` marker lists, so no
 * artifact is read. A key only older runs have is not listed: the read stays one call however large the
 * experiment.
 */
import type { ProjectColumn } from '../port';
import { METADATA_COLUMNS, SYSTEM_COLUMN_FIELDS, sortColumns, systemColumn } from '../shared/project-columns';
import type { MlflowApi } from './api';
import { decodeRunPage } from './decode';
import { marker } from './detail-artifacts';
import { Route, Tag } from './protocol';
import { isGone, othersOf, tagsOf } from './runs';

export const COLUMN_SAMPLE_RUNS = 1_000;
const SYSTEM_FIELDS: ReadonlySet<string> = new Set(SYSTEM_COLUMN_FIELDS);

const isNumber = (value: string): boolean => value.trim() !== '' && Number.isFinite(Number(value));

export async function projectColumns(api: MlflowApi, experimentId: string): Promise<ProjectColumn[]> {
  const answer = await api.call({
    method: 'POST', route: Route.runSearch, idempotent: true,
    json: { experiment_ids: [experimentId], run_view_type: 'ACTIVE_ONLY', max_results: COLUMN_SAMPLE_RUNS },
  });
  const runs = decodeRunPage(answer).items.filter((run) => !isGone(run));
  const metrics = new Set<string>();
  const params = new Map<string, boolean>();
  const others = new Set<string>();
  const tags = new Set<string>();
  const system = new Set<string>();
  for (const run of runs) {
    for (const key of run.latest.keys()) metrics.add(key);
    for (const [key, value] of run.params) params.set(key, (params.get(key) ?? true) && isNumber(value));
    for (const o of othersOf(run)) others.add(o.key);
    for (const t of tagsOf(run)) tags.add(t);
    if (run.tags.get(Tag.user)) system.add('user');
    for (const field of (marker(run, 'system') ?? '').split(',')) if (SYSTEM_FIELDS.has(field)) system.add(field);
  }
  const columns: ProjectColumn[] = [
    ...METADATA_COLUMNS,
    ...[...metrics].map((name): ProjectColumn => ({ name, source: 'METRIC', type: 'double' })),
    ...[...params].map(([name, numeric]): ProjectColumn => ({ name, source: 'PARAMETER', type: numeric ? 'double' : 'string' })),
    ...[...others].map((name): ProjectColumn => ({ name, source: 'OTHER', type: 'string' })),
    ...[...tags].map((name): ProjectColumn => ({ name, source: 'TAG', type: 'string' })),
    ...[...system].map(systemColumn),
  ];
  return sortColumns(columns);
}
