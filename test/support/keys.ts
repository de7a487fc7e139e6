/** Test support for API keys: the `trackql keys` CLI run as users run it (a child process on dist/). */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MAIN } from './gateway';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function trackql(args: readonly string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface CreatedKey {
  id: string;
  secret: string;
}

/** Creates a key in `dataDir` through the CLI (`--json`), failing the test when the CLI does. */
export function createKey(dataDir: string, workspaces: string | readonly string[], role: string, name?: string): CreatedKey {
  const args = ['keys', 'create', '--json', '--role', role, '--data-dir', dataDir];
  for (const w of typeof workspaces === 'string' ? [workspaces] : workspaces) args.push('--workspace', w);
  if (name) args.push('--name', name);
  const result = trackql(args);
  if (result.status !== 0) throw new Error(`keys create failed (${result.status}): ${result.stderr}`);
  const { id, secret } = JSON.parse(result.stdout) as CreatedKey;
  return { id, secret };
}

export function revokeKey(dataDir: string, id: string): void {
  const result = trackql(['keys', 'revoke', id, '--data-dir', dataDir]);
  if (result.status !== 0) throw new Error(`keys revoke failed (${result.status}): ${result.stderr}`);
}

export const bearer = (key: CreatedKey | string): Record<string, string> => ({ authorization: `Bearer ${typeof key === 'string' ? key : key.secret}` });

/** Every byte of the data dir's database files (main file, WAL, shared memory) as they are on disk now. */
export function databaseBytes(dataDir: string): Buffer {
  const files = readdirSync(dataDir).filter((f) => f.startsWith('trackql.db'));
  return Buffer.concat(files.map((f) => readFileSync(path.join(dataDir, f))));
}
