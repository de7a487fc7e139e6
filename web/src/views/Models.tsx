/** The model registry of every workspace: versions, stages, aliases and the run each came from. One request. */
import { useQuery } from '../api';
import { formatTime, plural } from '../format';
import { href } from '../router';
import { ErrorNotice, Loading, PageTitle, Tags } from '../ui';

const QUERY = `query DashboardModels {
  workspaces {
    name
    registeredModels(first: 50) {
      totalCount
      nodes {
        name description createdAt
        latestVersion { version }
        versions { version stage status aliases tags comment createdAt experiment { key name } }
      }
    }
  }
}`;

interface Version {
  version: string;
  stage: string | null;
  status: string | null;
  aliases: string[];
  tags: string[];
  comment: string | null;
  createdAt: string | null;
  experiment: { key: string; name: string | null } | null;
}

interface Data {
  workspaces: {
    name: string;
    registeredModels: { totalCount: number; nodes: { name: string; description: string | null; createdAt: string | null; latestVersion: { version: string } | null; versions: Version[] }[] };
  }[];
}

export default function Models() {
  const { data, error, loading } = useQuery<Data>(QUERY, {});
  const models = data?.workspaces.flatMap((ws) => ws.registeredModels.nodes.map((m) => ({ ...m, workspace: ws.name }))) ?? [];
  return (
    <>
      <PageTitle title="Models">Registered models</PageTitle>
      {loading && <Loading what="models" />}
      {error && <ErrorNotice error={error} />}
      {data && models.length === 0 && <p>No registered model yet (see <code>registerModel</code>).</p>}
      {models.map((m) => (
        <section key={`${m.workspace}/${m.name}`} className="card" aria-labelledby={`model-${m.workspace}-${m.name}`} data-model={m.name}>
          <h2 id={`model-${m.workspace}-${m.name}`}>
            {m.name} <span className="muted small">{m.workspace} · {plural(m.versions.length, 'version')}{m.latestVersion ? ` · latest ${m.latestVersion.version}` : ''}</span>
          </h2>
          {m.description && <p>{m.description}</p>}
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Version</th><th scope="col">Stage</th><th scope="col">Status</th><th scope="col">Aliases</th>
                <th scope="col">Tags</th><th scope="col">Registered</th><th scope="col">From run</th><th scope="col">Comment</th>
              </tr>
            </thead>
            <tbody>
              {m.versions.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <th scope="row">{v.version}</th>
                  <td>{v.stage ?? '—'}</td>
                  <td>{v.status ?? '—'}</td>
                  <td><Tags tags={v.aliases} /></td>
                  <td><Tags tags={v.tags} /></td>
                  <td>{formatTime(v.createdAt)}</td>
                  <td>{v.experiment ? <a href={href(['run', v.experiment.key])}>{v.experiment.name ?? v.experiment.key}</a> : '—'}</td>
                  <td>{v.comment ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
