/** `listExperiments`: filter, order and page the experiments of a project, with an exact total count. */
import type { Experiment, ListExperimentsRequest, Page } from '../port';
import type { Db } from './db';
import { EXPERIMENT_COLUMNS, EXPERIMENT_FROM, toExperiment, type ExperimentRow } from './experiment-store';
import { compileFilter, compileOrder, mentionsArchived, type SqlParam } from './filters';
import { offsetPage, offsetWindow } from './paging';
import type { ProjectStore } from './project-store';
import { StatementCache } from './statement-cache';

export class ExperimentLister {
  readonly #projects: ProjectStore;
  readonly #statements: StatementCache;

  constructor(db: Db, projects: ProjectStore) {
    this.#projects = projects;
    this.#statements = new StatementCache(db);
  }

  list(request: ListExperimentsRequest): Page<Experiment> {
    const window = offsetWindow(request.page);
    const where: string[] = ['e.project_id = ?'];
    const whereParams: SqlParam[] = [];
    const projectId = this.#projects.findProjectId(request.project);
    if (projectId === undefined) return offsetPage([], window, 0);
    whereParams.push(projectId);
    if (!request.includeArchived && !mentionsArchived(request.filter)) where.push('e.archived = 0');
    if (request.filter) where.push(`(${compileFilter(request.filter, whereParams)})`);
    const orderParams: SqlParam[] = [];
    const orderBy = compileOrder(request.orderBy, orderParams);
    const whereSql = where.join(' AND ');

    const rows = this.#statements
      .get(`SELECT ${EXPERIMENT_COLUMNS} FROM ${EXPERIMENT_FROM} WHERE ${whereSql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
      .all(...whereParams, ...orderParams, window.fetch, window.offset) as ExperimentRow[];
    const total = this.#statements
      .get(`SELECT count(*) FROM experiments e WHERE ${whereSql}`)
      .pluck()
      .get(...whereParams) as number;
    return offsetPage(rows.map(toExperiment), window, total);
  }
}
