/** Per-experiment key/value data: parameters, `log_other` entries and tags. */
import type { Other, Parameter } from '../port';
import { numericValue } from './codec';
import type { Db } from './db';
import { requireName, requireNames, requireString } from './validate';

interface KeyedRow {
  experiment_key: string;
}

/** Groups rows by experiment key, answering one list per key in key order ([] when none). */
function groupByKey<R extends KeyedRow, T>(keys: readonly string[], rows: readonly R[], map: (row: R) => T): T[][] {
  const byKey = new Map<string, T[]>();
  for (const row of rows) {
    const list = byKey.get(row.experiment_key) ?? [];
    list.push(map(row));
    byKey.set(row.experiment_key, list);
  }
  // A fresh array per slot: a key asked twice must not share one mutable list.
  return keys.map((key) => [...(byKey.get(key) ?? [])]);
}

export class AttributeStore {
  readonly #setParam;
  readonly #params;
  readonly #setOther;
  readonly #others;
  readonly #addTag;
  readonly #removeTag;
  readonly #tags;

  constructor(db: Db) {
    this.#setParam = db.prepare(
      `INSERT INTO parameters (experiment_key, name, value, value_num) VALUES (?, ?, ?, ?)
       ON CONFLICT (experiment_key, name) DO UPDATE SET value = excluded.value, value_num = excluded.value_num`,
    );
    this.#params = db.prepare<[string], KeyedRow & Parameter>(
      `SELECT experiment_key, name, value FROM parameters
       WHERE experiment_key IN (SELECT value FROM json_each(?)) ORDER BY experiment_key, name`,
    );
    this.#setOther = db.prepare(
      `INSERT INTO others (experiment_key, key, value) VALUES (?, ?, ?)
       ON CONFLICT (experiment_key, key) DO UPDATE SET value = excluded.value`,
    );
    this.#others = db.prepare<[string], KeyedRow & Other>(
      `SELECT experiment_key, key, value FROM others
       WHERE experiment_key IN (SELECT value FROM json_each(?)) ORDER BY experiment_key, key`,
    );
    this.#addTag = db.prepare('INSERT INTO tags (experiment_key, tag) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.#removeTag = db.prepare('DELETE FROM tags WHERE experiment_key = ? AND tag = ?');
    this.#tags = db.prepare<[string], KeyedRow & { tag: string }>(
      `SELECT experiment_key, tag FROM tags
       WHERE experiment_key IN (SELECT value FROM json_each(?)) ORDER BY experiment_key, tag`,
    );
  }

  /** Validates every parameter before writing any (the caller holds the transaction). */
  setParameters(key: string, params: readonly Parameter[]): void {
    const checked = params.map((param) => ({
      name: requireName('parameter name', param.name),
      value: requireString(`value of parameter '${String(param.name)}'`, param.value),
    }));
    for (const { name, value } of checked) this.#setParam.run(key, name, value, numericValue(value));
  }

  getParameters(keys: readonly string[]): Parameter[][] {
    return groupByKey(keys, this.#params.all(JSON.stringify(keys)), ({ name, value }) => ({ name, value }));
  }

  setOthers(key: string, others: readonly Other[]): void {
    const checked = others.map((other) => ({
      key: requireName('other key', other.key),
      value: requireString(`value of other '${String(other.key)}'`, other.value),
    }));
    for (const other of checked) this.#setOther.run(key, other.key, other.value);
  }

  getOthers(keys: readonly string[]): Other[][] {
    return groupByKey(keys, this.#others.all(JSON.stringify(keys)), (row) => ({ key: row.key, value: row.value }));
  }

  addTags(key: string, tags: readonly string[]): void {
    for (const tag of requireNames('tag', tags)) this.#addTag.run(key, tag);
  }

  removeTags(key: string, tags: readonly string[]): void {
    for (const tag of requireNames('tag', tags)) this.#removeTag.run(key, tag);
  }

  getTags(keys: readonly string[]): string[][] {
    return groupByKey(keys, this.#tags.all(JSON.stringify(keys)), (row) => row.tag);
  }
}
