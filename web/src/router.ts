/**
 * Hash routes, so every view (with its table state) is a link to share and the gateway serves one page:
 *   #/                                projects
 *   #/p/<workspace>/<project>?…       runs table (state in the query: q, sort, n, after, cols, sel)
 *   #/run/<key>                       one run
 *   #/compare?keys=a,b&metric=loss    runs overlaid
 *   #/models                          model registry
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { view: 'projects' }
  | { view: 'runs'; workspace: string; project: string; params: URLSearchParams }
  | { view: 'run'; key: string }
  | { view: 'compare'; params: URLSearchParams }
  | { view: 'models' }
  | { view: 'missing'; path: string };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  if (parts.length === 0) return { view: 'projects' };
  if (parts[0] === 'p' && parts.length === 3) return { view: 'runs', workspace: parts[1], project: parts[2], params };
  if (parts[0] === 'run' && parts.length === 2) return { view: 'run', key: parts[1] };
  if (parts[0] === 'compare' && parts.length === 1) return { view: 'compare', params };
  if (parts[0] === 'models' && parts.length === 1) return { view: 'models' };
  return { view: 'missing', path };
}

/** A link to a route: `segments` are encoded, empty params are left out. */
export function href(segments: string[], params: Record<string, string | undefined> = {}): string {
  const path = segments.map(encodeURIComponent).join('/');
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  const search = query.toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

/** Goes to `target`; `replace` rewrites the current history entry (small state changes such as a selection). */
export function navigate(target: string, replace = false): void {
  if (window.location.hash === target) return;
  if (!replace) {
    window.location.hash = target;
    return;
  }
  history.replaceState(history.state, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
