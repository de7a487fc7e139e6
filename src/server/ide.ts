/**
 * A GraphiQL IDE served entirely from this package (graphiql 3 UMD bundle with React 18 from node_modules):
 * it works with no internet access, and nothing is fetched from a CDN.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const IDE_ASSET_PREFIX = '/graphql/ide/';

const ASSETS: Record<string, { module: string; file: string; type: string }> = {
  'react.js': { module: 'react', file: 'umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.js': { module: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.js': { module: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { module: 'graphiql', file: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
};

export const IDE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TrackQL</title>
<link rel="stylesheet" href="${IDE_ASSET_PREFIX}graphiql.css">
<style>html, body, #ide { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="ide">Loading the GraphQL IDE…</div>
<script src="${IDE_ASSET_PREFIX}react.js"></script>
<script src="${IDE_ASSET_PREFIX}react-dom.js"></script>
<script src="${IDE_ASSET_PREFIX}graphiql.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  ReactDOM.createRoot(document.getElementById('ide')).render(
    React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: false }),
  );
</script>
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
    hit = { body: readFileSync(path.join(root, spec.file)), type: spec.type };
    cache.set(name, hit);
  }
  return hit;
}
