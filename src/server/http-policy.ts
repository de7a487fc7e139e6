/**
 * What every HTTP response gets before any route runs: security headers, CORS for the allowlisted origins
 * (`TRACKQL_CORS_ORIGINS`; none by default), and a timing for the metrics. Preflight requests are answered
 * here and go no further.
 *
 * CORS only relaxes the browser's same-origin rule for the listed origins; it is not an access check. CSRF
 * is stopped separately by Apollo's csrfPrevention (a "simple" request must carry a preflight header).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../observability/metrics';
import { DASHBOARD_PREFIX } from './dashboard';
import { IDE_ASSET_PREFIX } from './ide';

/** Safe defaults for API responses: nothing may be framed, sniffed, or leak a Referer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/**
 * The IDE page's policy: scripts and styles only from this origin (no inline script: the page's own code is
 * /graphql/ide/ide.js). Inline style attributes stay allowed because GraphiQL sets them from script.
 */
export const IDE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "font-src 'self' data:", "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const CORS_METHODS = { graphql: 'GET, POST, OPTIONS', assets: 'GET, HEAD, PUT, OPTIONS' } as const;
/** Response headers a cross-origin script may read (the CORS safelist covers only a few). */
const EXPOSED = 'traceparent, x-request-id, retry-after, content-range, content-length, accept-ranges, content-disposition';
const HEADER_LIST = /^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$/;
const PREFLIGHT_MAX_AGE_SECONDS = '600';

type CorsRoute = keyof typeof CORS_METHODS;

function corsRouteOf(pathname: string): CorsRoute | null {
  if (pathname === '/graphql' || pathname === '/graphql/') return 'graphql';
  if (pathname.startsWith('/assets/')) return 'assets';
  return null;
}

/** The `route` label of the HTTP metrics: a fixed set, never a path with ids in it. */
export function routeLabel(req: IncomingMessage, pathname: string): string {
  if (pathname === '/graphql' || pathname === '/graphql/') return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') ? 'ide' : 'graphql';
  if (pathname.startsWith(IDE_ASSET_PREFIX)) return 'ide_asset';
  if (pathname === '/' || pathname === '/index.html') return 'dashboard';
  if (pathname.startsWith(DASHBOARD_PREFIX)) return 'dashboard_asset';
  if (pathname === '/assets/upload') return 'asset_upload';
  if (pathname.startsWith('/assets/')) return 'asset_download';
  if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname.slice(1);
  return 'unmatched';
}

export interface HttpPolicy {
  /** Normalised origins allowed cross-origin access. */
  corsOrigins: ReadonlySet<string>;
  metrics: GatewayMetrics;
}

/** The request's path; a target that does not parse as a URL is left for the router to refuse. */
function pathnameOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://gateway').pathname;
  } catch {
    return '';
  }
}

/** Sets the headers every response carries; true when the request was answered here (a preflight). */
export function applyHttpPolicy(req: IncomingMessage, res: ServerResponse, policy: HttpPolicy): boolean {
  const started = performance.now();
  const pathname = pathnameOf(req);
  const route = routeLabel(req, pathname);
  res.once('close', () => policy.metrics.observeHttp(route, req.method ?? 'GET', res.statusCode, (performance.now() - started) / 1000));
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const cors = corsRouteOf(pathname);
  if (!cors) return false;
  res.setHeader('vary', 'Origin');
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && policy.corsOrigins.has(origin);
  if (req.method === 'OPTIONS') {
    answerPreflight(req, res, cors, allowed ? origin : null);
    return true;
  }
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSED);
  }
  return false;
}

/**
 * An allowed origin gets 204 with the route's methods and the headers it asked for (any well-formed list:
 * the origin is trusted, and teammates' headers such as Idempotency-Key need no change here). Any other
 * origin gets 403 without CORS headers, which the browser reports as a CORS failure.
 */
function answerPreflight(req: IncomingMessage, res: ServerResponse, route: CorsRoute, origin: string | null): void {
  res.setHeader('allow', CORS_METHODS[route]);
  if (req.headers.origin === undefined) {
    // Not a browser preflight (no Origin): just say which methods the route takes.
    res.writeHead(204).end();
    return;
  }
  if (origin === null) {
    const body = JSON.stringify({ errors: [{ message: 'This origin is not allowed cross-origin access (TRACKQL_CORS_ORIGINS)', extensions: { code: 'FORBIDDEN' } }] });
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
    return;
  }
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': CORS_METHODS[route],
    ...(typeof requested === 'string' && HEADER_LIST.test(requested.trim()) && { 'access-control-allow-headers': requested.trim() }),
    'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
  });
  res.end();
}
