/**
 * The runs of one project: filter (the schema's and/or/not, metric and parameter comparisons), sort, pages,
 * chosen columns and a selection to compare, all kept in the URL. One request per state.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useQuery } from '../api';
import { FilterError, parseFilter, type ExperimentFilter } from '../filter';
import { href, navigate } from '../router';
import { ErrorNotice, Loading, PageTitle } from '../ui';
import { ColumnPicker, RunsTable, type RunRow } from './RunsTable';
import { MAX_SELECTED, PAGE_SIZES, orderBy, parseRunsState, runsParams, type Column, type RunsState } from './runs-state';

const QUERY = `query DashboardRuns($ws: String!, $project: String!, $first: Int!, $after: String, $filter: ExperimentFilterInput, $orderBy: [ExperimentOrderInput!]) {
  project(workspace: $ws, name: $project) {
    name description experimentCount
    experiments(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        key name status startedAt durationMs tags
        parameters { name value }
        metrics { name last lastNonFinite min minNonFinite max maxNonFinite }
      }
    }
  }
}`;

interface Data {
  project: {
    name: string;
    description: string | null;
    experimentCount: number;
    experiments: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: RunRow[] };
  } | null;
}

const DEFAULT_PARAMS = 3;
const DEFAULT_METRICS = 2;

function compile(q: string): { filter: ExperimentFilter | null; error: string | null } {
  try {
    return { filter: parseFilter(q), error: null };
  } catch (err) {
    if (err instanceof FilterError) return { filter: null, error: err.message };
    throw err;
  }
}

export default function Runs({ workspace, project, params }: { workspace: string; project: string; params: URLSearchParams }) {
  const state = parseRunsState(params);
  const go = (next: Partial<RunsState>, replace = false) => navigate(href(['p', workspace, project], runsParams({ ...state, ...next })), replace);
  const { filter, error: filterError } = compile(state.q);
  const variables = { ws: workspace, project, first: state.n, after: state.after, filter, orderBy: orderBy(state.sort) };
  const { data, error, loading } = useQuery<Data>(QUERY, variables, filterError === null);
  // Cursors of the pages before this one, for "Previous" (a shared link starts without them).
  const previous = useRef<(string | null)[]>([]);
  const [draft, setDraft] = useState(state.q);
  useEffect(() => setDraft(state.q), [state.q]); // back and forward bring their own filter text

  const rows = data?.project?.experiments.nodes ?? [];
  const available = useMemo(() => {
    const params = new Set<string>();
    const metrics = new Set<string>();
    for (const r of rows) {
      r.parameters.forEach((p) => params.add(p.name));
      r.metrics.forEach((m) => metrics.add(m.name));
    }
    return { params: [...params].sort(), metrics: [...metrics].sort() };
  }, [rows]);
  const columns: Column[] = state.cols ?? [
    ...available.params.slice(0, DEFAULT_PARAMS).map((name) => ({ kind: 'param' as const, name })),
    ...available.metrics.slice(0, DEFAULT_METRICS).map((name) => ({ kind: 'metric' as const, name })),
  ];

  const applyFilter = (event: FormEvent) => {
    event.preventDefault();
    previous.current = [];
    go({ q: draft.trim(), after: null });
  };
  const compareMetric = state.sort?.field === 'METRIC' ? state.sort.name : columns.find((c) => c.kind === 'metric')?.name ?? available.metrics[0];
  const page = data?.project?.experiments;

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs"><a href={href([])}>Projects</a> / {workspace}</nav>
      <PageTitle title={`${project} runs`}>{project}</PageTitle>
      {data?.project?.description && <p className="muted">{data.project.description}</p>}

      <form className="filter" onSubmit={applyFilter} role="search">
        <label htmlFor="run-filter">Filter runs</label>
        <input id="run-filter" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} aria-describedby="filter-help"
          placeholder="loss < 0.5 and (tag:best or not status:FAILED)" spellCheck={false} />
        <button type="submit">Apply</button>
        {state.q && <button type="button" onClick={() => { setDraft(''); go({ q: '', after: null }); }}>Clear</button>}
        <p id="filter-help" className="hint">
          Terms: <code>tag:best</code> <code>status:RUNNING,FAILED</code> <code>name:resnet</code> <code>after:2026-01-31</code>{' '}
          <code>loss &lt; 0.5</code> <code>accuracy.max &gt;= 0.9</code> <code>param.optimizer = adam</code>, combined with
          {' '}<code>and</code> <code>or</code> <code>not</code> and parentheses.
        </p>
      </form>
      {filterError && <p className="notice error" role="alert">Filter: {filterError}</p>}
      {error && <ErrorNotice error={error} />}
      {data && !data.project && <p className="notice error" role="alert">No project {workspace}/{project}.</p>}

      <div className="toolbar">
        <p role="status" className="count" data-total={page?.totalCount ?? ''}>
          {loading ? 'Loading runs…' : page ? `${page.nodes.length} of ${page.totalCount} runs` : ''}
        </p>
        <ColumnPicker available={available} columns={columns} onChange={(cols) => go({ cols }, true)} />
        <label className="inline">
          Rows per page{' '}
          <select value={state.n} onChange={(e) => { previous.current = []; go({ n: Number(e.target.value), after: null }); }}>
            {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        {state.sel.length > 0 && <button type="button" onClick={() => go({ sel: [] }, true)}>Clear selection</button>}
        <a className={`button primary${state.sel.length < 1 ? ' disabled' : ''}`} aria-disabled={state.sel.length < 1}
          href={state.sel.length ? href(['compare'], { keys: state.sel.join(','), metric: compareMetric }) : undefined}>
          Compare selected ({state.sel.length}/{MAX_SELECTED})
        </a>
      </div>

      {loading && !page && <Loading what="runs" />}
      {page && (
        <RunsTable rows={page.nodes} columns={columns} sort={state.sort} selected={state.sel}
          onSort={(sort) => { previous.current = []; go({ sort, after: null }); }}
          onSelect={(sel) => go({ sel }, true)} />
      )}

      <nav aria-label="Pages" className="pager">
        <button type="button" disabled={!state.after} onClick={() => { previous.current = []; go({ after: null }); }}>First page</button>
        <button type="button" disabled={!state.after || previous.current.length === 0}
          onClick={() => go({ after: previous.current.pop() ?? null })}>Previous page</button>
        <button type="button" disabled={!page?.pageInfo.hasNextPage}
          onClick={() => { previous.current.push(state.after); go({ after: page?.pageInfo.endCursor ?? null }); }}>Next page</button>
      </nav>
    </>
  );
}
