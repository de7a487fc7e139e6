/**
 * Schema version 10: the second rollup level, spans of SPAN_BLOCKS blocks (metric-blocks.ts), so a sample
 * of a long series buckets about a sixteenth of the rows. The table is filled from the stored blocks, folded
 * with the same rules as on write (the earliest point holding the extreme wins a tie).
 */
import type { Db } from './db';
import { decodeValue, encodeValue } from './codec';
import { SPAN_BLOCKS } from './metric-blocks';
import { mergeExtremes, type SeriesExtremes, type SeriesPoint } from './series-order';

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

type Row = [metricId: number, block: number, count: number, ...point: (number | null)[]];

const pointAt = (row: Row, at: number): SeriesPoint => ({
  value: decodeValue(row[at] as number | null), step: row[at + 1] as number, timestamp: row[at + 2] as number, seq: row[at + 3] as number,
});
const params = (p: SeriesPoint) => [encodeValue(p.value), p.step, p.timestamp, p.seq];

export function addMetricSpans(db: Db): void {
  db.exec(SCHEMA_010_METRIC_SPANS);
  const insert = db.prepare('INSERT INTO metric_spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const blocksOf = db.prepare<[number], Row>(
    `SELECT metric_id, block, count, min_value, min_step, min_timestamp, min_seq, max_value, max_step, max_timestamp, max_seq
     FROM metric_blocks WHERE metric_id = ? ORDER BY block`,
  ).raw();
  // One series at a time (a connection cannot write while it iterates): its blocks come in block order, so
  // each span's blocks are consecutive and fold in one pass.
  for (const metricId of db.prepare<[], number>('SELECT id FROM metrics ORDER BY id').pluck().all()) {
    let span: number | null = null;
    let folded: SeriesExtremes | null = null;
    const flush = () => {
      if (span !== null && folded !== null) insert.run(metricId, span, folded.count, ...params(folded.min), ...params(folded.max));
    };
    for (const row of blocksOf.all(metricId)) {
      const rowSpan = Math.floor(row[1] / SPAN_BLOCKS);
      const extremes: SeriesExtremes = { count: row[2], min: pointAt(row, 3), max: pointAt(row, 7) };
      if (rowSpan === span) {
        folded = mergeExtremes(folded as SeriesExtremes, extremes);
        continue;
      }
      flush();
      span = rowSpan;
      folded = extremes;
    }
    flush();
  }
}
