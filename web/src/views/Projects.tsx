/** Workspaces and their projects, with run counts and last activity: one request. */
import { useQuery } from '../api';
import { formatTime, plural } from '../format';
import { href } from '../router';
import { ErrorNotice, Loading, PageTitle } from '../ui';

const QUERY = `query DashboardProjects {
  workspaces {
    name
    capabilities { backend }
    projects(first: 1000) { totalCount nodes { name description experimentCount createdAt lastUpdatedAt } }
  }
}`;

interface Data {
  workspaces: {
    name: string;
    capabilities: { backend: string };
    projects: { totalCount: number; nodes: { name: string; description: string | null; experimentCount: number; createdAt: string | null; lastUpdatedAt: string | null }[] };
  }[];
}

export default function Projects() {
  const { data, error, loading } = useQuery<Data>(QUERY, {});
  return (
    <>
      <PageTitle title="Projects">Projects</PageTitle>
      {loading && <Loading what="projects" />}
      {error && <ErrorNotice error={error} />}
      {data && data.workspaces.length === 0 && <p>No workspace yet: log a run, or start the gateway with <code>trackql demo</code>.</p>}
      {data?.workspaces.map((ws) => (
        <section key={ws.name} aria-labelledby={`ws-${ws.name}`} className="card">
          <h2 id={`ws-${ws.name}`}>
            {ws.name} <span className="muted small">{plural(ws.projects.totalCount, 'project')} · {ws.capabilities.backend}</span>
          </h2>
          <table className="grid" data-testid="projects">
            <thead>
              <tr><th scope="col">Project</th><th scope="col">Description</th><th scope="col" className="num">Runs</th><th scope="col">Last activity</th></tr>
            </thead>
            <tbody>
              {ws.projects.nodes.map((p) => (
                <tr key={p.name} data-project={p.name}>
                  <th scope="row"><a href={href(['p', ws.name, p.name])}>{p.name}</a></th>
                  <td>{p.description ?? <span className="muted">—</span>}</td>
                  <td className="num" data-value={p.experimentCount}>{p.experimentCount}</td>
                  <td><time dateTime={p.lastUpdatedAt ?? undefined}>{formatTime(p.lastUpdatedAt ?? p.createdAt)}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
