/** The dashboard's entry: the shell (navigation, key prompt) and one lazily loaded chunk per view. */
import './styles.css';
import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { forgetApiKey, apiKey, useAuth } from './auth';
import { KeyDialog } from './KeyDialog';
import { href, parseHash, useHash, type Route } from './router';
import { Loading } from './ui';

const Projects = lazy(() => import('./views/Projects'));
const Runs = lazy(() => import('./views/Runs'));
const Run = lazy(() => import('./views/Run'));
const Compare = lazy(() => import('./views/Compare'));
const Models = lazy(() => import('./views/Models'));

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'projects':
      return <Projects />;
    case 'runs':
      return <Runs workspace={route.workspace} project={route.project} params={route.params} />;
    case 'run':
      return <Run key={route.key} runKey={route.key} />;
    case 'compare':
      return <Compare params={route.params} />;
    case 'models':
      return <Models />;
    case 'missing':
      return (
        <>
          <h1>Nothing here</h1>
          <p>No view answers <code>{route.path}</code>. <a href={href([])}>Go to the projects.</a></p>
        </>
      );
  }
}

function App() {
  const hash = useHash();
  useAuth(); // re-render the header when a key is set or forgotten
  const route = parseHash(hash);
  const current = (view: Route['view']) => (route.view === view ? 'page' : undefined);
  return (
    <>
      <button type="button" className="skip" onClick={() => document.querySelector<HTMLElement>('main h1')?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <a className="brand" href={href([])}>TrackQL</a>
        <nav aria-label="Main">
          <a href={href([])} aria-current={current('projects')}>Projects</a>
          <a href={href(['models'])} aria-current={current('models')}>Models</a>
          <a href="/graphql">GraphQL IDE</a>
        </nav>
        {apiKey() !== null && <button type="button" className="link" onClick={forgetApiKey}>Forget API key</button>}
      </header>
      <main id="main">
        <Suspense fallback={<Loading what="the view" />}>
          <View route={route} />
        </Suspense>
      </main>
      <KeyDialog />
    </>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
