/**
 * Validation of untrusted mutation input, at one boundary, for both backends. Each check says what was
 * expected and what came, and names the offending item (`points[3].step`), so a client can fix its call.
 */
import { BadUserInputError, PayloadTooLargeError } from '../errors';

/** Longest accepted name of a workspace, project, metric, parameter, tag, other key or model. */
export const MAX_NAME_LENGTH = 255;
/** Longest accepted string value of a parameter, other or comment. */
export const MAX_VALUE_LENGTH = 64 * 1024;
/** Most items in one list argument other than metric points (parameters, tags, others). */
export const MAX_LIST_ITEMS = 1000;

/** Trims a name and checks it is non-empty, short enough and free of control characters. */
export function name(value: string, field: string, maxLength = MAX_NAME_LENGTH): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new BadUserInputError(`${field} must not be empty`, { field });
  if (trimmed.length > maxLength) {
    throw new BadUserInputError(`${field} must be at most ${maxLength} characters, got ${trimmed.length}`, { field });
  }
  // Control characters (NUL included) break logs, file systems and some upstreams.
  if (/\p{Cc}/u.test(trimmed)) throw new BadUserInputError(`${field} must not contain control characters`, { field });
  return trimmed;
}

export function optionalName(value: string | null | undefined, field: string): string | null {
  return value == null ? null : name(value, field);
}

/** A free-text value: length-limited, NUL-free. */
export function text(value: string, field: string, maxLength = MAX_VALUE_LENGTH): string {
  if (value.length > maxLength) {
    throw new BadUserInputError(`${field} must be at most ${maxLength} characters, got ${value.length}`, { field });
  }
  if (value.includes('\u0000')) throw new BadUserInputError(`${field} must not contain NUL characters`, { field });
  return value;
}

export function optionalText(value: string | null | undefined, field: string): string | null {
  return value == null ? null : text(value, field);
}

/** An experiment key as both backends issue them: 1–128 characters of letters, digits, `-` and `_`. */
export function experimentKey(value: string, field = 'experimentKey'): string {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(trimmed)) {
    throw new BadUserInputError(`${field} must be 1 to 128 letters, digits, '-' or '_', got '${trimmed.slice(0, 64)}'`, { field });
  }
  return trimmed;
}

export function list<T>(items: readonly T[], field: string, max = MAX_LIST_ITEMS): readonly T[] {
  if (items.length > max) {
    throw new PayloadTooLargeError(`${field} may hold at most ${max} items, got ${items.length}`, { field, max });
  }
  return items;
}

/** A non-negative safe integer (steps, epochs). */
/** `count`'s test alone, for loops that build the field name only when it fails. */
export function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

export function count(value: number, field: string): number {
  if (!isCount(value)) {
    throw new BadUserInputError(`${field} must be an integer >= 0, got ${value}`, { field });
  }
  return value;
}

/** A time in Unix ms between 1970 and 9999. */
/** `time`'s test alone. */
export function isTime(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value <= 253402300799999;
}

export function time(value: number, field: string): number {
  if (!isTime(value)) {
    throw new BadUserInputError(`${field} must be a time between 1970 and 9999`, { field });
  }
  return value;
}

/**
 * Parameter and other values: strings are kept, numbers and booleans take their string form (as Comet stores
 * them), lists and objects their JSON. Null is refused: remove the key instead.
 */
export function scalarValue(value: unknown, field: string): string {
  let out: string;
  if (typeof value === 'string') out = value;
  else if (typeof value === 'number' || typeof value === 'boolean') out = String(value);
  else if (value !== null && typeof value === 'object') out = JSON.stringify(value);
  else throw new BadUserInputError(`${field} must be a string, number, boolean, list or object, got null`, { field });
  return text(out, field);
}

/** Rejects duplicates in a list of names (after trimming), naming the first repeated one. */
export function unique(names: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new BadUserInputError(`${field} names '${n}' more than once`, { field });
    seen.add(n);
  }
}

/**
 * An asset file name: a relative path of plain segments. It is metadata only (bytes are stored by content
 * hash), but it is echoed in `Content-Disposition` and may be used by clients to write files, so refuse
 * anything that could escape a folder.
 */
export function fileName(value: string, field = 'fileName'): string {
  const trimmed = name(value, field, 1024);
  const segments = trimmed.split('/');
  const bad =
    trimmed.startsWith('/') ||
    trimmed.includes('\\') ||
    /^[A-Za-z]:/.test(trimmed) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) {
    throw new BadUserInputError(`${field} must be a relative path without '..', '.', empty segments or backslashes, got '${trimmed.slice(0, 128)}'`, { field });
  }
  return trimmed;
}
