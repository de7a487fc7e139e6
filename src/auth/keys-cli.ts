/**
 * `trackql keys create|list|revoke`: API keys of the embedded store, managed on the data dir directly
 * (TRACKQL_DATA_DIR, or --data-dir). A running server sees changes within KEY_CACHE_MS, without a restart.
 *
 * Exit codes: 0 done, 1 refused (unknown id, store error), 2 usage, 78 invalid configuration (EX_CONFIG).
 * `create` prints the secret alone on stdout (so `KEY=$(trackql keys create …)` works) and the rest on
 * stderr; nothing ever prints a secret again.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { KEY_CACHE_MS } from './authenticator';
import { KeyStoreError, keyStoreExists, openKeyStore, type StoredKey } from './key-store';
import { formatGrants, isRole, type Grant } from './roles';

export const KEYS_USAGE = `usage: trackql keys <command> [options]

  create --workspace <name> --role <read|write|admin> [--workspace <name>…] [--name <label>] [--json]
         Creates a key and prints its secret once. --workspace may repeat (same role on each);
         --workspace '*' grants the role on every workspace, present and future.
  list [--json]      Lists keys (id, name, grants, dates); never secrets, which are not stored.
  revoke <id>        Revokes a key; requests with it fail within ${KEY_CACHE_MS / 1000} s.

  --data-dir <dir>   Data dir to use (default: TRACKQL_DATA_DIR, else ./.trackql)
  -h, --help         Shows this help

Roles: read (every read), write (read + logging and experiment writes), admin (write + createProject,
deleteExperiment). With no key at all the store is open; once a key exists, every request needs one.`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

class UsageError extends Error {}
/** A configuration that makes `keys` meaningless (the Comet backend): a usage problem, exit 2. */
class UsageConfigError extends ConfigError {}

type Env = Readonly<Record<string, string | undefined>>;

/** Runs `trackql keys …` and returns the exit code. */
export function runKeysCommand(args: readonly string[], env: Env, io: CliIo, cwd: string = process.cwd()): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        workspace: { type: 'string', multiple: true },
        role: { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    io.out(`${KEYS_USAGE}\n`);
    return 0;
  }
  let dataDir: string;
  try {
    dataDir = resolveDataDir(values['data-dir'], env, cwd);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`trackql keys: ${error.message}\n`);
    return error instanceof UsageConfigError ? 2 : 78;
  }
  try {
    switch (command) {
      case 'create':
        if (rest.length > 0) throw new UsageError(`create takes no positional argument, got '${rest[0]}'`);
        return create(dataDir, grantsFrom(values.workspace, values.role), values.name ?? null, values.json, io);
      case 'list':
        if (rest.length > 0) throw new UsageError(`list takes no positional argument, got '${rest[0]}'`);
        return list(dataDir, values.json, io);
      case 'revoke':
        if (rest.length !== 1) throw new UsageError('revoke takes exactly one key id: trackql keys revoke <id>');
        return revoke(dataDir, rest[0], io);
      case undefined:
        throw new UsageError('a command is required: create, list or revoke');
      default:
        throw new UsageError(`unknown command '${command}': expected create, list or revoke`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error.message);
    if (error instanceof KeyStoreError) {
      io.err(`trackql keys: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function resolveDataDir(flag: string | undefined, env: Env, cwd: string): string {
  const config = loadConfig(flag === undefined ? env : { ...env, TRACKQL_DATA_DIR: flag }, cwd);
  if (config.backend !== 'sqlite') {
    throw new UsageConfigError(`keys belong to the embedded store, but TRACKQL_BACKEND is '${config.backend}' (${config.backend === 'comet' ? 'Comet' : 'MLflow'} checks its own credentials)`);
  }
  return config.dataDir;
}

function grantsFrom(workspaces: string[] | undefined, role: string | undefined): Grant[] {
  if (!workspaces || workspaces.length === 0) throw new UsageError("create needs --workspace <name> (or --workspace '*' for all)");
  if (role === undefined) throw new UsageError('create needs --role read, write or admin');
  if (!isRole(role)) throw new UsageError(`--role must be read, write or admin, got '${role}'`);
  return workspaces.map((workspace) => ({ workspace, role }));
}

function create(dataDir: string, grants: Grant[], name: string | null, json: boolean, io: CliIo): number {
  const store = openKeyStore(dataDir);
  try {
    const { key, secret } = store.create({ name, grants });
    if (json) {
      io.out(`${JSON.stringify({ ...present(key), secret })}\n`);
    } else {
      io.out(`${secret}\n`);
      io.err(`Created API key ${key.id}${key.name ? ` (${key.name})` : ''}: ${formatGrants(key.grants)}.\n` +
        'Keep the secret above now: it is shown only once and cannot be recovered.\n');
    }
    return 0;
  } finally {
    store.close();
  }
}

function list(dataDir: string, json: boolean, io: CliIo): number {
  // Listing never creates a data dir: a mistyped path says "no keys" instead of leaving an empty store behind.
  const keys = keyStoreExists(dataDir) ? withStore(dataDir, (store) => store.list()) : [];
  if (json) {
    io.out(`${JSON.stringify(keys.map(present))}\n`);
    return 0;
  }
  if (keys.length === 0) {
    io.out(`No API keys in ${dataDir}: the store is open (served without keys on loopback only).\n`);
    return 0;
  }
  const rows = [['ID', 'NAME', 'GRANTS', 'CREATED', 'LAST USED', 'REVOKED']];
  for (const key of keys) {
    rows.push([key.id, key.name ?? '-', formatGrants(key.grants), iso(key.createdAt), iso(key.lastUsedAt), iso(key.revokedAt)]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  io.out(rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd()).join('\n') + '\n');
  return 0;
}

function revoke(dataDir: string, id: string, io: CliIo): number {
  if (!keyStoreExists(dataDir)) throw new KeyStoreError(`No API key with id '${id}': ${dataDir} holds no store`);
  const { key, alreadyRevoked } = withStore(dataDir, (store) => store.revoke(id));
  io.out(alreadyRevoked
    ? `API key ${key.id} was already revoked (${iso(key.revokedAt)}).\n`
    : `Revoked API key ${key.id}${key.name ? ` (${key.name})` : ''}; a running server refuses it within ${KEY_CACHE_MS / 1000} s.\n`);
  return 0;
}

function withStore<T>(dataDir: string, work: (store: ReturnType<typeof openKeyStore>) => T): T {
  const store = openKeyStore(dataDir);
  try {
    return work(store);
  } finally {
    store.close();
  }
}

/** The JSON form: ISO 8601 times, null when unset. */
function present(key: StoredKey) {
  const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { id: key.id, name: key.name, grants: key.grants, createdAt: time(key.createdAt), lastUsedAt: time(key.lastUsedAt), revokedAt: time(key.revokedAt) };
}

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

function usage(io: CliIo, message: string): number {
  io.err(`trackql keys: ${message}\nRun 'trackql keys --help' for usage.\n`);
  return 2;
}
