/**
 * Metric writes and summaries. A batch is appended point by point through one cached statement, while the
 * series summary and block rollups are folded in JS and written once per metric (and once per touched
 * block), not once per point. The caller holds the transaction, so points, summaries and rollups commit
 * together.
 */
import type { MetricSummary } from '../port';
import { decodeValue, encodeValue } from './codec';
import type { Db } from './db';
import { BlockStore, blockOf } from './metric-blocks';
import type { ValidPoint } from './metric-input';
import { PointInserter } from './point-inserter';
import {
  aggregateOf,
  foldExtremes,
  foldPoint,
  mergeAggregates,
  type SeriesAggregate,
  type SeriesExtremes,
  type SeriesPoint,
} from './series-order';

export interface MetricRow {
  id: number;
  experiment_key: string;
  name: string;
  /** '' for the default context. */
  context: string;
  next_seq: number;
  count: number;
  last_value: number | null;
  last_step: number;
  last_timestamp: number;
  last_seq: number;
  min_value: number | null;
  min_step: number;
  min_timestamp: number;
  min_seq: number;
  max_value: number | null;
  max_step: number;
  max_timestamp: number;
  max_seq: number;
}

const point = (value: number | null, step: number, timestamp: number, seq: number): SeriesPoint => ({
  value: decodeValue(value),
  step,
  timestamp,
  seq,
});

/** The stored summary of a series that has points (every metrics row does: rows are created with points). */
function storedAggregate(row: MetricRow): SeriesAggregate | null {
  if (row.count === 0) return null;
  return {
    count: row.count,
    last: point(row.last_value, row.last_step, row.last_timestamp, row.last_seq),
    min: point(row.min_value, row.min_step, row.min_timestamp, row.min_seq),
    max: point(row.max_value, row.max_step, row.max_timestamp, row.max_seq),
  };
}

export function toSummary(row: MetricRow): MetricSummary {
  return {
    experimentKey: row.experiment_key,
    name: row.name,
    context: row.context === '' ? null : row.context,
    last: decodeValue(row.last_value),
    min: decodeValue(row.min_value),
    max: decodeValue(row.max_value),
    count: row.count,
    lastStep: row.last_step,
    minStep: row.min_step,
    maxStep: row.max_step,
    lastTimestamp: row.last_timestamp,
  };
}

const SUMMARY_SQL = 'SELECT * FROM metrics WHERE experiment_key IN (SELECT value FROM json_each(?))';

export class MetricStore {
  readonly #blocks: BlockStore;
  readonly #row;
  readonly #createRow;
  readonly #points: PointInserter;
  readonly #saveSummary;
  readonly #summaries;
  readonly #namedSummaries;

  constructor(db: Db, blocks: BlockStore) {
    this.#blocks = blocks;
    this.#row = db.prepare<[string, string, string], MetricRow>(
      'SELECT * FROM metrics WHERE experiment_key = ? AND name = ? AND context = ?',
    );
    this.#createRow = db.prepare<[string, string, string], MetricRow>(
      'INSERT INTO metrics (experiment_key, name, context) VALUES (?, ?, ?) RETURNING *',
    );
    this.#points = new PointInserter(db);
    this.#saveSummary = db.prepare(
      `UPDATE metrics SET next_seq = @nextSeq, count = @count,
         last_value = @lastValue, last_step = @lastStep, last_timestamp = @lastTimestamp, last_seq = @lastSeq,
         min_value = @minValue, min_step = @minStep, min_timestamp = @minTimestamp, min_seq = @minSeq,
         max_value = @maxValue, max_step = @maxStep, max_timestamp = @maxTimestamp, max_seq = @maxSeq
       WHERE id = @id`,
    );
    this.#summaries = db.prepare<[string], MetricRow>(`${SUMMARY_SQL} ORDER BY experiment_key, name, context`);
    this.#namedSummaries = db.prepare<[string, string], MetricRow>(
      `${SUMMARY_SQL} AND name IN (SELECT value FROM json_each(?)) ORDER BY experiment_key, name, context`,
    );
  }

  /** Appends validated points to an existing experiment's series (inside the caller's transaction). */
  append(experimentKey: string, points: readonly ValidPoint[]): void {
    try {
      for (const series of groupBySeries(points)) {
        const { name, context } = series[0];
        const stored = context ?? '';
        const row = this.#row.get(experimentKey, name, stored) ?? (this.#createRow.get(experimentKey, name, stored) as MetricRow);
        this.#appendSeries(row, series);
      }
      this.#points.flush();
    } finally {
      // A failed batch rolls back with the caller's transaction: rows still held must not reach the next one.
      this.#points.discard();
    }
  }

  #appendSeries(row: MetricRow, series: readonly ValidPoint[]): void {
    let batch: SeriesAggregate | null = null;
    const blocks = new Map<number, SeriesExtremes>();
    let seq = row.next_seq;
    for (const input of series) {
      const stored: SeriesPoint = { step: input.step, timestamp: input.timestamp, seq, value: input.value };
      this.#points.add(row.id, input.step, input.timestamp, seq, encodeValue(input.value), input.epoch, input.context);
      seq += 1;
      if (batch === null) batch = aggregateOf(stored);
      else foldPoint(batch, stored);
      const block = blockOf(input.step);
      const extremes = blocks.get(block);
      if (extremes === undefined) blocks.set(block, { count: 1, min: stored, max: stored });
      else foldExtremes(extremes, stored);
    }
    if (batch === null) return;
    const previous = storedAggregate(row);
    const merged = previous === null ? batch : mergeAggregates(previous, batch);
    this.#saveSummary.run({
      id: row.id,
      nextSeq: seq,
      count: merged.count,
      ...pointColumns('last', merged.last),
      ...pointColumns('min', merged.min),
      ...pointColumns('max', merged.max),
    });
    this.#blocks.merge(row.id, blocks);
  }

  /** Summaries per experiment key, in key order, each list ordered by metric name then context. */
  getSummaries(keys: readonly string[], names?: readonly string[] | null): MetricSummary[][] {
    const rows = names
      ? this.#namedSummaries.all(JSON.stringify(keys), JSON.stringify(names.map((name) => name.trim())))
      : this.#summaries.all(JSON.stringify(keys));
    const byKey = new Map<string, MetricSummary[]>();
    for (const row of rows) {
      const list = byKey.get(row.experiment_key) ?? [];
      list.push(toSummary(row));
      byKey.set(row.experiment_key, list);
    }
    return keys.map((key) => [...(byKey.get(key) ?? [])]);
  }
}

/** Points grouped by series, (name, context), each group in logging order. */
function groupBySeries(points: readonly ValidPoint[]): IterableIterator<ValidPoint[]> {
  const groups = new Map<string, ValidPoint[]>();
  for (const input of points) {
    const id = input.context === null ? input.name : `${input.name}\u0000${input.context}`;
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [input]);
    else group.push(input);
  }
  return groups.values();
}

type Prefix = 'last' | 'min' | 'max';

function pointColumns(prefix: Prefix, stored: SeriesPoint): Record<string, number | null> {
  return {
    [`${prefix}Value`]: encodeValue(stored.value),
    [`${prefix}Step`]: stored.step,
    [`${prefix}Timestamp`]: stored.timestamp,
    [`${prefix}Seq`]: stored.seq,
  };
}
