/**
 * One raw writer of the ingestion baseline, in a worker thread: the same rows TrackQL would store, inserted into
 * the same `metric_points` table with one prepared statement, one transaction per batch. Several run at once
 * for a multi-writer configuration, each on its own connection, as TrackQL's writers each log their own run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Job {
  dbFile: string;
  experimentKey: string;
  batch: number;
  points: number;
  metrics: number;
}

const job = workerData as Job;
const db = new Database(job.dbFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 10000');
const ids = db.prepare('SELECT name, id FROM metrics WHERE experiment_key = ?').all(job.experimentKey) as { name: string; id: number }[];
const idOf = new Map(ids.map((r) => [r.name, r.id]));
const insert = db.prepare('INSERT INTO metric_points (metric_id, step, timestamp, seq, value, epoch, context) VALUES (?, ?, ?, ?, ?, NULL, NULL)');
const write = db.transaction((offset: number) => {
  for (let i = 0; i < job.batch; i += 1) {
    const n = offset + i;
    insert.run(idOf.get(`m${n % job.metrics}`), Math.floor(n / job.metrics) + 1, 1_700_000_000_000 + n, n, Math.sin(n) * 100);
  }
});
parentPort?.once('message', () => {
  for (let offset = 0; offset < job.points; offset += job.batch) write.immediate(offset);
  db.close();
  parentPort?.postMessage('done');
});
parentPort?.postMessage('ready');
