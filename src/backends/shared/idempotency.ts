/**
 * What both backends share to make writes idempotent (see `IdempotencyClaim` in port.ts): comparing a
 * stored record with a retry, encoding results, and serializing the calls that carry the same key.
 */
import { BadUserInputError } from '../../errors';
import type { IdempotencyClaim } from '../port';

/** A stored idempotency record, as both backends keep it. */
export interface IdempotencyRecord {
  readonly operation: string;
  readonly payloadHash: string;
  readonly resultJson: string;
}

/** JSON of a write's result; `undefined` (a void write) is stored as null. */
export function encodeResult(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/**
 * The recorded result for a retry, or BAD_USER_INPUT when the key was used for another request: answering
 * the first request's result to a different one would hide that the second was never stored.
 */
export function replay<T>(record: IdempotencyRecord, claim: IdempotencyClaim): T {
  if (record.operation !== claim.operation || record.payloadHash !== claim.payloadHash) {
    const what = record.operation === claim.operation ? 'another payload' : `${record.operation}`;
    throw new BadUserInputError(
      `idempotencyKey '${claim.key.slice(0, 64)}' was already used with ${what}: use a new key for a different request`,
      { field: 'idempotencyKey', reason: 'IDEMPOTENCY_KEY_REUSED' },
    );
  }
  claim.onReplay?.();
  return JSON.parse(record.resultJson) as T;
}

/** The scope of a record: one API key's idempotency keys never meet another's. */
export function scopeOf(keyId: string, claim: IdempotencyClaim): string {
  return `${keyId}\u0000${claim.key}`;
}

/**
 * Runs async work one call at a time per key. Two calls with one idempotency key in flight at once would
 * both find no record and both write; the second waits here and then finds the first one's record.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    try {
      await previous;
      return await work();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key); // nobody queued behind: forget the key
    }
  }
}
