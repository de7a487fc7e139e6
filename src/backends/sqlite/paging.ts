/** Offset pagination behind opaque cursors, for listings sorted by arbitrary (user-chosen) keys. */
import { BadUserInputError } from '../../errors';
import type { Page, PageRequest } from '../port';
import { decodeOffsetCursor, offsetCursor } from './codec';

/** Largest page a listing returns. */
export const MAX_PAGE_SIZE = 1_000;

export interface OffsetWindow {
  offset: number;
  /** Rows to fetch: one more than the page, to learn whether another page follows. */
  fetch: number;
  first: number;
}

export function offsetWindow(page: PageRequest): OffsetWindow {
  const { first } = page;
  if (!Number.isSafeInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be an integer from 0 to ${MAX_PAGE_SIZE}, got ${first}`);
  }
  return { offset: decodeOffsetCursor(page.after), fetch: first + 1, first };
}

/** Builds the page from `window.fetch` rows read at `window.offset`. */
export function offsetPage<T>(rows: readonly T[], window: OffsetWindow, totalCount: number): Page<T> {
  const items = rows.slice(0, window.first);
  return {
    items,
    cursors: items.map((_, index) => offsetCursor(window.offset + index + 1)),
    hasNextPage: rows.length > window.first,
    totalCount,
  };
}
