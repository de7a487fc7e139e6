/** Idempotency records: their lifetime, pruning, the payload hash, and serialization by key. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { IDEMPOTENCY_TTL_MS, type Backend, type IdempotencyClaim } from '../../src/backends/port';
import { KeyedMutex } from '../../src/backends/shared/idempotency';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { canonicalJson, claimOf } from '../../src/services/idempotency';
import { ANONYMOUS } from '../../src/server/identity';
import { tempDir } from '../support/gateway';

describe('the payload hash', () => {
  it('ignores key order and the idempotency key itself, and tells different inputs apart', () => {
    const a = claimOf('logMetrics', { idempotencyKey: 'k', experimentKey: 'e', points: [{ step: 1, name: 'x' }] } as never);
    const b = claimOf('logMetrics', { points: [{ name: 'x', step: 1 }], experimentKey: 'e', idempotencyKey: ' k ' } as never);
    const c = claimOf('logMetrics', { idempotencyKey: 'k', experimentKey: 'e', points: [{ name: 'x', step: 2 }] } as never);
    const d = claimOf('addTags', { idempotencyKey: 'k', experimentKey: 'e', points: [{ name: 'x', step: 1 }] } as never);
    expect(a).toEqual(b);
    expect(a?.key).toBe('k');
    expect(c?.payloadHash).not.toBe(a?.payloadHash);
    expect(d?.payloadHash).not.toBe(a?.payloadHash);
    expect(claimOf('logMetrics', { idempotencyKey: null })).toBeUndefined();
  });

  it('refuses input nested too deeply to hash with BAD_USER_INPUT, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(() => canonicalJson({ value: deep })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('KeyedMutex', () => {
  it('runs calls with one key one after another and calls with other keys at once', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const step = (name: string, ms: number) => async () => {
      order.push(`${name}:start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name}:end`);
    };
    await Promise.all([mutex.run('k', step('a', 30)), mutex.run('k', step('b', 1)), mutex.run('other', step('c', 1))]);
    expect(order.indexOf('b:start')).toBeGreaterThan(order.indexOf('a:end'));
    expect(order.indexOf('c:end')).toBeLessThan(order.indexOf('a:end'));
  });
});

describe('SQLite idempotency records', () => {
  let dir: string;
  let backend: Backend;
  let now = Date.UTC(2024, 0, 1);

  beforeEach(() => {
    dir = tempDir();
    backend = createSqliteBackend({ dataDir: dir, now: () => now });
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const claim = (key: string, payloadHash = 'h'): IdempotencyClaim => ({ key, operation: 'createExperiment', payloadHash });

  it('replays for 24 hours, then lets the key write again, and prunes expired records', async () => {
    const first = await backend.experiments.create(ANONYMOUS, { workspace: 'w', project: 'p' }, { idempotency: claim('k1') });
    now += IDEMPOTENCY_TTL_MS - 1;
    const replayed: string[] = [];
    const again = await backend.experiments.create(ANONYMOUS, { workspace: 'w', project: 'p' }, { idempotency: { ...claim('k1'), onReplay: () => replayed.push('k1') } });
    expect(again).toEqual(first);
    expect(replayed).toEqual(['k1']);

    now += 2;
    const later = await backend.experiments.create(ANONYMOUS, { workspace: 'w', project: 'p' }, { idempotency: claim('k1') });
    expect(later.key).not.toBe(first.key);
    now += IDEMPOTENCY_TTL_MS + 60_000;
    await backend.experiments.create(ANONYMOUS, { workspace: 'w', project: 'p' }, { idempotency: claim('k2') });
    const db = new Database(path.join(dir, 'trackql.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT idempotency_key FROM idempotency').pluck().all()).toEqual(['k2']);
    } finally {
      db.close();
    }
  });

  it('writes the record in the write transaction: a failed write leaves no record behind', async () => {
    const missing = backend.metrics.log(ANONYMOUS, 'no-such-experiment', [{ name: 'x', value: 1, step: 0 }], { idempotency: claim('k3') });
    await expect(missing).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const e = await backend.experiments.create(ANONYMOUS, { workspace: 'w', project: 'p' });
    // The same key now names another (successful) write: no stale record answers it.
    const status = await backend.metrics.log(ANONYMOUS, e.key, [{ name: 'x', value: 1, step: 0 }], { idempotency: { ...claim('k3'), operation: 'logMetrics' } });
    expect(status).toBe('ACCEPTED');
  });

  it('runs `once` work a single time per key, even when called concurrently', async () => {
    let runs = 0;
    const produce = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { url: `u${runs}` };
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => backend.once(ANONYMOUS, claim('k4'), produce)));
    expect(runs).toBe(1);
    expect(results).toEqual(Array(5).fill({ url: 'u1' }));
    await expect(backend.once(ANONYMOUS, claim('k4', 'other'), produce)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
