import { badRequest } from '../api/errors.ts';
import { decodeCursor, encodeCursor } from '../catalog/cursor.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A keyset position in a list sorted by a timestamp, then by id. */
export interface DateCursor {
  at: Date;
  id: string;
}

/** Like decodeCursor, but the value must be a date: a forged cursor is a 400, never a database error. */
export function decodeDateCursor(cursor: string | undefined): DateCursor | null {
  const decoded = decodeCursor(cursor);
  if (!decoded) return null;
  const at = typeof decoded.value === 'string' ? new Date(decoded.value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()) || !UUID.test(decoded.id)) throw badRequest('cursor: not a cursor this server handed out. Start again without it.');
  return { at, id: decoded.id };
}

/**
 * Cuts one extra fetched row off a page and makes the cursor for the next page from the last row
 * kept (null when there is no next page).
 */
export function pageOfRows<Row>(rows: Row[], limit: number, key: (row: Row) => DateCursor): { page: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length <= limit || last === undefined) return { page, nextCursor: null };
  const { at, id } = key(last);
  return { page, nextCursor: encodeCursor(at.toISOString(), id) };
}
