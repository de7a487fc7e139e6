/**
 * Cursor pages over Comet's unpaginated lists (§8 "Pagination": every list comes whole). A cursor names the
 * last item's position and id, and the list it came from (`kind`): the next page resumes after that id when
 * it is still listed, so items added or removed before it shift nothing, else at its old position.
 */
import { BadUserInputError } from '../../errors';
import { checkPageSize, type Page, type PageRequest } from '../port';

export interface KeyCursor {
  offset: number;
  id: string;
}

/** Decodes a cursor of the list `kind`; a cursor of any other list, or garbage, is BAD_USER_INPUT. */
export function decodeKeyCursor(kind: string, cursor: string): KeyCursor {
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== kind || !Number.isSafeInteger(decoded[1]) || typeof decoded[2] !== 'string') {
    throw new BadUserInputError(`Invalid cursor '${cursor.slice(0, 64)}': pass a cursor returned by the same list`, { field: 'after' });
  }
  return { offset: decoded[1] as number, id: decoded[2] as string };
}

/** The page of `all` after `after` (already decoded, or a cursor of list `kind`). */
export function slicePage<T>(kind: string, all: readonly T[], page: PageRequest, idOf: (item: T) => string, after?: KeyCursor | null): Page<T> {
  const { first } = page;
  checkPageSize(first);
  const from = after !== undefined ? after : page.after ? decodeKeyCursor(kind, page.after) : null;
  let start = 0;
  if (from) {
    const index = all.findIndex((item) => idOf(item) === from.id);
    start = index >= 0 ? index + 1 : Math.min(from.offset + 1, all.length);
  }
  const items = all.slice(start, start + first);
  return {
    items,
    cursors: items.map((item, i) => Buffer.from(JSON.stringify([kind, start + i, idOf(item)])).toString('base64url')),
    hasNextPage: start + first < all.length,
    hasPreviousPage: start > 0 && all.length > 0,
    totalCount: all.length,
  };
}
