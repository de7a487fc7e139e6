/**
 * A GraphiQL IDE served entirely from this package (graphiql 3 UMD bundle with React 18 from node_modules):
 * it works with no internet access, and nothing is fetched from a CDN. The page has no inline script or
 * style element, so its Content-Security-Policy (IDE_CSP in http-policy.ts) allows scripts from this origin only,
 * and connections (HTTP and WebSocket) to it alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IDE_STARTER_QUERY } from './ide-starter';

export const IDE_ASSET_PREFIX = '/graphql/ide/';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * The page's own code: mounts GraphiQL on the same path the page was served from, with subscriptions over
 * graphql-ws on that same path (GraphiQL refuses subscriptions without a `subscriptionUrl`). The Headers tab's
 * values travel as the socket's connection params, so an `Authorization` header works for both transports.
 */
const IDE_JS = `const wsScheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
const fetcher = GraphiQL.createFetcher({
  url: window.location.pathname,
  subscriptionUrl: wsScheme + '//' + window.location.host + window.location.pathname,
});
ReactDOM.createRoot(document.getElementById('ide')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: ${JSON.stringify(IDE_STARTER_QUERY)},
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
  }),
);
`;
const IDE_CSS = 'html, body, #ide { height: 100%; margin: 0; }\n';

/**
 * Packaged files, and our own code appended where it belongs: the mount script must run after the GraphiQL
 * bundle anyway, so it rides at its end (one request fewer than a file of its own, and still no inline code).
 */
const ASSETS: Record<string, { module: string; file: string; type: string; append?: string }> = {
  'react.js': { module: 'react', file: 'umd/react.production.min.js', type: JS },
  'react-dom.js': { module: 'react-dom', file: 'umd/react-dom.production.min.js', type: JS },
  'graphiql.js': { module: 'graphiql', file: 'graphiql.min.js', type: JS, append: `\n;\n${IDE_JS}` },
  'graphiql.css': { module: 'graphiql', file: 'graphiql.min.css', type: CSS, append: `\n${IDE_CSS}` },
};

export const IDE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TrackQL</title>
<link rel="stylesheet" href="${IDE_ASSET_PREFIX}graphiql.css">
</head>
<body>
<div id="ide">Loading GraphiQL, the GraphQL IDE…</div>
<script src="${IDE_ASSET_PREFIX}react.js"></script>
<script src="${IDE_ASSET_PREFIX}react-dom.js"></script>
<script src="${IDE_ASSET_PREFIX}graphiql.js"></script>
</body>
</html>
`;

const cache = new Map<string, { body: Buffer; type: string }>();

/** The bytes of one IDE asset, read once from node_modules; null for an unknown name. */
export function ideAsset(name: string): { body: Buffer; type: string } | null {
  const spec = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!spec) return null;
  let hit = cache.get(name);
  if (!hit) {
    const root = path.dirname(require.resolve(`${spec.module}/package.json`));
    const packaged = readFileSync(path.join(root, spec.file));
    hit = { body: spec.append ? Buffer.concat([packaged, Buffer.from(spec.append)]) : packaged, type: spec.type };
    cache.set(name, hit);
  }
  return hit;
}
