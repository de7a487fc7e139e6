/**
 * Schema version 10: the second rollup level, spans of SPAN_BLOCKS blocks (metric-blocks.ts), so a sample
 * of a long series buckets about a sixteenth of the rows. The table is filled from the stored blocks, folded
 * with the same rules as on write (the earliest point holding the extreme wins a tie).
 */
import type { Db } from './db';
import { BlockStore } from './metric-blocks';

const SCHEMA_010_METRIC_SPANS = `
CREATE TABLE metric_spans (
  metric_id      INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,
  span           INTEGER NOT NULL,
  count          INTEGER NOT NULL,
  min_value      REAL,
  min_step       INTEGER NOT NULL,
  min_timestamp  INTEGER NOT NULL,
  min_seq        INTEGER NOT NULL,
  max_value      REAL,
  max_step       INTEGER NOT NULL,
  max_timestamp  INTEGER NOT NULL,
  max_seq        INTEGER NOT NULL,
  PRIMARY KEY (metric_id, span)
) STRICT, WITHOUT ROWID;
`;

export function addMetricSpans(db: Db): void {
  db.exec(SCHEMA_010_METRIC_SPANS);
  const rollups = new BlockStore(db);
  // One series at a time: its blocks are read whole, then its spans written (a connection cannot write while it iterates).
  for (const metricId of db.prepare<[], number>('SELECT id FROM metrics ORDER BY id').pluck().all()) rollups.fillSpans(metricId);
}
