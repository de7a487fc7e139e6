/** The dashboard's files over HTTP: content types, caching, gzip, ETags, the CSP, and a missing build. */
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DASHBOARD_CSP, createDashboard } from '../../src/server/dashboard';
import { tempDir } from '../support/gateway';

const SCRIPT = `export const answer = ${JSON.stringify('x'.repeat(4096))};\n`;

describe('serving the dashboard', () => {
  let dir: string;
  let server: Server;
  let base: string;

  async function listen(dashboardDir: string): Promise<void> {
    const dashboard = createDashboard(dashboardDir);
    server = createServer((req, res) => {
      if (!dashboard.serve(req, res, new URL(req.url ?? '/', 'http://x').pathname)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeEach(() => {
    dir = tempDir('trackql-web-');
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/dashboard/main-ABC123.js"></script>');
    writeFileSync(path.join(dir, 'main-ABC123.js'), SCRIPT);
    writeFileSync(path.join(dir, 'main-DEF456.css'), 'body{}');
  });
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page at / as no-cache HTML under a CSP of this origin only, and answers 304 to its ETag', async () => {
    await listen(dir);
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe');
    expect(await res.text()).toContain('/dashboard/main-ABC123.js');
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('serves hashed files as immutable with their content type, gzipped when asked and worth it', async () => {
    await listen(dir);
    const plain = await fetch(`${base}/dashboard/main-ABC123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);

    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      // fetch would decode the body itself: read the bytes as sent.
      get(`${base}/dashboard/main-ABC123.js`, { headers: { 'accept-encoding': 'br, gzip;q=0.8' } }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) })).on('error', reject);
      }).on('error', reject);
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers.vary).toBe('accept-encoding');
    expect(raw.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(gunzipSync(raw.body).toString()).toBe(SCRIPT);

    const refused = await fetch(`${base}/dashboard/main-ABC123.js`, { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    const css = await fetch(`${base}/dashboard/main-DEF456.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('content-encoding')).toBeNull(); // too small to gain from gzip
  });

  it('leaves unknown names, traversal and other methods to the router', async () => {
    await listen(dir);
    for (const target of ['/dashboard/nope.js', '/dashboard/..%2Findex.html', '/dashboard/../index.html', '/elsewhere']) {
      expect((await fetch(`${base}${target}`)).status).toBe(target === '/dashboard/../index.html' ? 200 : 404); // fetch normalises '..' itself
    }
    expect((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('says how to build the dashboard when dist/web is missing', async () => {
    const missing = path.join(dir, 'missing');
    await listen(missing);
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});
