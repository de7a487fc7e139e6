/**
 * API keys of the embedded store, in its own SQLite file (tables of schema 003). The server looks keys up
 * here per request (through the Authenticator's short cache); the `trackql keys` CLI creates, lists and
 * revokes them on the data dir directly, so keys made while the server runs take effect without a restart.
 *
 * A secret is `tqk_` + 32 random bytes (base64url). It is shown once, at creation, and only its SHA-256 is
 * stored. A fast hash is right here: slow password hashes (scrypt, bcrypt) exist to make guessing
 * low-entropy passwords expensive, but guessing a 256-bit random secret is hopeless at any hash speed, and
 * a slow hash would cost every request milliseconds. The lookup is by hash, so no stored value is ever
 * compared with a presented secret character by character.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { dataPaths, openDatabase, type Db } from '../backends/sqlite/db';
import { migrate } from '../backends/sqlite/migrations';
import * as v from '../services/validate';
import { ALL_WORKSPACES, isRole, type Grant, type Role } from './roles';

export const SECRET_PREFIX = 'tqk_';
const SECRET_BYTES = 32;

export interface StoredKey {
  /** `k_` + 16 hex digits of the secret's SHA-256: the id `keys list` shows and request logs carry. */
  readonly id: string;
  readonly name: string | null;
  readonly grants: readonly Grant[];
  /** Unix ms. */
  readonly createdAt: number;
  readonly revokedAt: number | null;
  /** Unix ms of a request made with the key, to the minute; null when never used. */
  readonly lastUsedAt: number | null;
}

/** A refusal the CLI reports as it is (bad grants, unknown id). */
export class KeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The key's id, derived from its secret: the same value src/server/identity.ts's `keyIdOf` gives a presented
 * key, so a request log's `keyId` is the id `keys list` prints (test/unit/key-store.test.ts holds them equal).
 */
export function keyIdOfSecret(secret: string): string {
  return `k_${hashSecret(secret).slice(0, 16)}`;
}

interface KeyRow {
  id: string;
  name: string | null;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

interface GrantRow {
  key_id: string;
  workspace: string;
  role: Role;
}

export class KeyStore {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Stores a new key and returns it with its secret, which exists nowhere else afterwards. */
  create(input: { name?: string | null; grants: readonly Grant[] }): { key: StoredKey; secret: string } {
    const grants = checkGrants(input.grants);
    const name = input.name == null ? null : v.name(input.name, 'name', 100);
    const secret = `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
    const id = keyIdOfSecret(secret);
    this.#db.transaction(() => {
      this.#db.prepare('INSERT INTO api_keys (id, name, secret_sha256, created_at) VALUES (?, ?, ?, ?)').run(id, name, hashSecret(secret), this.#now());
      const insert = this.#db.prepare('INSERT INTO api_key_grants (key_id, workspace, role) VALUES (?, ?, ?)');
      for (const grant of grants) insert.run(id, grant.workspace, grant.role);
    }).immediate();
    return { key: this.get(id) as StoredKey, secret };
  }

  /** Every key, revoked ones included, oldest first. Never the secrets: they are not stored. */
  list(): StoredKey[] {
    const rows = this.#db.prepare<[], KeyRow>('SELECT id, name, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at, id').all();
    const grants = this.#db.prepare<[], GrantRow>('SELECT key_id, workspace, role FROM api_key_grants ORDER BY workspace').all();
    return rows.map((row) => toKey(row, grants.filter((g) => g.key_id === row.id).map((g) => ({ workspace: g.workspace, role: g.role }))));
  }

  get(id: string): StoredKey | null {
    const row = this.#db.prepare<[string], KeyRow>('SELECT id, name, created_at, revoked_at, last_used_at FROM api_keys WHERE id = ?').get(id);
    return row ? toKey(row, this.#grantsOf(row.id)) : null;
  }

  /** Revokes a key; revoking it again changes nothing. KeyStoreError when no key has this id. */
  revoke(id: string): { key: StoredKey; alreadyRevoked: boolean } {
    const before = this.get(id);
    if (!before) throw new KeyStoreError(`No API key with id '${id}': see \`trackql keys list\``);
    if (before.revokedAt !== null) return { key: before, alreadyRevoked: true };
    this.#db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.#now(), id);
    return { key: this.get(id) as StoredKey, alreadyRevoked: false };
  }

  /** The unrevoked key whose secret has this SHA-256 (hex, see `hashSecret`), or null. */
  findActive(secretSha256: string): { id: string; grants: Grant[] } | null {
    const id = this.#db
      .prepare<[string], string>('SELECT id FROM api_keys WHERE secret_sha256 = ? AND revoked_at IS NULL')
      .pluck()
      .get(secretSha256);
    return id === undefined ? null : { id, grants: this.#grantsOf(id) };
  }

  /** True once any key was created, revoked or not: from then on the store is never open again. */
  hasKeys(): boolean {
    return this.#db.prepare('SELECT EXISTS (SELECT 1 FROM api_keys)').pluck().get() === 1;
  }

  /** Records a use of the key (the caller throttles: this is a write). */
  touch(id: string, at: number): void {
    this.#db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #grantsOf(id: string): Grant[] {
    return this.#db
      .prepare<[string], GrantRow>('SELECT key_id, workspace, role FROM api_key_grants WHERE key_id = ? ORDER BY workspace')
      .all(id)
      .map((g) => ({ workspace: g.workspace, role: g.role }));
  }
}

/** Opens the data dir's database (creating or upgrading it, as the server does) for its key tables. */
export function openKeyStore(dataDir: string, now?: () => number): KeyStore {
  const paths = dataPaths(dataDir);
  fs.mkdirSync(paths.dataDir, { recursive: true });
  const db = openDatabase(paths.dbFile);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new KeyStore(db, now);
}

function toKey(row: KeyRow, grants: readonly Grant[]): StoredKey {
  return Object.freeze({
    id: row.id,
    name: row.name,
    grants,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  });
}

function checkGrants(grants: readonly Grant[]): Grant[] {
  if (grants.length === 0) throw new KeyStoreError('A key needs at least one workspace: --workspace <name> (or * for all)');
  const seen = new Set<string>();
  return grants.map((grant) => {
    if (!isRole(grant.role)) throw new KeyStoreError(`role must be read, write or admin, got '${grant.role}'`);
    let workspace: string;
    try {
      workspace = grant.workspace.trim() === ALL_WORKSPACES ? ALL_WORKSPACES : v.name(grant.workspace, 'workspace');
    } catch (error) {
      throw new KeyStoreError((error as Error).message);
    }
    if (seen.has(workspace)) throw new KeyStoreError(`workspace '${workspace}' is given twice: one role per workspace`);
    seen.add(workspace);
    return { workspace, role: grant.role };
  });
}
