/** The storage the key store needs, and nothing more: the embedded store implements it in its own database. */
import type { Grant } from './roles';

export interface KeyRecord {
  readonly id: string;
  readonly name: string | null;
  readonly grants: readonly Grant[];
  /** Unix ms. */
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface KeyRecords {
  /** Stores a key with its grants, atomically. Only the secret's SHA-256 is ever stored. */
  insert(key: { id: string; name: string | null; secretSha256: string; createdAt: number; grants: readonly Grant[] }): void;
  /** Every key, revoked ones included, oldest first (then by id); grants ordered by workspace. */
  all(): KeyRecord[];
  get(id: string): KeyRecord | null;
  /** Sets the revocation time of an unrevoked key. */
  revoke(id: string, at: number): void;
  /** The unrevoked key whose secret has this SHA-256, with its grants. */
  findActive(secretSha256: string): { id: string; grants: Grant[] } | null;
  /** True once any key was stored, revoked or not. */
  any(): boolean;
  touch(id: string, at: number): void;
  close(): void;
}
