/**
 * Writing prediction events (schema-007-monitoring.ts): events merged by prediction id, typed value rows, and
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


/** The per-minute rollups of one write, summed in memory and applied once at the end. */
class RollupDelta {
  readonly counts = new Map<string, number>();
  readonly bins = new Map<string, { count: number; sum: number }>();
  readonly categories = new Map<string, number>();

  value(series: Series, ts: number, value: FeatureValue, sign: 1 | -1): void {
    const minute = Math.floor(ts / MINUTE);
    if (series.numerical) {
      const bin = binOf(series.edges as number[], value as number);
      const key = `${series.id}:${minute}:${bin}`;
      const cell = this.bins.get(key) ?? { count: 0, sum: 0 };
      cell.count += sign;
      cell.sum += sign * (value as number);
      this.bins.set(key, cell);
    } else {
      const key = `${series.id}:${minute}:${String(value)}`;
      this.categories.set(key, (this.categories.get(key) ?? 0) + sign);
    }
  }

  event(part: PartId, ts: number, sign: 1 | -1): void {
    const key = `${part}:${Math.floor(ts / MINUTE)}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + sign);
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
  #merge(model: number, part: PartId, e: StoredEvent, series: Map<string, Series>, delta: RollupDelta): void {
    const stored = this.#event.get(model, part, e.predictionId) as { id: number; ts: number; predicted: number };
    let ts = stored.ts;
    if (e.predicted && stored.predicted === 0) {
      // Its label came first: the event takes the prediction's time, and its rows move with it.
      const bySeries = new Map([...series.values()].map((s) => [s.id, s]));
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

  #eachValue(e: StoredEvent, series: Map<string, Series>, fn: (s: Series, value: FeatureValue) => void): void {
    e.groups.forEach((group, source) => {
      for (const [name, value] of Object.entries(group)) fn(series.get(`${source}\u0000${name}`) as Series, value);
    });
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
  #resolveSeries(model: number, part: PartId, events: readonly StoredEvent[]): Map<string, Series> {
    const seen = new Map<string, { source: number; name: string; numerical: boolean; values: number[] }>();
    events.forEach((e, i) => e.groups.forEach((group, source) => {
      for (const [name, value] of Object.entries(group)) {
        const key = `${source}\u0000${name}`;
        const numerical = typeof value === 'number';
        const entry = seen.get(key) ?? { source, name, numerical, values: [] };
        if (entry.numerical !== numerical) throw typeConflict(i, source, name, entry.numerical);
        if (numerical) entry.values.push(value);
        seen.set(key, entry);
      }
    }));
    const out = new Map<string, Series>();
    for (const [key, entry] of seen) {
      let row = this.#feature.get(model, entry.source, entry.name);
      if (row === undefined) {
        this.#insertFeature.run(model, entry.source, entry.name, entry.numerical ? 1 : 0);
        row = this.#feature.get(model, entry.source, entry.name) as FeatureRow;
      }
      if ((row.numerical === 1) !== entry.numerical) throw typeConflict(null, entry.source, entry.name, row.numerical === 1);
      let edges = row.edges === null ? null : (JSON.parse(row.edges) as number[]);
      if (entry.numerical && (edges === null || (part === Part.reference && row.edges_ref === 0))) {
        const rebuild = edges !== null;
        edges = binEdges(entry.values);
        this.#setEdges.run(JSON.stringify(edges), part === Part.reference ? 1 : 0, row.id);
        if (rebuild) this.#rebuildBins(row.id, edges);
      }
      let id = this.#series.get(row.id, part);
      if (id === undefined) id = Number(this.#insertSeries.run(row.id, part).lastInsertRowid);
      out.set(key, { id, numerical: entry.numerical, edges });
    }
    return out;
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
    for (const [key, count] of delta.counts) {
      const [part, minute] = key.split(':').map(Number);
      if (count !== 0) this.#addCount.run(model, part, minute, count);
    }
    for (const [key, cell] of delta.bins) {
      const [series, minute, bin] = key.split(':').map(Number);
      if (cell.count !== 0) this.#addBin.run(series, minute, bin, cell.count, cell.sum);
    }
    for (const [key, count] of delta.categories) {
      const first = key.indexOf(':');
      const second = key.indexOf(':', first + 1);
      if (count !== 0) this.#addCategory.run(Number(key.slice(0, first)), Number(key.slice(first + 1, second)), key.slice(second + 1), count);
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
