/**
 * Input checks at the backend boundary. The GraphQL layer validates too; these guard the store against
 * every other caller (scripts, the demo seeder, a future REST route) with the same messages.
 */
import { BadUserInputError } from '../../errors';

/** Longest name (workspace, project, metric, tag, parameter…) accepted, in characters. */
export const MAX_NAME_LENGTH = 1_000;
/** Longest asset file name accepted, in characters. */
export const MAX_FILE_NAME_LENGTH = 1_024;

/** A required name: trimmed, non-empty, bounded. */
export function requireName(label: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadUserInputError(`${label} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  const trimmed = value.trim();
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new BadUserInputError(`${label} must be at most ${MAX_NAME_LENGTH} characters, got ${trimmed.length}`);
  }
  return trimmed;
}

export function requireNames(label: string, values: readonly unknown[]): string[] {
  return values.map((value) => requireName(label, value));
}

export function requireString(label: string, value: unknown): string {
  if (typeof value !== 'string') throw new BadUserInputError(`${label} must be a string, got ${typeof value}`);
  return value;
}

export function optionalInteger(label: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value)) throw new BadUserInputError(`${label} must be an integer, got ${value}`);
  return value;
}

export function optionalTime(label: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new BadUserInputError(`${label} must be Unix milliseconds (a non-negative integer), got ${value}`);
  }
  return value;
}

const WINDOWS_DRIVE = /^[a-zA-Z]:/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * An asset file name is metadata (the bytes are addressed by hash, so no name can reach outside the data
 * dir), but it comes back in `Content-Disposition` and in files users save: allow a plain name or a simple
 * relative path (`images/loss.png`), nothing that a client could resolve elsewhere.
 */
export function validateFileName(fileName: unknown): string {
  if (typeof fileName !== 'string' || fileName.trim() === '') {
    throw new BadUserInputError('fileName must be a non-empty string');
  }
  const reject = (why: string): never => {
    throw new BadUserInputError(`fileName ${JSON.stringify(fileName)} is not allowed: ${why}; send a relative name like 'model.pt' or 'images/loss.png'`);
  };
  if (fileName.length > MAX_FILE_NAME_LENGTH) reject(`longer than ${MAX_FILE_NAME_LENGTH} characters`);
  if (CONTROL_CHARS.test(fileName)) reject('it contains NUL or control characters');
  if (fileName.includes('\\')) reject("'\\' is not a path separator here");
  if (fileName.startsWith('/') || WINDOWS_DRIVE.test(fileName)) reject('it is an absolute path');
  for (const segment of fileName.split('/')) {
    if (segment === '') reject('it has an empty path segment');
    if (segment === '.' || segment === '..') reject(`it has a '${segment}' segment`);
  }
  return fileName;
}
