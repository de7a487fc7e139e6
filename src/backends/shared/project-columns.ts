/**
 * What a project's columns are on a backend that derives them itself (Comet answers `project/column-names`):
 * the run's own fields, the system fields a run page shows, and the order they are listed in, named and
 * typed as Comet's answer (docs/run-details.md).
 */
import type { ColumnSource, ProjectColumn } from '../port';

export const METADATA_COLUMNS: readonly ProjectColumn[] = Object.freeze([
  { name: 'duration', source: 'METADATA', type: 'timenumber' },
  { name: 'endedAt', source: 'METADATA', type: 'datetime' },
  { name: 'experimentKey', source: 'METADATA', type: 'string' },
  { name: 'name', source: 'METADATA', type: 'string' },
  { name: 'startedAt', source: 'METADATA', type: 'datetime' },
  { name: 'status', source: 'METADATA', type: 'string' },
]);

/** System-details fields listed as SYSTEM columns when a run of the project has them. */
export const SYSTEM_COLUMN_FIELDS = ['hostname', 'os', 'osType', 'osRelease', 'pythonVersion', 'user', 'executable', 'totalRam'] as const;

export const systemColumn = (name: string): ProjectColumn => ({ name, source: 'SYSTEM', type: name === 'totalRam' ? 'double' : 'string' });

const ORDER: readonly ColumnSource[] = ['METADATA', 'METRIC', 'PARAMETER', 'OTHER', 'TAG', 'SYSTEM'];

/** Columns in place, by source then name. */
export function sortColumns(columns: ProjectColumn[]): ProjectColumn[] {
  return columns.sort((a, b) => ORDER.indexOf(a.source) - ORDER.indexOf(b.source) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
