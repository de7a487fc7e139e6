/**
 * The outbox on disk: fan-out to subscribed endpoints only (event kind and filter), the lease that keeps two
 * connections (two replicas) from holding one delivery, settling only by the lease holder, and pruning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enqueueEvent } from '../../src/notify/outbox';
import { NotifyStore } from '../../src/notify/store';

describe('the notification store', () => {
  let dir: string;
  let a: NotifyStore;
  let b: NotifyStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trackql-notify-'));
    a = new NotifyStore(path.join(dir, 'notify.db'));
    b = new NotifyStore(path.join(dir, 'notify.db'));
  });
  afterEach(() => {
    a.close();
    b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hook = (events: string[], project: string | null = null) => a.insertWebhook({
    workspace: 'ml', url: 'http://127.0.0.1:9/h', events: JSON.stringify(events), description: null, filter_project: project, filter_model: null,
    active: 1, secret: 'sealed', created_at: 1,
  });
  const ended = (project: string) => ({ kind: 'EXPERIMENT_ENDED' as const, workspace: 'ml', project, modelName: null, data: { project } });

  it('queues one delivery per endpoint that takes the event and passes the filter, none for others', () => {
    const all = hook(['EXPERIMENT_ENDED']);
    const vision = hook(['EXPERIMENT_ENDED'], 'vision');
    hook(['EXPERIMENT_CREATED']);
    expect(enqueueEvent(a.db, ended('nlp'), 10)).toHaveLength(1);
    expect(enqueueEvent(a.db, ended('vision'), 10)).toHaveLength(2);
    expect(enqueueEvent(a.db, { ...ended('vision'), workspace: 'other' }, 10)).toEqual([]);
    expect(a.deliveries(all.id, 10, Number.MAX_SAFE_INTEGER).total).toBe(2);
    expect(a.deliveries(vision.id, 10, Number.MAX_SAFE_INTEGER).total).toBe(1);
  });

  it('leases a due delivery to one holder only, until the lease ends; only the holder settles it', () => {
    hook(['EXPERIMENT_ENDED']);
    enqueueEvent(a.db, ended('p'), 100);
    const [held] = a.claim('A', 100, 1100, 10);
    expect(held).toMatchObject({ status: 'PENDING', url: 'http://127.0.0.1:9/h', kind: 'EXPERIMENT_ENDED' });
    expect(b.claim('B', 500, 1500, 10)).toEqual([]);
    expect(b.settle('B', held.seq, { status: 'DELIVERED', responseStatus: 200, error: null, nextAttemptAt: null, now: 500 })).toBe(false);
    const [taken] = b.claim('B', 1200, 2200, 10); // A's lease ended: B may take it over
    expect(taken.id).toBe(held.id);
    expect(a.settle('A', held.seq, { status: 'DELIVERED', responseStatus: 200, error: null, nextAttemptAt: null, now: 1201 })).toBe(false);
    expect(b.settle('B', held.seq, { status: 'DELIVERED', responseStatus: 204, error: null, nextAttemptAt: null, now: 1300 })).toBe(true);
    expect(a.delivery(held.id)).toMatchObject({ status: 'DELIVERED', attempts: 1, response_status: 204, delivered_at: 1300 });
    expect(a.claim('A', 5000, 6000, 10)).toEqual([]);
  });

  it('prunes settled deliveries past retention and keeps waiting ones', () => {
    const w = hook(['EXPERIMENT_ENDED']);
    enqueueEvent(a.db, ended('p'), 100);
    enqueueEvent(a.db, ended('p'), 100);
    const [first] = a.claim('A', 100, 200, 1);
    a.settle('A', first.seq, { status: 'DELIVERED', responseStatus: 200, error: null, nextAttemptAt: null, now: 150 });
    expect(a.prune(1000)).toBe(1);
    expect(a.deliveries(w.id, 10, Number.MAX_SAFE_INTEGER).rows.map((r) => r.status)).toEqual(['PENDING']);
    expect(a.oldestPendingAt()).toBe(100);
  });
});
