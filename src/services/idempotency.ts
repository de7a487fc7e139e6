/**
 * Idempotency keys of mutations (see `IdempotencyClaim` in port.ts). The claim is built here, from the
 * input as the client sent it: the payload hash must be the same for a retry of one request, so it is taken
 * before any default is filled in (points without a timestamp get the time they were received).
 */
import { createHash } from 'node:crypto';
import type { IdempotencyClaim, WriteOptions } from '../backends/port';
import { BadUserInputError } from '../errors';
import * as v from './validate';

/** Every mutation input: the key is optional. */
export interface IdempotentInput {
  idempotencyKey?: string | null;
}

/** The claim of one mutation call, or undefined when it carries no key. */
export function claimOf(operation: string, input: IdempotentInput): IdempotencyClaim | undefined {
  if (input.idempotencyKey == null) return undefined;
  const key = v.name(input.idempotencyKey, 'idempotencyKey');
  const { idempotencyKey: _key, ...payload } = input;
  return { key, operation, payloadHash: createHash('sha256').update(`${operation}\n${canonicalJson(payload)}`).digest('hex') };
}

/** JSON with the keys of every object sorted, so one input always gives one text whatever its key order. */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_name, item: unknown) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
      const record = item as Record<string, unknown>;
      return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
    });
  } catch (error) {
    // JSON.stringify recurses: a JSON value nested thousands deep overflows the stack.
    if (error instanceof RangeError) throw new BadUserInputError('The input is nested too deeply', { field: 'input' });
    throw error;
  }
}

/**
 * One write with an optional claim: `options` goes to the port, and `replayed` tells afterwards whether the
 * backend answered from the record, so the service skips what only a first call does (live events).
 */
export class Once {
  readonly options: WriteOptions | undefined;
  #replayed = false;

  constructor(claim: IdempotencyClaim | undefined) {
    this.options = claim && {
      idempotency: {
        ...claim,
        onReplay: () => {
          this.#replayed = true;
          claim.onReplay?.();
        },
      },
    };
  }

  get replayed(): boolean {
    return this.#replayed;
  }
}
