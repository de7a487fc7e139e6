/** The runs table itself, its sortable headers and the column picker. */
import type { Aggregate } from '../filter';
import { formatDuration, formatNumber, formatTime, type NonFinite } from '../format';
import { href } from '../router';
import { StatusBadge, Tags } from '../ui';
import { MAX_SELECTED, sameSortColumn, type Column, type SortKey } from './runs-state';

export interface RunRow {
  key: string;
  name: string | null;
  status: string;
  startedAt: string | null;
  durationMs: number | null;
  tags: string[];
  parameters: { name: string; value: string }[];
  metrics: {
    name: string;
    last: number | null; lastNonFinite: NonFinite | null;
    min: number | null; minNonFinite: NonFinite | null;
    max: number | null; maxNonFinite: NonFinite | null;
  }[];
}

const AGGREGATES: { aggregate: Aggregate; label: string }[] = [
  { aggregate: 'LAST', label: 'last' }, { aggregate: 'MIN', label: 'min' }, { aggregate: 'MAX', label: 'max' },
];

interface SortHeaderProps {
  label: string;
  target: SortKey;
  sort: SortKey | null;
  onSort: (sort: SortKey) => void;
  className?: string;
  describedBy?: string;
}

function SortHeader({ label, target, sort, onSort, className, describedBy }: SortHeaderProps) {
  const active = sameSortColumn(sort, target);
  const direction = active ? sort?.direction : undefined;
  const next: SortKey = { ...target, direction: direction === 'ASC' ? 'DESC' : 'ASC' };
  return (
    <th scope="col" className={className} aria-sort={direction === 'ASC' ? 'ascending' : direction === 'DESC' ? 'descending' : undefined}>
      <button type="button" className="sort" onClick={() => onSort(next)} aria-describedby={describedBy}>
        {label}<span aria-hidden="true" className="arrow">{direction === 'ASC' ? ' ▲' : direction === 'DESC' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}

interface TableProps {
  rows: RunRow[];
  columns: Column[];
  sort: SortKey | null;
  selected: string[];
  onSort: (sort: SortKey) => void;
  onSelect: (keys: string[]) => void;
}

export function RunsTable({ rows, columns, sort, selected, onSort, onSelect }: TableProps) {
  const params = columns.filter((c) => c.kind === 'param');
  const metrics = columns.filter((c) => c.kind === 'metric');
  const chosen = new Set(selected);
  const toggle = (key: string) => onSelect(chosen.has(key) ? selected.filter((k) => k !== key) : [...selected, key]);
  if (rows.length === 0) return <p className="notice">No run matches.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Runs table">
      <table className="grid runs" data-testid="runs">
        <thead>
          <tr>
            <th scope="col" rowSpan={2}><span className="sr-only">Compare</span></th>
            <SortHeader label="Run" target={{ field: 'NAME', direction: 'ASC' }} sort={sort} onSort={onSort} />
            <th scope="col">Status</th>
            <SortHeader label="Started" target={{ field: 'STARTED_AT', direction: 'ASC' }} sort={sort} onSort={onSort} />
            <th scope="col" className="num">Duration</th>
            <th scope="col">Tags</th>
            {params.map((p) => (
              <SortHeader key={`p:${p.name}`} label={p.name} className="param" target={{ field: 'PARAMETER', name: p.name, direction: 'ASC' }} sort={sort} onSort={onSort} />
            ))}
            {metrics.map((m) => (
              <th key={`m:${m.name}`} scope="colgroup" colSpan={3} className="metric-group" id={`metric-${m.name}`}>{m.name}</th>
            ))}
          </tr>
          {metrics.length > 0 && (
            <tr className="sub">
              <th colSpan={5 + params.length}><span className="sr-only">Metric summaries</span></th>
              {metrics.flatMap((m) => AGGREGATES.map(({ aggregate, label }) => (
                <SortHeader key={`${m.name}:${aggregate}`} label={label} className="num" describedBy={`metric-${m.name}`}
                  target={{ field: 'METRIC', name: m.name, aggregate, direction: 'ASC' }} sort={sort} onSort={onSort} />
              )))}
            </tr>
          )}
        </thead>
        <tbody>
          {rows.map((r) => {
            const byParam = new Map(r.parameters.map((p) => [p.name, p.value]));
            const byMetric = new Map(r.metrics.map((m) => [m.name, m]));
            const isSelected = chosen.has(r.key);
            return (
              <tr key={r.key} data-key={r.key} aria-selected={isSelected}>
                <td>
                  <input type="checkbox" checked={isSelected} disabled={!isSelected && selected.length >= MAX_SELECTED}
                    onChange={() => toggle(r.key)} aria-label={`Select ${r.name ?? r.key} for comparison`} />
                </td>
                <th scope="row"><a href={href(['run', r.key])}>{r.name ?? r.key.slice(0, 8)}</a></th>
                <td><StatusBadge status={r.status} /></td>
                <td>{formatTime(r.startedAt)}</td>
                <td className="num" data-value={r.durationMs ?? ''}>{formatDuration(r.durationMs)}</td>
                <td><Tags tags={r.tags} /></td>
                {params.map((p) => <td key={p.name} data-param={p.name}>{byParam.get(p.name) ?? '—'}</td>)}
                {metrics.flatMap((m) => {
                  const s = byMetric.get(m.name);
                  return [
                    <td key={`${m.name}:last`} className="num" data-metric={m.name} data-aggregate="last" data-value={s?.last ?? ''}>{formatNumber(s?.last, s?.lastNonFinite)}</td>,
                    <td key={`${m.name}:min`} className="num dim" data-metric={m.name} data-aggregate="min" data-value={s?.min ?? ''}>{formatNumber(s?.min, s?.minNonFinite)}</td>,
                    <td key={`${m.name}:max`} className="num dim" data-metric={m.name} data-aggregate="max" data-value={s?.max ?? ''}>{formatNumber(s?.max, s?.maxNonFinite)}</td>,
                  ];
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ColumnPicker({ available, columns, onChange }: {
  available: { params: string[]; metrics: string[] };
  columns: Column[];
  onChange: (columns: Column[]) => void;
}) {
  const has = (c: Column) => columns.some((x) => x.kind === c.kind && x.name === c.name);
  const toggle = (c: Column) => onChange(has(c) ? columns.filter((x) => !(x.kind === c.kind && x.name === c.name)) : [...columns, c]);
  const group = (kind: Column['kind'], names: string[], legend: string) => (
    <fieldset>
      <legend>{legend}</legend>
      {names.length === 0 && <span className="muted">none on this page</span>}
      {names.map((name) => (
        <label key={name} className="check">
          <input type="checkbox" checked={has({ kind, name })} onChange={() => toggle({ kind, name })} /> {name}
        </label>
      ))}
    </fieldset>
  );
  return (
    <details className="columns">
      <summary>Columns</summary>
      <div className="popover">
        {group('param', available.params, 'Parameters')}
        {group('metric', available.metrics, 'Metrics (last, min, max)')}
      </div>
    </details>
  );
}
