/** API keys in the embedded store's database (tables of schema 003), behind the narrow storage src/auth needs. */
import fs from 'node:fs';
import type { KeyRecord, KeyRecords } from '../../auth/key-records';
import type { Grant, Role } from '../../auth/roles';
import { dataPaths, openDatabase, type Db } from './db';
import { migrate } from './migrations';

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

const KEY_COLUMNS = 'id, name, created_at, revoked_at, last_used_at';

export class SqliteKeyRecords implements KeyRecords {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  insert(key: { id: string; name: string | null; secretSha256: string; createdAt: number; grants: readonly Grant[] }): void {
    this.#db.transaction(() => {
      this.#db.prepare('INSERT INTO api_keys (id, name, secret_sha256, created_at) VALUES (?, ?, ?, ?)').run(key.id, key.name, key.secretSha256, key.createdAt);
      const insert = this.#db.prepare('INSERT INTO api_key_grants (key_id, workspace, role) VALUES (?, ?, ?)');
      for (const grant of key.grants) insert.run(key.id, grant.workspace, grant.role);
    }).immediate();
  }

  all(): KeyRecord[] {
    const rows = this.#db.prepare<[], KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`).all();
    const grants = this.#db.prepare<[], GrantRow>('SELECT key_id, workspace, role FROM api_key_grants ORDER BY workspace').all();
    return rows.map((row) => toRecord(row, grants.filter((g) => g.key_id === row.id).map((g) => ({ workspace: g.workspace, role: g.role }))));
  }

  get(id: string): KeyRecord | null {
    const row = this.#db.prepare<[string], KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`).get(id);
    return row ? toRecord(row, this.#grantsOf(row.id)) : null;
  }

  revoke(id: string, at: number): void {
    this.#db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
  }

  findActive(secretSha256: string): { id: string; grants: Grant[] } | null {
    const id = this.#db
      .prepare<[string], string>('SELECT id FROM api_keys WHERE secret_sha256 = ? AND revoked_at IS NULL')
      .pluck()
      .get(secretSha256);
    return id === undefined ? null : { id, grants: this.#grantsOf(id) };
  }

  any(): boolean {
    return this.#db.prepare('SELECT EXISTS (SELECT 1 FROM api_keys)').pluck().get() === 1;
  }

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

/** Whether the data dir holds a database at all (listing keys must not create one). */
export function sqliteKeyRecordsExist(dataDir: string): boolean {
  return fs.existsSync(dataPaths(dataDir).dbFile);
}

/** Opens the data dir's database (creating or upgrading it, as the server does) for its key tables. */
export function openSqliteKeyRecords(dataDir: string): SqliteKeyRecords {
  const paths = dataPaths(dataDir);
  fs.mkdirSync(paths.dataDir, { recursive: true });
  const db = openDatabase(paths.dbFile);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteKeyRecords(db);
}

function toRecord(row: KeyRow, grants: readonly Grant[]): KeyRecord {
  return Object.freeze({ id: row.id, name: row.name, grants, createdAt: row.created_at, revokedAt: row.revoked_at, lastUsedAt: row.last_used_at });
}
