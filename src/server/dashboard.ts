/**
 * Serves the dashboard built into `dist/web/` by `npm run build` (scripts/build-web.ts): `GET /` is its page,
 * `/dashboard/<file>` its hashed modules and styles. Everything is read and gzipped once at start, so a
 * request costs a Map lookup. Hashed names never change content: they are cached for a year as immutable;
 * the page itself is revalidated on every load (ETag), so a new build shows at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const DASHBOARD_PREFIX = '/dashboard/';

/** Only this origin: no inline script or style element, no other host, WebSockets back to the gateway only. */
export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Bodies smaller than this gain nothing from gzip. */
const GZIP_MIN_BYTES = 1024;

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
  cacheControl: string;
}

export interface Dashboard {
  /** Answers `GET`/`HEAD` of `/` and `/dashboard/*`; false when the path is not the dashboard's. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
}

function findRoot(dir: string): string {
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function load(file: string, cacheControl: string): StaticFile {
  const body = readFileSync(file);
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const gzipped = body.length >= GZIP_MIN_BYTES ? gzipSync(body, { level: 9 }) : null;
  return {
    body,
    gzip: gzipped && gzipped.length < body.length ? gzipped : null,
    type,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    cacheControl,
  };
}

/** `Accept-Encoding` names gzip (or `*`) without `q=0`. */
function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

function send(req: IncomingMessage, res: ServerResponse, file: StaticFile, csp?: string): void {
  const headers: Record<string, string | number> = {
    'content-type': file.type, 'cache-control': file.cacheControl, etag: file.etag, vary: 'accept-encoding',
  };
  if (csp) headers['content-security-policy'] = csp;
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const body = file.gzip && acceptsGzip(req) ? file.gzip : file.body;
  if (body === file.gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Reads the built dashboard (default: `<package root>/dist/web`). A missing build serves a page saying so. */
export function createDashboard(dir = path.join(findRoot(__dirname), 'dist', 'web')): Dashboard {
  const files = new Map<string, StaticFile>();
  let index: StaticFile | null = null;
  if (existsSync(path.join(dir, 'index.html'))) {
    index = load(path.join(dir, 'index.html'), 'no-cache');
    for (const name of readdirSync(dir)) {
      if (name !== 'index.html' && /^[\w.-]+$/.test(name)) files.set(name, load(path.join(dir, name), IMMUTABLE));
    }
  }
  return {
    serve(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (pathname === '/' || pathname === '/index.html') {
        if (index) send(req, res, index, DASHBOARD_CSP);
        else {
          const text = 'The dashboard is not built: run `npm run build`. The GraphQL API is at /graphql.\n';
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
        }
        return true;
      }
      if (!pathname.startsWith(DASHBOARD_PREFIX)) return false;
      const file = files.get(pathname.slice(DASHBOARD_PREFIX.length));
      if (!file) return false;
      send(req, res, file);
      return true;
    },
  };
}
