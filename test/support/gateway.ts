/**
 * Starts the real gateway as users do (`node dist/src/main.js`, built by `npm test`) on a free loopback port
 * with a fresh data dir, and talks to it over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The project root: the nearest folder with a package.json (this file also runs compiled, from dist/). */
function findRoot(dir: string): string {
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const ROOT = findRoot(__dirname);
export const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

export interface ChildGateway {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Every line the process wrote to stdout and stderr so far. */
  logs: string[];
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops the process and removes its data dir. */
  dispose(): Promise<void>;
}

export function tempDir(prefix = 'trackql-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startChildGateway(env: Record<string, string> = {}, args: string[] = []): Promise<ChildGateway> {
  const dataDir = env.TRACKQL_DATA_DIR ?? tempDir();
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', TRACKQL_PORT: '0', TRACKQL_HOST: '127.0.0.1', TRACKQL_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { exitCode = code; resolve(code); }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave an orphan behind: the process is killed before the test fails.
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start in time (it logs 'listening' at levels info and notice):\n${logs.join('\n')}`));
    }, 20_000);
    const onLine = (line: string) => {
      logs.push(line);
      if (!line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url.replace(/\/graphql$/, ''));
        }
      } catch {
        /* not a log line */
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (exitCode !== undefined) return exitCode;
    child.kill(signal);
    return exited;
  };
  return {
    url, dataDir, process: child, logs, stop,
    async dispose() {
      await stop('SIGTERM');
      if (!env.TRACKQL_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** POSTs one GraphQL operation and returns the HTTP status with the parsed body. */
export async function gql<T = any>(
  url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** Like `gql`, but fails the test on any error and returns `data`. */
export async function gqlOk<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<T> {
  const res = await gql<T>(url, query, variables, headers);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors, null, 2)}`);
  return res.data as T;
}

/** The codes of a response's errors, in order. */
export function codes(res: GraphQLResponse): string[] {
  return (res.errors ?? []).map((e) => String(e.extensions?.code));
}
