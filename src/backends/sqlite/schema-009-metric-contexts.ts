/**
 * Schema version 9: metric contexts kept apart. A series is now one (experiment, metric name, context);
 * the default context, points logged without one, is the empty string. Rows that existed before move
 * into the default context whole, with their ids, so their points and block rollups stay attached.
 *
 * SQLite cannot change a table's UNIQUE constraint in place: the table is rebuilt (the procedure of
 * https://www.sqlite.org/lang_altertable.html#otheralter), which needs foreign keys off so dropping the old
 * table does not cascade to `metric_points` and `metric_blocks`. The migration runner turns them off
 * around this migration and checks every reference before it commits.
 */
export const SCHEMA_009_METRIC_CONTEXTS = `
CREATE TABLE metrics_by_context (
  id              INTEGER PRIMARY KEY,
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  context         TEXT NOT NULL DEFAULT '',
  next_seq        INTEGER NOT NULL DEFAULT 0,
  count           INTEGER NOT NULL DEFAULT 0,
  last_value      REAL,
  last_step       INTEGER,
  last_timestamp  INTEGER,
  last_seq        INTEGER,
  min_value       REAL,
  min_step        INTEGER,
  min_timestamp   INTEGER,
  min_seq         INTEGER,
  max_value       REAL,
  max_step        INTEGER,
  max_timestamp   INTEGER,
  max_seq         INTEGER,
  UNIQUE (experiment_key, name, context)
) STRICT;

INSERT INTO metrics_by_context (id, experiment_key, name, context, next_seq, count,
    last_value, last_step, last_timestamp, last_seq, min_value, min_step, min_timestamp, min_seq,
    max_value, max_step, max_timestamp, max_seq)
  SELECT id, experiment_key, name, '', next_seq, count,
    last_value, last_step, last_timestamp, last_seq, min_value, min_step, min_timestamp, min_seq,
    max_value, max_step, max_timestamp, max_seq
  FROM metrics;

DROP TABLE metrics;
ALTER TABLE metrics_by_context RENAME TO metrics;
`;
