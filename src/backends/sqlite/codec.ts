/**
 * Encodings between domain values and what SQLite stores: metric values (NaN as NULL), opaque cursors,
 * random ids, JSON columns.
 */
import { randomBytes } from 'node:crypto';
import { BadUserInputError } from '../../errors';

/** SQLite stores NaN as NULL; a metric value is otherwise never null, so NULL reads back as NaN. */
export function encodeValue(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

export function decodeValue(stored: number | null): number {
  return stored === null ? Number.NaN : stored;
}

/** Experiment keys look like Comet's: 32 lowercase hex characters. */
export const EXPERIMENT_KEY_BYTES = 16;
export const ENTITY_ID_BYTES = 12;

export function newExperimentKey(): string {
  return randomBytes(EXPERIMENT_KEY_BYTES).toString('hex');
}

export function newId(): string {
  return randomBytes(ENTITY_ID_BYTES).toString('hex');
}

// ---------------------------------------------------------------------------------------------------------
// Cursors: base64url of a small JSON tuple, prefixed with a kind so a cursor from one list is not taken by
// another. Opaque to clients; decoded here only.

export function encodeCursor(kind: string, parts: readonly number[]): string {
  return Buffer.from(JSON.stringify([kind, ...parts]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, arity: number): number[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== arity + 1 ||
    decoded[0] !== kind ||
    !decoded.slice(1).every((part) => Number.isSafeInteger(part))
  ) {
    throw new BadUserInputError(`Invalid cursor '${cursor}': pass a cursor returned by the same list`);
  }
  return decoded.slice(1) as number[];
}

const OFFSET_CURSOR_KIND = 'o';

/** Offset cursors for listings sorted by arbitrary keys: the cursor of item i says "continue at i + 1". */
export function offsetCursor(offset: number): string {
  return encodeCursor(OFFSET_CURSOR_KIND, [offset]);
}

export function decodeOffsetCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined) return 0;
  const [offset] = decodeCursor(OFFSET_CURSOR_KIND, cursor, 1);
  if (offset < 0) throw new BadUserInputError(`Invalid cursor '${cursor}': pass a cursor returned by the same list`);
  return offset;
}

// ---------------------------------------------------------------------------------------------------------

/** Numbers as Comet's UI compares them: a finite decimal literal, nothing looser (no hex, no blanks). */
const NUMERIC_LITERAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The numeric copy of a parameter value, or null when it is not a finite number. */
export function numericValue(value: string): number | null {
  if (!NUMERIC_LITERAL.test(value.trim())) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

export function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  const parsed: unknown = JSON.parse(text);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : null;
}

export function parseStringArray(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
}
