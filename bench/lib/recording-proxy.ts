/**
 * A pass-through HTTP proxy that records every upstream request (route, start, end), so a benchmark can
 * count calls and compute how many round trips deep a run went, without touching the simulator.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  route: string;
  start: number;
  end: number;
}

export interface RecordingProxy {
  url: string;
  records: Recorded[];
  reset(): void;
  close(): Promise<void>;
}

/** `GET experiment/tags` from `/api/rest/v2/experiment/tags?experimentKey=…`. */
function routeOf(method: string, url: string): string {
  const path = url.split('?')[0].replace(/^\/api\/rest\/v2\//, '').replace(/^\//, '');
  return `${method} ${path}`;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const records: Recorded[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const start = performance.now();
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => records.push({ route: routeOf(req.method ?? 'GET', req.url ?? '/'), start, end: performance.now() }));
      },
    );
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records,
    reset: () => void records.splice(0),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Longest chain of requests each starting after the previous one ended: the run's round-trip depth. */
export function roundTripDepth(records: readonly Recorded[]): number {
  const sorted = [...records].sort((a, b) => a.end - b.end);
  const depth: number[] = [];
  let best = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    let d = 1;
    for (let j = 0; j < i; j += 1) if (sorted[j].end <= sorted[i].start && depth[j] + 1 > d) d = depth[j] + 1;
    depth.push(d);
    best = Math.max(best, d);
  }
  return best;
}

export function countByRoute(records: readonly Recorded[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.route] = (out[r.route] ?? 0) + 1;
  return out;
}
