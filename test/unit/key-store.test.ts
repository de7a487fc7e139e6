/** The API key store and the authenticator over it: hashed secrets, grants, revocation, the cache delay. */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Authenticator, KEY_CACHE_MS, TOUCH_EVERY_MS } from '../../src/auth/authenticator';
import { KeyStore, KeyStoreError, hashSecret, openKeyStore } from '../../src/auth/key-store';
import { OPEN_STORE, may, principalOf, roleIn } from '../../src/auth/roles';
import { checkOpenStore, isLoopback } from '../../src/auth/startup';
import { ConfigError, loadConfig } from '../../src/config';
import { ErrorCode, TrackqlError } from '../../src/errors';
import { ANONYMOUS, callerFromAuthorization, keyIdOf } from '../../src/server/identity';
import { tempDir } from '../support/gateway';

let dataDir: string;
let store: KeyStore;
let clock: number;
beforeEach(() => {
  dataDir = tempDir('trackql-keys-');
  clock = 1_700_000_000_000;
  store = openKeyStore(dataDir, () => clock);
});
afterEach(() => {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof TrackqlError ? error.code : String(error);
  }
}

describe('KeyStore', () => {
  it('returns a long random secret once and stores only its hash, under the id request logs show', () => {
    const { key, secret } = store.create({ name: 'ci', grants: [{ workspace: 'ml', role: 'write' }] });
    expect(secret).toMatch(/^tqk_[A-Za-z0-9_-]{43}$/);
    expect(key).toEqual({ id: keyIdOf(secret), name: 'ci', grants: [{ workspace: 'ml', role: 'write' }], createdAt: clock, revokedAt: null, lastUsedAt: null });
    expect(store.findActive(hashSecret(secret))).toEqual({ id: key.id, grants: [{ workspace: 'ml', role: 'write' }] });
    store.close();
    const files = readdirSync(dataDir).filter((f) => f.startsWith('trackql.db'));
    const bytes = Buffer.concat(files.map((f) => readFileSync(path.join(dataDir, f))));
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(bytes.includes(Buffer.from(secret.slice(4)))).toBe(false);
    expect(bytes.includes(Buffer.from(hashSecret(secret)))).toBe(true);
  });

  it('lists keys with their grants and revokes them, twice harmlessly', () => {
    const a = store.create({ grants: [{ workspace: 'ml', role: 'read' }, { workspace: 'cv', role: 'admin' }] });
    clock += 1000;
    const b = store.create({ grants: [{ workspace: '*', role: 'read' }] });
    expect(store.list().map((k) => [k.id, k.grants])).toEqual([
      [a.key.id, [{ workspace: 'cv', role: 'admin' }, { workspace: 'ml', role: 'read' }]],
      [b.key.id, [{ workspace: '*', role: 'read' }]],
    ]);
    clock += 1000;
    expect(store.revoke(a.key.id)).toEqual({ key: expect.objectContaining({ revokedAt: clock }), alreadyRevoked: false });
    expect(store.revoke(a.key.id).alreadyRevoked).toBe(true);
    expect(store.findActive(hashSecret(a.secret))).toBeNull();
    expect(() => store.revoke('k_0000000000000000')).toThrow(KeyStoreError);
  });

  it.each([
    [[], 'A key needs at least one workspace'],
    [[{ workspace: ' ', role: 'read' }], 'workspace must not be empty'],
    [[{ workspace: 'ml', role: 'owner' }], "role must be read, write or admin, got 'owner'"],
    [[{ workspace: 'ml', role: 'read' }, { workspace: ' ml', role: 'write' }], "workspace 'ml' is given twice"],
  ])('refuses the grants %j', (grants, message) => {
    expect(() => store.create({ grants: grants as never })).toThrow(message);
    expect(store.hasKeys()).toBe(false);
  });
});

describe('Authenticator', () => {
  const caller = (secret: string) => callerFromAuthorization(`Bearer ${secret}`);

  it('serves everyone while no key exists, and nobody without a valid key once one does', () => {
    const auth = new Authenticator(store, { now: () => clock });
    expect(auth.principal(ANONYMOUS)).toBe(OPEN_STORE);
    expect(auth.principal(caller('tqk_whatever'))).toBe(OPEN_STORE);
    const { key, secret } = store.create({ grants: [{ workspace: 'ml', role: 'write' }] });
    expect(auth.principal(ANONYMOUS)).toBe(OPEN_STORE); // the open state is cached…
    clock += KEY_CACHE_MS;
    expect(codeOf(() => auth.principal(ANONYMOUS))).toBe(ErrorCode.UNAUTHENTICATED); // …for KEY_CACHE_MS
    expect(codeOf(() => auth.principal(caller('tqk_whatever')))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(auth.principal(caller(secret))).toMatchObject({ keyId: key.id, everywhere: null });
  });

  it('stays closed when every key is revoked, instead of falling back to open', () => {
    const auth = new Authenticator(store, { now: () => clock, cacheMs: 0 });
    const { key, secret } = store.create({ grants: [{ workspace: 'ml', role: 'read' }] });
    store.revoke(key.id);
    expect(auth.isOpen()).toBe(false);
    expect(codeOf(() => auth.principal(caller(secret)))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(codeOf(() => auth.principal(ANONYMOUS))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('refuses a revoked key once its cached lookup expires', () => {
    const auth = new Authenticator(store, { now: () => clock });
    const { key, secret } = store.create({ grants: [{ workspace: 'ml', role: 'read' }] });
    expect(auth.principal(caller(secret)).keyId).toBe(key.id);
    store.revoke(key.id);
    clock += KEY_CACHE_MS - 1;
    expect(auth.principal(caller(secret)).keyId).toBe(key.id);
    clock += 1;
    expect(codeOf(() => auth.principal(caller(secret)))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('records a key use at most once per TOUCH_EVERY_MS', () => {
    const auth = new Authenticator(store, { now: () => clock, cacheMs: 0 });
    const { key, secret } = store.create({ grants: [{ workspace: 'ml', role: 'read' }] });
    const first = clock;
    auth.principal(caller(secret));
    clock += TOUCH_EVERY_MS - 1;
    auth.principal(caller(secret));
    expect(store.get(key.id)?.lastUsedAt).toBe(first);
    clock += 1;
    auth.principal(caller(secret));
    expect(store.get(key.id)?.lastUsedAt).toBe(clock);
  });
});

describe('roles', () => {
  it('takes the higher of a workspace grant and the * grant', () => {
    const p = principalOf('k_1', [{ workspace: '*', role: 'read' }, { workspace: 'ml', role: 'admin' }, { workspace: 'cv', role: 'read' }]);
    expect([roleIn(p, 'ml'), roleIn(p, 'cv'), roleIn(p, 'other')]).toEqual(['admin', 'read', 'read']);
    expect([may(p, 'ml', 'write'), may(p, 'other', 'write'), may(p, 'other', 'read')]).toEqual([true, false, true]);
    const narrow = principalOf('k_2', [{ workspace: 'ml', role: 'write' }]);
    expect([roleIn(narrow, 'ml'), roleIn(narrow, 'cv')]).toEqual(['write', null]);
  });
});

describe('start-up rule', () => {
  it.each([
    ['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['[::1]', true], ['localhost', true], ['LOCALHOST', true],
    ['::ffff:127.0.0.1', true], ['0.0.0.0', false], ['::', false], ['10.1.2.3', false], ['example.com', false],
  ])('counts %s as loopback: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('refuses an open store beyond loopback unless allowed, and minds nothing else', () => {
    expect(() => checkOpenStore({ host: '0.0.0.0', allowOpen: false, storeIsOpen: true })).toThrow(ConfigError);
    expect(() => checkOpenStore({ host: '0.0.0.0', allowOpen: false, storeIsOpen: true })).toThrow(/TRACKQL_ALLOW_OPEN=true/);
    expect(checkOpenStore({ host: '0.0.0.0', allowOpen: true, storeIsOpen: true })).toBe('warn');
    expect(checkOpenStore({ host: '0.0.0.0', allowOpen: false, storeIsOpen: false })).toBe('ok');
    expect(checkOpenStore({ host: '127.0.0.1', allowOpen: false, storeIsOpen: true })).toBe('ok');
  });

  it('reads TRACKQL_ALLOW_OPEN, false by default', () => {
    expect(loadConfig({}).allowOpen).toBe(false);
    expect(loadConfig({ TRACKQL_ALLOW_OPEN: 'true' }).allowOpen).toBe(true);
    expect(() => loadConfig({ TRACKQL_ALLOW_OPEN: 'sure' })).toThrow("TRACKQL_ALLOW_OPEN must be true or false, got 'sure'");
  });
});
