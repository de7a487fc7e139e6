/**
 * Idempotency through access control: a workspace-scoped key retrying a delete gets its first answer, not
 * NOT_FOUND (the experiment is gone, the record stays), while another key's retry reveals nothing.
 */
import { rmSync } from 'node:fs';
import { Authenticator } from '../../src/auth/authenticator';
import { openKeyStore, type KeyStore } from '../../src/auth/key-store';
import { scopeBackend } from '../../src/auth/scoped-backend';
import type { Backend } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { claimOf } from '../../src/services/idempotency';
import { ANONYMOUS, callerFromAuthorization } from '../../src/server/identity';
import { tempDir } from '../support/gateway';

let dataDir: string;
let keys: KeyStore;
let scoped: Backend;
let inner: Backend;

beforeEach(() => {
  dataDir = tempDir('trackql-scoped-idem-');
  inner = createSqliteBackend({ dataDir });
  keys = openKeyStore(dataDir);
  scoped = scopeBackend(inner, new Authenticator(keys, { cacheMs: 0 }), () => keys.close());
});
afterEach(async () => {
  await scoped.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('replays a retried delete for the key that made it, and only for that key', async () => {
  const admin = callerFromAuthorization(keys.create({ grants: [{ workspace: 'ml', role: 'admin' }] }).secret);
  const other = callerFromAuthorization(keys.create({ grants: [{ workspace: 'ml', role: 'admin' }] }).secret);
  const run = await inner.experiments.create(ANONYMOUS, { workspace: 'ml', project: 'p' });
  const input = { experimentKey: run.key, idempotencyKey: 'del-1' };
  const claim = claimOf('deleteExperiment', input);
  await scoped.experiments.delete(admin, run.key, { idempotency: claim });
  await expect(scoped.experiments.delete(admin, run.key, { idempotency: claim })).resolves.toBeUndefined();
  // After a restart nothing remembers the experiment's workspace: the access check says NOT_FOUND first.
  const restarted = scopeBackend(inner, new Authenticator(keys, { cacheMs: 0 }));
  await expect(restarted.experiments.delete(admin, run.key, { idempotency: claim })).resolves.toBeUndefined();
  await expect(restarted.experiments.delete(other, run.key, { idempotency: claim })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(restarted.experiments.delete(admin, run.key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(scoped.experiments.delete(other, run.key, { idempotency: claim })).rejects.toMatchObject({ code: 'NOT_FOUND' });
});
