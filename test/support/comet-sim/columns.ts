/**
 * Query variables of a project (§4 "Columns"): the columns `project/column-names` lists and `project/query`
 * filters on, and each experiment's value in them.
 */
import type { SimState } from './state';
import { latestByName } from './summaries';
import type { ExperimentRecord, ProjectRecord } from './types';

export const COLUMN_TYPES = ['string', 'boolean', 'double', 'datetime', 'timenumber'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
export const COLUMN_SOURCES = ['metadata', 'metrics', 'params', 'log_other', 'tag', 'env_details'] as const;
export type ColumnSource = (typeof COLUMN_SOURCES)[number];

/** A column's value for one experiment: datetimes as Unix ms, booleans as booleans, null when unset. */
export type CellValue = string | number | boolean | null;

export interface Column {
  name: string;
  id: string;
  type: ColumnType;
  source: ColumnSource;
}

interface MetadataColumn {
  type: ColumnType;
  read(e: ExperimentRecord): CellValue;
}

/** Metadata columns the fixture and Python show (§4); ones the sim does not track read as null. */
const METADATA: Readonly<Record<string, MetadataColumn>> = {
  experimentKey: { type: 'string', read: (e) => e.experimentKey },
  name: { type: 'string', read: (e) => e.experimentName },
  user_name: { type: 'string', read: (e) => e.userName },
  start_server_timestamp: { type: 'datetime', read: (e) => e.startTimeMillis },
  end_server_timestamp: { type: 'datetime', read: (e) => e.endTimeMillis },
  duration: { type: 'timenumber', read: (e) => (e.endTimeMillis ?? e.lastUpdated) - e.startTimeMillis },
  runActive: { type: 'boolean', read: (e) => e.running },
  hasNotes: { type: 'boolean', read: () => false },
  hasHtml: { type: 'boolean', read: (e) => (e.details.html ?? '') !== '' },
  optimizationId: { type: 'string', read: () => null },
  file_name: { type: 'string', read: () => null },
  file_path: { type: 'string', read: () => null },
};

/** System-details fields shown as `env_details` columns once a run of the project logged them (a sim choice of which). */
const ENV_FIELDS = ['hostname', 'os', 'osType', 'pythonVersion', 'user', 'totalRam'] as const;

const column = (name: string, type: ColumnType, source: ColumnSource): Column => ({ name, id: `${name}--${source}`, type, source });

function isNumeric(value: string): boolean {
  return value.trim() !== '' && Number.isFinite(Number(value));
}

/** The project's columns: metadata, then metrics, params, others and tags in first-seen order. */
export function projectColumns(state: SimState, project: ProjectRecord, archived?: boolean): Column[] {
  const experiments = state.experimentsOf(project.projectId, archived);
  const metrics = new Set<string>();
  const params = new Map<string, boolean>(); // name → every value numeric
  const others = new Map<string, boolean>();
  const tags = new Set<string>();
  const env = new Set<string>();
  for (const e of experiments) {
    for (const name of ENV_FIELDS) if (e.details.systemDetails[name] != null) env.add(name);
    for (const name of e.metricsByName.keys()) metrics.add(name);
    for (const [name, value] of latestByName(e.parameters)) params.set(name, (params.get(name) ?? true) && isNumeric(value));
    for (const [name, value] of latestByName(e.others)) others.set(name, (others.get(name) ?? true) && isNumeric(value));
    for (const tag of e.tags) tags.add(tag);
  }
  return [
    ...Object.entries(METADATA).map(([name, c]) => column(name, c.type, 'metadata')),
    ...[...metrics].map((name) => column(name, 'double', 'metrics')),
    ...[...params].map(([name, numeric]) => column(name, numeric ? 'double' : 'string', 'params')),
    ...[...others].map(([name, numeric]) => column(name, numeric ? 'double' : 'string', 'log_other')),
    ...[...tags].map((name) => column(name, 'string', 'tag')),
    ...[...env].map((name) => column(name, name === 'totalRam' ? 'double' : 'string', 'env_details')),
  ];
}

/** One experiment's value in a column (metrics: the latest value received). */
export function cellValue(e: ExperimentRecord, c: Column): CellValue {
  const asType = (value: string | undefined): CellValue => {
    if (value === undefined) return null;
    return c.type === 'double' ? Number(value) : value;
  };
  switch (c.source) {
    case 'metadata':
      return METADATA[c.name]?.read(e) ?? null;
    case 'metrics': {
      const series = e.metricsByName.get(c.name);
      return asType(series?.[series.length - 1]?.metricValue);
    }
    case 'params':
      return asType(latestByName(e.parameters).get(c.name));
    case 'log_other':
      return asType(latestByName(e.others).get(c.name));
    case 'tag':
      return e.tags.includes(c.name) ? c.name : null;
    case 'env_details': {
      const value = e.details.systemDetails[c.name];
      return typeof value === 'string' || typeof value === 'number' ? value : null;
    }
    default: {
      const unreachable: never = c.source;
      throw new Error(`unknown column source ${String(unreachable)}`);
    }
  }
}
