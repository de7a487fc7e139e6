/** One metric of up to 50 runs overlaid in one chart, and the parameters in which they differ. One request. */
import { useMemo, useState } from 'react';
import { useQuery } from '../api';
import { Chart, alignSeries, colorOf } from '../chart/Chart';
import { fullChartWidth } from '../chart/layout';
import { formatNumber, type NonFinite } from '../format';
import { href, navigate } from '../router';
import { ErrorNotice, Loading, PageTitle, StatusBadge } from '../ui';
import { MAX_SELECTED } from './runs-state';

const QUERY = `query DashboardCompare($keys: [String!]!, $metric: String!, $samples: Int!) {
  experiments(keys: $keys) {
    key name status workspace
    project { name }
    parameters { name value }
    metrics { name }
    metric(name: $metric) { last lastNonFinite history(samples: $samples) { points { step value } } }
  }
}`;

interface Run {
  key: string; name: string | null; status: string; workspace: string; project: { name: string };
  parameters: { name: string; value: string }[];
  metrics: { name: string }[];
  metric: { last: number | null; lastNonFinite: NonFinite | null; history: { points: { step: number | null; value: number | null }[] } } | null;
}

export default function Compare({ params }: { params: URLSearchParams }) {
  const keys = (params.get('keys') ?? '').split(',').filter(Boolean).slice(0, MAX_SELECTED);
  const metric = params.get('metric') ?? '';
  const [width] = useState(fullChartWidth);
  const [showSame, setShowSame] = useState(false);
  const { data, error, loading } = useQuery<{ experiments: (Run | null)[] }>(QUERY, { keys, metric, samples: width }, keys.length > 0);
  const runs = useMemo(() => (data?.experiments ?? []).filter((r): r is Run => r !== null), [data]);

  const metricNames = useMemo(() => [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.name)))].sort(), [runs]);
  const chartData = useMemo(() => alignSeries(runs.map((r) => {
    // Points logged without a step (Comet allows it) have no place on a step axis.
    const points = (r.metric?.history.points ?? []).filter((p): p is { step: number; value: number | null } => p.step !== null);
    return { steps: points.map((p) => p.step), values: points.map((p) => p.value) };
  })), [runs]);
  const series = useMemo(() => runs.map((r, i) => ({ label: r.name ?? r.key.slice(0, 8), color: colorOf(i) })), [runs]);
  const paramNames = useMemo(() => [...new Set(runs.flatMap((r) => r.parameters.map((p) => p.name)))].sort(), [runs]);
  const values = (r: Run) => new Map(r.parameters.map((p) => [p.name, p.value]));
  const differing = paramNames.filter((name) => new Set(runs.map((r) => values(r).get(name) ?? '')).size > 1);
  const shownParams = showSame ? paramNames : differing;

  if (keys.length === 0) return <><PageTitle title="Compare">Compare runs</PageTitle><p>Select runs in a project's runs table to compare them.</p></>;
  return (
    <>
      <PageTitle title={`Compare ${metric}`}>Compare {runs.length} runs</PageTitle>
      {loading && <Loading what="the runs" />}
      {error && <ErrorNotice error={error} />}
      {data && (
        <>
          <div className="toolbar">
            <label className="inline">
              Metric{' '}
              <select value={metric} onChange={(e) => navigate(href(['compare'], { keys: keys.join(','), metric: e.target.value }))}>
                {!metricNames.includes(metric) && <option value={metric}>{metric || 'choose a metric'}</option>}
                {metricNames.map((m) => <option key={m} value={m}>{m}</option>)}
              </select>
            </label>
            {runs[0] && <a href={href(['p', runs[0].workspace, runs[0].project.name])}>Back to {runs[0].project.name}</a>}
          </div>
          <section className="card" aria-label={`${metric} of ${runs.length} runs`}>
            <Chart label={`${metric} by step, one line per run`} width={width} height={320} data={chartData} series={series} />
          </section>
          <section className="card" aria-labelledby="diff-title">
            <h2 id="diff-title">Runs and their parameters</h2>
            <label className="check">
              <input type="checkbox" checked={showSame} onChange={(e) => setShowSame(e.target.checked)} /> Also show parameters that are the same in every run
            </label>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Parameter differences">
              <table className="grid" data-testid="diff">
                <thead>
                  <tr>
                    <th scope="col">Run</th><th scope="col">Status</th><th scope="col" className="num">{metric} (last)</th>
                    {shownParams.map((p) => <th scope="col" key={p} data-param={p}>{p}</th>)}
                  </tr>
                </thead>
                <tbody>
                  {runs.map((r, i) => {
                    const byName = values(r);
                    return (
                      <tr key={r.key} data-key={r.key}>
                        <th scope="row"><span className="swatch" style={{ background: colorOf(i) }} aria-hidden="true" /><a href={href(['run', r.key])}>{r.name ?? r.key}</a></th>
                        <td><StatusBadge status={r.status} /></td>
                        <td className="num" data-value={r.metric?.last ?? ''}>{formatNumber(r.metric?.last, r.metric?.lastNonFinite)}</td>
                        {shownParams.map((p) => <td key={p}>{byName.get(p) ?? '—'}</td>)}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {differing.length === 0 && !showSame && <p className="muted">These runs have the same parameters.</p>}
          </section>
        </>
      )}
    </>
  );
}
