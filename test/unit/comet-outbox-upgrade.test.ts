/**
 * An outbox file written before run steps and the five record states opens in place: its queued requests
 * and idempotency records are kept, and the new kinds and states can be stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { OUTBOX_FILE, Outbox } from '../../src/backends/comet/outbox';
import { SqliteRecords } from '../../src/backends/comet/records';
import { tempDataDir } from '../support/comet-backend';

// The tables as the first outbox files had them.
const OLD_SCHEMA = `
CREATE TABLE keys (ns TEXT PRIMARY KEY, api_key TEXT NOT NULL);
CREATE TABLE entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL, experiment_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('metric', 'parameter', 'other')), payload TEXT NOT NULL, created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT, ambiguous INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_lane ON entries (ns, experiment_key, id);
CREATE TABLE dead (id INTEGER PRIMARY KEY, ns TEXT NOT NULL, experiment_key TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
  created_at INTEGER NOT NULL, failed_at INTEGER NOT NULL, error TEXT NOT NULL);
CREATE TABLE idempotency (
  key_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, operation TEXT NOT NULL, payload_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done')), result_json TEXT NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, idempotency_key)
);`;

describe('comet outbox: files of earlier versions', () => {
  it('keeps their queued requests and records, and takes the new kinds and states', async () => {
    const dir = tempDataDir();
    try {
      const old = new Database(path.join(dir, OUTBOX_FILE));
      old.exec(OLD_SCHEMA);
      old.prepare("INSERT INTO keys VALUES ('ns', 'key')").run();
      old.prepare(`INSERT INTO entries (ns, experiment_key, kind, payload, created_at) VALUES ('ns', 'e1', 'metric', '[{"step":1}]', ?)`).run(Date.now());
      old.prepare(`INSERT INTO idempotency VALUES ('kid', 'k1', 'logMetrics', 'hash', 'done', '"QUEUED"', ?)`).run(Date.now());
      old.close();

      const outbox = new Outbox(dir);
      const records = new SqliteRecords(outbox);
      expect(outbox.head('ns', 'e1')).toMatchObject({ kind: 'metric', values: [{ step: 1 }], ambiguous: false });
      const [id] = outbox.append('ns', 'key', 'e1', [{ kind: 'tags', values: ['a'] }]);
      expect(outbox.laneSize('ns', 'e1')).toBe(2);
      outbox.bury(id, 'refused');
      expect(outbox.deadLetters('ns', 10, 0)).toMatchObject({ total: 1, rows: [{ id, kind: 'tags', size: 1, reason: 'refused' }] });

      const claim = { key: 'k1', operation: 'logMetrics', payloadHash: 'hash' };
      expect(await records.get('kid', claim)).toMatchObject({ state: 'done', resultJson: '"QUEUED"', progressJson: 'null' });
      await records.put('kid', { ...claim, key: 'k2' }, { state: 'pending', resultJson: 'null', progressJson: 'null' });
      expect(await records.update('kid', { ...claim, key: 'k2' }, { state: 'ambiguous' })).toMatchObject({ state: 'ambiguous' });
      outbox.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
