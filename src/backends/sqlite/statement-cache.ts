/**
 * Prepared statements for SQL built at run time (filter trees). The same query shapes come back again and
 * again (a dashboard re-runs its filter), so the compiled statement is kept, keyed by its text; values are
 * always bound parameters, so the text never contains user data and the cache cannot grow per user value.
 */
import type Database from 'better-sqlite3';
import type { Db } from './db';

/** Distinct query shapes kept; the least recently used is dropped beyond this. */
export const STATEMENT_CACHE_SIZE = 200;

type Statement = Database.Statement<unknown[], unknown>;

export class StatementCache {
  readonly #db: Db;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Db) {
    this.#db = db;
  }

  get(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql); // re-insert: Map order is our recency order
    } else {
      statement = this.#db.prepare<unknown[], unknown>(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }
}
