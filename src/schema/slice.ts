/** Cursor slicing of a list that is already whole in memory (assets, Comet's unpaginated lists). */
import type { Page } from '../backends/port';
import { BadUserInputError } from '../errors';

const PREFIX = 'o:';

export function offsetCursor(index: number): string {
  return Buffer.from(`${PREFIX}${index}`).toString('base64url');
}

/** The index after which a page starts: -1 for the first page. */
export function decodeOffsetCursor(cursor: string | null | undefined): number {
  if (cursor == null) return -1;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const index = text.startsWith(PREFIX) ? Number(text.slice(PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(index) || index < 0) throw new BadUserInputError('after is not a cursor of this list', { field: 'after' });
  return index;
}

export function slicePage<T>(items: readonly T[], first: number, after: string | null | undefined): Page<T> {
  const start = decodeOffsetCursor(after) + 1;
  const slice = items.slice(start, start + first);
  return {
    items: slice,
    cursors: slice.map((_, i) => offsetCursor(start + i)),
    hasNextPage: start + first < items.length,
    totalCount: items.length,
  };
}
