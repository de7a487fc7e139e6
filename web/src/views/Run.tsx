/** One run: charts (live while RUNNING), parameters, tags, others, assets and child runs. One request. */
import { useState } from 'react';
import { useQuery } from '../api';
import { gridChartWidth } from '../chart/layout';
import { formatBytes, formatDuration, formatTime } from '../format';
import { href } from '../router';
import { ErrorNotice, Loading, PageTitle, StatusBadge, Tags } from '../ui';
import { RunCharts, type MetricData } from './RunCharts';

const QUERY = `query DashboardRun($key: String!, $samples: Int!) {
  experiment(key: $key) {
    key name status startedAt endedAt durationMs tags workspace
    project { name }
    parent { key name }
    children { key name status durationMs }
    parameters { name value }
    others { key value }
    assets(first: 1000) { totalCount nodes { assetId fileName type size step createdAt downloadUrl } }
    metrics {
      name context last lastNonFinite min minNonFinite max maxNonFinite count lastStep
      history(samples: $samples) { sampled totalCount points { step value } }
    }
  }
}`;

interface Data {
  experiment: {
    key: string; name: string | null; status: string; startedAt: string | null; endedAt: string | null; durationMs: number | null;
    tags: string[]; workspace: string; project: { name: string };
    parent: { key: string; name: string | null } | null;
    children: { key: string; name: string | null; status: string; durationMs: number | null }[];
    parameters: { name: string; value: string }[];
    others: { key: string; value: string }[];
    assets: { totalCount: number; nodes: { assetId: string; fileName: string; type: string; size: number; step: number | null; createdAt: string; downloadUrl: string }[] };
    metrics: MetricData[];
  } | null;
}

function KeyValues({ caption, rows }: { caption: string; rows: [string, string][] }) {
  if (rows.length === 0) return <p className="muted">No {caption.toLowerCase()}.</p>;
  return (
    <table className="grid kv">
      <caption className="sr-only">{caption}</caption>
      <tbody>{rows.map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td>{v}</td></tr>)}</tbody>
    </table>
  );
}

export default function Run({ runKey }: { runKey: string }) {
  const [width] = useState(gridChartWidth);
  const { data, error, loading } = useQuery<Data>(QUERY, { key: runKey, samples: width });
  const run = data?.experiment;
  if (loading) return <Loading what="the run" />;
  if (error) return <ErrorNotice error={error} />;
  if (!run) return <p className="notice error" role="alert">No run with key {runKey}.</p>;
  const title = run.name ?? run.key;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href={href([])}>Projects</a> / {run.workspace} / <a href={href(['p', run.workspace, run.project.name])}>{run.project.name}</a>
        {run.parent && <> / <a href={href(['run', run.parent.key])}>{run.parent.name ?? run.parent.key}</a></>}
      </nav>
      <PageTitle title={title}>{title} <StatusBadge status={run.status} /></PageTitle>
      <dl className="facts">
        <div><dt>Key</dt><dd><code>{run.key}</code></dd></div>
        <div><dt>Started</dt><dd>{formatTime(run.startedAt)}</dd></div>
        <div><dt>Ended</dt><dd>{formatTime(run.endedAt)}</dd></div>
        <div><dt>Duration</dt><dd data-value={run.durationMs ?? ''}>{formatDuration(run.durationMs)}</dd></div>
        <div><dt>Tags</dt><dd><Tags tags={run.tags} /></dd></div>
      </dl>

      <h2>Metrics</h2>
      <RunCharts runKey={run.key} metrics={run.metrics} width={width} live={run.status === 'RUNNING'} />

      <div className="columns-2">
        <section aria-labelledby="params-title" className="card">
          <h2 id="params-title">Parameters</h2>
          <KeyValues caption="Parameters" rows={run.parameters.map((p) => [p.name, p.value])} />
        </section>
        <section aria-labelledby="others-title" className="card">
          <h2 id="others-title">Others</h2>
          <KeyValues caption="Others" rows={run.others.map((o) => [o.key, o.value])} />
        </section>
      </div>

      <section aria-labelledby="assets-title" className="card">
        <h2 id="assets-title">Assets <span className="muted small">{run.assets.totalCount}</span></h2>
        {run.assets.nodes.length === 0 ? <p className="muted">No assets.</p> : (
          <table className="grid" data-testid="assets">
            <thead><tr><th scope="col">File</th><th scope="col">Type</th><th scope="col" className="num">Size</th><th scope="col" className="num">Step</th><th scope="col">Logged</th></tr></thead>
            <tbody>
              {run.assets.nodes.map((a) => (
                <tr key={a.assetId}>
                  <th scope="row"><a href={a.downloadUrl} download={a.fileName.split('/').pop()}>{a.fileName}</a></th>
                  <td>{a.type}</td>
                  <td className="num">{formatBytes(a.size)}</td>
                  <td className="num">{a.step ?? '—'}</td>
                  <td>{formatTime(a.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="children-title" className="card">
        <h2 id="children-title">Child runs <span className="muted small">{run.children.length}</span></h2>
        {run.children.length === 0 ? <p className="muted">No child runs.</p> : (
          <ul className="children">
            {run.children.map((c) => (
              <li key={c.key}><a href={href(['run', c.key])}>{c.name ?? c.key}</a> <StatusBadge status={c.status} /> <span className="muted">{formatDuration(c.durationMs)}</span></li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
