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
import { openSqliteKeyRecords, sqliteKeyRecordsExist } from '../backends/sqlite/key-records';
import type { KeyRecord, KeyRecords } from './key-records';
import * as v from '../services/validate';
import { ALL_WORKSPACES, isRole, type Grant, type Role } from './roles';

export const SECRET_PREFIX = 'tqk_';
const SECRET_BYTES = 32;

/**
 * A stored key. `id` is `k_` + 16 hex digits of the secret's SHA-256: the id `keys list` shows and request
 * logs carry; `lastUsedAt` is the Unix ms of a request made with the key, to the minute (null when never used).
 */
export type StoredKey = KeyRecord;

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

export class KeyStore {
  readonly #records: KeyRecords;
  readonly #now: () => number;

  constructor(records: KeyRecords, now: () => number = Date.now) {
    this.#records = records;
    this.#now = now;
  }

  /** Stores a new key and returns it with its secret, which exists nowhere else afterwards. */
  create(input: { name?: string | null; grants: readonly Grant[] }): { key: StoredKey; secret: string } {
    const grants = checkGrants(input.grants);
    const name = input.name == null ? null : v.name(input.name, 'name', 100);
    const secret = `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
    const id = keyIdOfSecret(secret);
    this.#records.insert({ id, name, secretSha256: hashSecret(secret), createdAt: this.#now(), grants });
    return { key: this.get(id) as StoredKey, secret };
  }

  /** Every key, revoked ones included, oldest first. Never the secrets: they are not stored. */
  list(): StoredKey[] {
    return this.#records.all();
  }

  get(id: string): StoredKey | null {
    return this.#records.get(id);
  }

  /** Revokes a key; revoking it again changes nothing. KeyStoreError when no key has this id. */
  revoke(id: string): { key: StoredKey; alreadyRevoked: boolean } {
    const before = this.get(id);
    if (!before) throw new KeyStoreError(`No API key with id '${id}': see \`trackql keys list\``);
    if (before.revokedAt !== null) return { key: before, alreadyRevoked: true };
    this.#records.revoke(id, this.#now());
    return { key: this.get(id) as StoredKey, alreadyRevoked: false };
  }

  /** The unrevoked key whose secret has this SHA-256 (hex, see `hashSecret`), or null. */
  findActive(secretSha256: string): { id: string; grants: Grant[] } | null {
    return this.#records.findActive(secretSha256);
  }

  /** True once any key was created, revoked or not: from then on the store is never open again. */
  hasKeys(): boolean {
    return this.#records.any();
  }

  /** Records a use of the key (the caller throttles: this is a write). */
  touch(id: string, at: number): void {
    this.#records.touch(id, at);
  }

  close(): void {
    this.#records.close();
  }
}

/** Whether the data dir holds a key store (a data dir never used holds none, and listing must not make one). */
export function keyStoreExists(dataDir: string): boolean {
  return sqliteKeyRecordsExist(dataDir);
}

/** The key store of a data dir: its records live in the embedded store's database, whatever the backend. */
export function openKeyStore(dataDir: string, now?: () => number): KeyStore {
  return new KeyStore(openSqliteKeyRecords(dataDir), now);
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
