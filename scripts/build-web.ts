/**
 * Builds the dashboard (`web/`) into `dist/web/`: esbuild bundles React, uPlot and our code into ES modules
 * split per view, with content hashes in every file name (served as immutable), and writes index.html
 * pointing at them (served as no-cache). Run by `npm run build`, after tsc.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The URL path the gateway serves these files under (src/server/dashboard.ts). */
const PUBLIC_PATH = '/dashboard/';

function findRoot(dir: string): string {
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

async function main(): Promise<void> {
  const root = findRoot(__dirname);
  const outdir = path.join(root, 'dist', 'web');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const entry = path.join(root, 'web', 'src', 'main.tsx');
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    outdir,
    publicPath: PUBLIC_PATH,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const main = outputs.find(([, o]) => o.entryPoint && path.resolve(root, o.entryPoint) === entry);
  if (!main) throw new Error('esbuild produced no output for web/src/main.tsx');
  const [mainFile, mainMeta] = main;
  const url = (file: string) => `${PUBLIC_PATH}${path.relative(outdir, path.resolve(root, file))}`;
  const styles = mainMeta.cssBundle ? `<link rel="stylesheet" href="${url(mainMeta.cssBundle)}">` : '';
  const template = readFileSync(path.join(root, 'web', 'index.html'), 'utf8');
  const html = template
    .replace('<!--styles-->', styles)
    .replace('<!--scripts-->', `<script type="module" src="${url(mainFile)}"></script>`);
  writeFileSync(path.join(outdir, 'index.html'), html);
  const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  process.stdout.write(`dashboard: ${outputs.length} files, ${(total / 1024).toFixed(0)} KiB in ${path.relative(root, outdir)}/\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build-web failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
