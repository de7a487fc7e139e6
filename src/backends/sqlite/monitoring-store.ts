/**
 * Writing prediction events (schema-008-monitoring.ts): events merged by prediction id, typed value rows, and
 * the per-minute rollups updated in the same transaction. Callers run `append` inside one write transaction:
 * any error (an unknown model version, a feature logged with another type) stores nothing.
 */
import { BadUserInputError } from '../../errors';
import { modelVersionNotFound, type FeatureSource, type FeatureValue, type FeatureValues, type ModelVersionRef } from '../port';
import { binEdges, binOf, binSql } from '../shared/drift';
import type { Db } from './db';

export const SOURCES: readonly FeatureSource[] = ['INPUT', 'OUTPUT', 'LABEL'];
export const Part = { production: 0, reference: 1 } as const;
export type PartId = (typeof Part)[keyof typeof Part];
const MINUTE = 60_000;

/** One event to store: all three groups may be empty; `predicted` when it is the prediction itself (not a label). */
export interface StoredEvent {
  predictionId: string;
  timestamp: number;
  predicted: boolean;
  groups: readonly [FeatureValues, FeatureValues, FeatureValues];
}

export interface FeatureRow {
  id: number;
  source: number;
  name: string;
  numerical: number;
  edges: string | null;
  edges_ref: number;
}

interface Series {
  id: number;
  numerical: boolean;
  edges: number[] | null;
}

/** The series of one write by name, per source (INPUT, OUTPUT, LABEL). */
type SeriesBySource = [Map<string, Series>, Map<string, Series>, Map<string, Series>];


/**
 * The per-minute rollups of one write, summed in memory and applied once at the end. Keyed by numbers in
 * nested maps, not by composed strings: this runs once per value written.
 */
class RollupDelta {
  /** part → minute → events */
  readonly counts = new Map<number, Map<number, number>>();
  /** series → minute → [count, sum] per bin, interleaved */
  readonly bins = new Map<number, Map<number, Float64Array>>();
  /** series → minute → category → count */
  readonly categories = new Map<number, Map<number, Map<string, number>>>();

  value(series: Series, ts: number, value: FeatureValue, sign: 1 | -1): void {
    const minute = Math.floor(ts / MINUTE);
    if (series.numerical) {
      const edges = series.edges as number[];
      let byMinute = this.bins.get(series.id);
      if (!byMinute) this.bins.set(series.id, (byMinute = new Map()));
      let cells = byMinute.get(minute);
      if (!cells) byMinute.set(minute, (cells = new Float64Array((edges.length - 1) * 2)));
      const bin = binOf(edges, value as number);
      cells[bin * 2] += sign;
      cells[bin * 2 + 1] += sign * (value as number);
    } else {
      let byMinute = this.categories.get(series.id);
      if (!byMinute) this.categories.set(series.id, (byMinute = new Map()));
      let cells = byMinute.get(minute);
      if (!cells) byMinute.set(minute, (cells = new Map()));
      const key = String(value);
      cells.set(key, (cells.get(key) ?? 0) + sign);
    }
  }

  event(part: PartId, ts: number, sign: 1 | -1): void {
    let byMinute = this.counts.get(part);
    if (!byMinute) this.counts.set(part, (byMinute = new Map()));
    const minute = Math.floor(ts / MINUTE);
    byMinute.set(minute, (byMinute.get(minute) ?? 0) + sign);
  }
}

export class MonitoringStore {
  readonly #db: Db;
  readonly #version;
  readonly #model;
  readonly #insertModel;
  readonly #feature;
  readonly #insertFeature;
  readonly #setEdges;
  readonly #series;
  readonly #insertSeries;
  readonly #seriesOfFeature;
  readonly #insertEvent;
  readonly #event;
  readonly #moveEvent;
  readonly #insertValue;
  readonly #value;
  readonly #updateValue;
  readonly #valuesOfEvent;
  readonly #deleteValue;
  readonly #addCount;
  readonly #addBin;
  readonly #addCategory;

  constructor(db: Db) {
    this.#db = db;
    this.#version = db.prepare<[string, string, string], string>(
      `SELECT v.id FROM model_versions v JOIN registered_models m ON m.id = v.model_id
       WHERE m.workspace = ? AND m.name = ? AND v.version = ?`).pluck();
    this.#model = db.prepare<[string], number>('SELECT id FROM mpm_models WHERE version_id = ?').pluck();
    this.#insertModel = db.prepare<[string]>('INSERT INTO mpm_models (version_id) VALUES (?)');
    this.#feature = db.prepare<[number, number, string], FeatureRow>('SELECT id, source, name, numerical, edges, edges_ref FROM mpm_features WHERE model = ? AND source = ? AND name = ?');
    this.#insertFeature = db.prepare<[number, number, string, number]>('INSERT INTO mpm_features (model, source, name, numerical) VALUES (?, ?, ?, ?)');
    this.#setEdges = db.prepare<[string, number, number]>('UPDATE mpm_features SET edges = ?, edges_ref = ? WHERE id = ?');
    this.#series = db.prepare<[number, number], number>('SELECT id FROM mpm_series WHERE feature = ? AND part = ?').pluck();
    this.#insertSeries = db.prepare<[number, number]>('INSERT INTO mpm_series (feature, part) VALUES (?, ?)');
    this.#seriesOfFeature = db.prepare<[number], number>('SELECT id FROM mpm_series WHERE feature = ?').pluck();
    this.#insertEvent = db.prepare<[number, number, string, number, number], number>(
      'INSERT INTO mpm_events (model, part, prediction_id, ts, predicted) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id').pluck();
    this.#event = db.prepare<[number, number, string], { id: number; ts: number; predicted: number }>(
      'SELECT id, ts, predicted FROM mpm_events WHERE model = ? AND part = ? AND prediction_id = ?');
    this.#moveEvent = db.prepare<[number, number]>('UPDATE mpm_events SET ts = ?, predicted = 1 WHERE id = ?');
    this.#insertValue = db.prepare<[number, number, number, number | null, string | null]>('INSERT INTO mpm_values (series, ts, event, num, txt) VALUES (?, ?, ?, ?, ?)');
    this.#value = db.prepare<[number, number, number], { num: number | null; txt: string | null }>('SELECT num, txt FROM mpm_values WHERE series = ? AND ts = ? AND event = ?');
    this.#updateValue = db.prepare<[number | null, string | null, number, number, number]>('UPDATE mpm_values SET num = ?, txt = ? WHERE series = ? AND ts = ? AND event = ?');
    this.#valuesOfEvent = db.prepare<[number, number, number, number], { series: number; num: number | null; txt: string | null }>(
      `SELECT v.series, v.num, v.txt FROM mpm_values v JOIN mpm_series s ON s.id = v.series JOIN mpm_features f ON f.id = s.feature
       WHERE f.model = ? AND s.part = ? AND v.ts = ? AND v.event = ?`);
    this.#deleteValue = db.prepare<[number, number, number]>('DELETE FROM mpm_values WHERE series = ? AND ts = ? AND event = ?');
    this.#addCount = db.prepare<[number, number, number, number]>(
      'INSERT INTO mpm_counts (model, part, minute, count) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count');
    this.#addBin = db.prepare<[number, number, number, number, number]>(
      'INSERT INTO mpm_bins (series, minute, bin, count, sum) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum');
    this.#addCategory = db.prepare<[number, number, string, number]>(
      'INSERT INTO mpm_categories (series, minute, value, count) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count');
  }

  /** The model version's monitoring id; NOT_FOUND when the version is not registered. `create` adds its row. */
  modelId(ref: ModelVersionRef, create: boolean): number | null {
    const versionId = this.#version.get(ref.workspace, ref.modelName, ref.version);
    if (versionId === undefined) throw modelVersionNotFound(ref);
    const id = this.#model.get(versionId);
    if (id !== undefined) return id;
    if (!create) return null;
    return Number(this.#insertModel.run(versionId).lastInsertRowid);
  }

  /** Stores `events` of one part, merging by prediction id. */
  append(model: number, part: PartId, events: readonly StoredEvent[]): void {
    const series = this.#resolveSeries(model, part, events);
    const delta = new RollupDelta();
    for (const e of events) {
      const id = this.#insertEvent.get(model, part, e.predictionId, e.timestamp, e.predicted ? 1 : 0);
      if (id !== undefined) {
        if (e.predicted) delta.event(part, e.timestamp, 1);
        this.#eachValue(e, series, (s, value) => {
          this.#insertValue.run(s.id, e.timestamp, id, s.numerical ? (value as number) : null, s.numerical ? null : String(value));
          delta.value(s, e.timestamp, value, 1);
        });
        continue;
      }
      this.#merge(model, part, e, series, delta);
    }
    this.#applyDelta(model, delta);
  }

  /** An event whose id is known: new fields added, changed ones replaced, equal ones left (an exact duplicate writes nothing). */
  #merge(model: number, part: PartId, e: StoredEvent, series: SeriesBySource, delta: RollupDelta): void {
    const stored = this.#event.get(model, part, e.predictionId) as { id: number; ts: number; predicted: number };
    let ts = stored.ts;
    if (e.predicted && stored.predicted === 0) {
      // Its label came first: the event takes the prediction's time, and its rows move with it.
      const bySeries = new Map(series.flatMap((m) => [...m.values()]).map((s) => [s.id, s]));
      for (const row of this.#valuesOfEvent.all(model, part, stored.ts, stored.id)) {
        const s = bySeries.get(row.series) ?? this.#seriesById(row.series);
        const value = row.num ?? (row.txt as string);
        this.#deleteValue.run(row.series, stored.ts, stored.id);
        delta.value(s, stored.ts, value, -1);
        this.#insertValue.run(row.series, e.timestamp, stored.id, row.num, row.txt);
        delta.value(s, e.timestamp, value, 1);
      }
      this.#moveEvent.run(e.timestamp, stored.id);
      delta.event(part, e.timestamp, 1);
      ts = e.timestamp;
    }
    this.#eachValue(e, series, (s, value) => {
      const num = s.numerical ? (value as number) : null;
      const txt = s.numerical ? null : String(value);
      const old = this.#value.get(s.id, ts, stored.id);
      if (old === undefined) {
        this.#insertValue.run(s.id, ts, stored.id, num, txt);
        delta.value(s, ts, value, 1);
      } else if (old.num !== num || old.txt !== txt) {
        this.#updateValue.run(num, txt, s.id, ts, stored.id);
        delta.value(s, ts, old.num ?? (old.txt as string), -1);
        delta.value(s, ts, value, 1);
      }
    });
  }

  #eachValue(e: StoredEvent, series: SeriesBySource, fn: (s: Series, value: FeatureValue) => void): void {
    for (let source = 0; source < 3; source += 1) {
      const group = e.groups[source];
      const bySource = series[source];
      for (const name in group) fn(bySource.get(name) as Series, group[name]);
    }
  }

  #seriesById(id: number): Series {
    const row = this.#db.prepare<[number], FeatureRow>(
      'SELECT f.id, f.source, f.name, f.numerical, f.edges, f.edges_ref FROM mpm_series s JOIN mpm_features f ON f.id = s.feature WHERE s.id = ?').get(id) as FeatureRow;
    return { id, numerical: row.numerical === 1, edges: row.edges === null ? null : (JSON.parse(row.edges) as number[]) };
  }

  /**
   * Every feature of the batch, created at first sight with its type, checked against it otherwise, and with
   * bin edges: a numerical feature without edges gets them from this batch; reference data replaces edges
   * fixed from production values (and the production rollups are rebuilt under the new edges).
   */
  #resolveSeries(model: number, part: PartId, events: readonly StoredEvent[]): SeriesBySource {
    interface Seen { row: FeatureRow; numerical: boolean; needsEdges: boolean; values: number[] }
    const seen = new Map<string, Seen>();
    events.forEach((e, i) => e.groups.forEach((group, source) => {
      for (const name in group) {
        const value = group[name];
        const numerical = typeof value === 'number';
        const key = `${source}\u0000${name}`;
        let entry = seen.get(key);
        if (!entry) seen.set(key, (entry = this.#featureOf(model, part, source, name, numerical, i)));
        if (entry.numerical !== numerical) throw typeConflict(i, source, name, entry.numerical);
        // Values are kept only where they fix bin edges: a feature's first batch, or reference data.
        if (entry.needsEdges) entry.values.push(value as number);
      }
    }));
    const out: SeriesBySource = [new Map(), new Map(), new Map()];
    for (const { row, numerical, needsEdges, values } of seen.values()) {
      let edges = row.edges === null ? null : (JSON.parse(row.edges) as number[]);
      if (needsEdges) {
        const rebuild = edges !== null;
        edges = binEdges(values);
        this.#setEdges.run(JSON.stringify(edges), part === Part.reference ? 1 : 0, row.id);
        if (rebuild) this.#rebuildBins(row.id, edges);
      }
      let id = this.#series.get(row.id, part);
      if (id === undefined) id = Number(this.#insertSeries.run(row.id, part).lastInsertRowid);
      out[row.source].set(row.name, { id, numerical, edges });
    }
    return out;
  }

  /** A feature's row, created at first sight with its type; BAD_USER_INPUT when logged with another type before. */
  #featureOf(model: number, part: PartId, source: number, name: string, numerical: boolean, index: number) {
    let row = this.#feature.get(model, source, name);
    if (row === undefined) {
      this.#insertFeature.run(model, source, name, numerical ? 1 : 0);
      row = this.#feature.get(model, source, name) as FeatureRow;
    }
    if ((row.numerical === 1) !== numerical) throw typeConflict(index, source, name, row.numerical === 1);
    const needsEdges = numerical && (row.edges === null || (part === Part.reference && row.edges_ref === 0));
    return { row, numerical, needsEdges, values: [] as number[] };
  }

  #rebuildBins(feature: number, edges: readonly number[]): void {
    for (const series of this.#seriesOfFeature.all(feature)) {
      this.#db.prepare('DELETE FROM mpm_bins WHERE series = ?').run(series);
      this.#db.prepare(
        `INSERT INTO mpm_bins (series, minute, bin, count, sum)
         SELECT series, ts / ${MINUTE}, ${binSql(edges, 'num')} AS bin, count(*), sum(num) FROM mpm_values WHERE series = ? GROUP BY 2, 3`).run(series);
    }
  }

  #applyDelta(model: number, delta: RollupDelta): void {
    for (const [part, byMinute] of delta.counts) {
      for (const [minute, count] of byMinute) if (count !== 0) this.#addCount.run(model, part, minute, count);
    }
    for (const [series, byMinute] of delta.bins) {
      for (const [minute, cells] of byMinute) {
        for (let bin = 0; bin < cells.length / 2; bin += 1) if (cells[bin * 2] !== 0) this.#addBin.run(series, minute, bin, cells[bin * 2], cells[bin * 2 + 1]);
      }
    }
    for (const [series, byMinute] of delta.categories) {
      for (const [minute, cells] of byMinute) for (const [value, count] of cells) if (count !== 0) this.#addCategory.run(series, minute, value, count);
    }
  }
}

function typeConflict(index: number | null, source: number, name: string, numerical: boolean): BadUserInputError {
  const field = `${['features', 'prediction', 'labels'][source]}.${name}`;
  const where = index === null ? field : `events[${index}].${field}`;
  return new BadUserInputError(
    `${where} must be ${numerical ? 'a number' : 'a string or boolean'}: the feature is ${numerical ? 'numerical' : 'categorical'} (its type is fixed when first logged)`,
    { field },
  );
}
