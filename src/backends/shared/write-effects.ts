/**
 * Work that must commit with a write: a caller (the notification outbox, src/notify/) wraps a port write in
 * `withWriteEffect`, and a backend with transactions runs the effect inside the write's own transaction,
 * handing it the database and the value the port method resolves with. A backend without transactions (Comet)
 * never runs it; the caller sees `ran === false` and does the work right after the write instead.
 *
 * AsyncLocalStorage carries the effect through the awaits between the service and the store (the access
 * policy reads before it writes), so concurrent requests never see each other's effects.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';

export interface WriteEffect<R> {
  /** Runs inside the transaction; throwing rolls the write back. */
  run(db: Database.Database, result: R): void;
  /** Set once the effect has run (committed with the write if the write commits). */
  ran: boolean;
}

const current = new AsyncLocalStorage<WriteEffect<unknown>>();

/** Calls `write` with `effect` attached to the first transactional write it makes. */
export function withWriteEffect<R>(effect: WriteEffect<R>, write: () => Promise<R>): Promise<R> {
  return current.run(effect as WriteEffect<unknown>, write);
}

/** For backends: run the pending effect, if any, inside the open transaction (once per wrapped write). */
export function runWriteEffect(db: Database.Database, result: unknown): void {
  const effect = current.getStore();
  if (!effect || effect.ran) return;
  effect.run(db, result);
  effect.ran = true;
}
