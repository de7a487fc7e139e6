/**
 * Test support for the live feed: a real graphql-ws client (with `ws`), a subscription recorder that can
 * wait for N events, and a throwaway redis-server on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { createClient, type Client, type ClientOptions, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { tempDir } from './gateway';

export interface Closed {
  code: number;
  reason: string;
}

export interface LiveClient {
  client: Client;
  /** Close events seen by the client, in order. */
  closed: Closed[];
  /** How many times the client connected (a reconnect counts again). */
  connects(): number;
  dispose(): Promise<void>;
}

/** A graphql-ws client that does not retry (a test must see every close) unless told to. */
export function liveClient(httpUrl: string, options: Partial<ClientOptions> = {}): LiveClient {
  const closed: Closed[] = [];
  let connected = 0;
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...options,
    on: {
      connected: () => void (connected += 1),
      closed: (event) => {
        const e = event as { code?: number; reason?: string };
        closed.push({ code: e.code ?? 0, reason: String(e.reason ?? '') });
      },
      ...options.on,
    },
  });
  return { client, closed, connects: () => connected, dispose: () => client.dispose() as Promise<void> };
}

export interface Recording<T> {
  results: FormattedExecutionResult<T, unknown>[];
  /** Resolves once `n` results have arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<FormattedExecutionResult<T, unknown>[]>;
  /** Resolves when the server completes the operation or it errors. */
  done: Promise<{ error?: unknown }>;
  /** Completes the subscription from the client side. */
  unsubscribe(): void;
}

export function record<T = Record<string, unknown>>(client: Client, query: string, variables: Record<string, unknown> = {}): Recording<T> {
  const results: FormattedExecutionResult<T, unknown>[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let finish!: (r: { error?: unknown }) => void;
  const done = new Promise<{ error?: unknown }>((resolve) => (finish = resolve));
  const unsubscribe = client.subscribe<T>({ query, variables }, {
    next: (result) => {
      results.push(result);
      for (const w of [...waiters]) if (results.length >= w.n) w.resolve();
    },
    error: (error) => finish({ error }),
    complete: () => finish({}),
  });
  return {
    results, done, unsubscribe,
    waitFor(n, timeoutMs = 10_000) {
      if (results.length >= n) return Promise.resolve(results.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${n} results, got ${results.length}: ${JSON.stringify(results).slice(0, 2000)}`)), timeoutMs);
        waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(results.slice()); } });
      });
    },
  };
}

/** Polls `check` until it holds (or fails after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: a crash, not a clean shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** A redis-server of its own: free loopback port, no persistence, a temp dir. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = tempDir('trackql-redis-');
  let child: ChildProcess | null = null;
  const start = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${out}`));
      });
    });
  };
  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`, port, kill, start,
    async dispose() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
