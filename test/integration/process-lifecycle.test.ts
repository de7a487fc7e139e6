/**
 * The process as an operator meets it: a port already taken is a configuration error with one line naming
 * the variable, and stopping `npm start` stops the server (the script execs node, so no orphan keeps the port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT, tempDir } from '../support/gateway';
import { trackql } from '../support/keys';

const dirs: string[] = [];
const spawned: number[] = [];
afterAll(() => {
  // Whatever a failing test left running is ended by its own id.
  for (const pid of spawned) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scratch(prefix: string): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
}

describe('a port already in use', () => {
  let holder: Server;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('stops the start with exit code 78 and one line naming TRACKQL_PORT', () => {
    const port = (holder.address() as AddressInfo).port;
    const result = trackql([], { TRACKQL_PORT: String(port), TRACKQL_HOST: '127.0.0.1', TRACKQL_DATA_DIR: scratch('trackql-port-') });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([`trackql: TRACKQL_PORT ${port} is already in use on 127.0.0.1: stop what holds it, or set TRACKQL_PORT to a free port (0 picks one)`]);
    expect(result.stdout).not.toContain('"listening"');
  });
});

/** Pids of a process's descendants, read from /proc (Linux). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited meanwhile */ }
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const [child, parent] of parents) if (parent === p) { found.push(child); visit(child); }
  };
  visit(pid);
  return found;
}

function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`npm start did not listen in time:\n${out}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /"msg":"listening","url":"(http:\/\/[^"]+)\/graphql"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`npm start exited with ${code}:\n${out}`)); });
  });
}

async function refusesConnections(url: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('npm start', () => {
  it('takes the server down with it when it is terminated', async () => {
    // The project's own start script, run by npm and its shell, in a folder whose `build` is a no-op: the test
    // must not rewrite dist/ under other tests that run from it.
    const dir = scratch('trackql-npm-start-');
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'start-check', private: true, scripts: { build: 'node -e 0', start: scripts.start } }));
    symlinkSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, TRACKQL_PORT: '0', TRACKQL_HOST: '127.0.0.1', TRACKQL_DATA_DIR: path.join(dir, 'data'), TRACKQL_LOG_LEVEL: 'notice' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.push(npm.pid!);
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    const url = await waitForListening(npm);
    spawned.push(...descendants(npm.pid!));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    npm.kill('SIGTERM');
    await exited;
    expect(await refusesConnections(url, 10_000)).toBe(true);
  }, 60_000);
});
