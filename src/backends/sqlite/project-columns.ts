/**
 * A project's columns on SQLite, named and typed as Comet's `project/column-names` answers them
 * (docs/run-details.md): the run's own fields (METADATA), then every metric, parameter, other, tag and
 * system field logged by a run of the project.
 */
import type { ColumnSource, ProjectColumn } from '../port';
import { METADATA_COLUMNS, SYSTEM_COLUMN_FIELDS, sortColumns, systemColumn } from '../shared/project-columns';
import type { Db } from './db';

export class ProjectColumns {
  readonly #named;
  readonly #system;

  constructor(db: Db) {
    const runs = 'SELECT key FROM experiments WHERE project_id = @project';
    this.#named = db.prepare<[{ project: string }], { source: ColumnSource; name: string; type: string }>(`
      SELECT DISTINCT 'METRIC' AS source, name, 'double' AS type FROM metrics WHERE experiment_key IN (${runs})
      UNION SELECT 'PARAMETER', name, CASE WHEN min(value_num IS NOT NULL) = 1 THEN 'double' ELSE 'string' END
        FROM parameters WHERE experiment_key IN (${runs}) GROUP BY name
      UNION SELECT DISTINCT 'OTHER', key, 'string' FROM others WHERE experiment_key IN (${runs})
      UNION SELECT DISTINCT 'TAG', tag, 'string' FROM tags WHERE experiment_key IN (${runs})`);
    this.#system = db.prepare<[{ project: string }], string>(
      `SELECT system_json FROM run_details WHERE system_json IS NOT NULL AND experiment_key IN (${runs})`,
    ).pluck();
  }

  of(projectId: string): ProjectColumn[] {
    const columns: ProjectColumn[] = [...METADATA_COLUMNS, ...this.#named.all({ project: projectId })];
    const present = new Set<string>();
    for (const json of this.#system.all({ project: projectId })) {
      const details = JSON.parse(json) as Record<string, unknown>;
      for (const field of SYSTEM_COLUMN_FIELDS) if (details[field] != null) present.add(field);
    }
    for (const name of present) columns.push(systemColumn(name));
    return sortColumns(columns);
  }
}
