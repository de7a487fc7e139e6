/** Offset pagination behind opaque cursors, for listings sorted by arbitrary (user-chosen) keys. */
import { checkPageSize, type Page, type PageRequest } from '../port';
import { decodeOffsetCursor, offsetCursor } from './codec';

export interface OffsetWindow {
  offset: number;
  /** Rows to fetch: one more than the page, to learn whether another page follows. */
  fetch: number;
  first: number;
}

export function offsetWindow(page: PageRequest): OffsetWindow {
  const first = checkPageSize(page.first);
  return { offset: decodeOffsetCursor(page.after), fetch: first + 1, first };
}

/** Builds the page from `window.fetch` rows read at `window.offset`. */
export function offsetPage<T>(rows: readonly T[], window: OffsetWindow, totalCount: number): Page<T> {
  const items = rows.slice(0, window.first);
  return {
    items,
    cursors: items.map((_, index) => offsetCursor(window.offset + index + 1)),
    hasNextPage: rows.length > window.first,
    // The cursor says how many rows come before this page; rows removed since may leave none.
    hasPreviousPage: window.offset > 0 && totalCount > 0,
    totalCount,
  };
}
