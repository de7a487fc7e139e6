/**
 * Load from autocannon in a process of its own, so the load generator never shares an event loop with a server
 * under test (or with the runner that orchestrates them).
 */
import { spawn } from 'node:child_process';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  body: string;
  seconds: number;
  connections: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const cli = require.resolve('autocannon/autocannon.js');
  const args = [cli, '--json', '--method', 'POST', '--headers', 'content-type=application/json', '--body', options.body,
    '--connections', String(options.connections), '--duration', String(options.seconds), options.url];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.slice(-2000)}`));
      try {
        const r = JSON.parse(out) as AutocannonJson;
        resolve({ requestsPerSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, errors: r.errors, non2xx: r.non2xx });
      } catch (error) {
        reject(new Error(`autocannon printed no JSON (${(error as Error).message}): ${out.slice(0, 500)}`));
      }
    });
  });
}
