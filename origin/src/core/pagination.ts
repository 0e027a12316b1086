import { badRequest } from './errors.ts';

/** Keyset cursor: the sort value and id of the last item of a page, opaque to clients. */
export interface Cursor {
  value: string | number;
  id: string;
}

/** A keyset position in a list sorted by a timestamp, then by id. */
export interface DateCursor {
  at: Date;
  id: string;
}

/** Dates a cursor may carry: years 1 to 9999, as every timestamp this server stores. */
const EARLIEST_CURSOR_MS = utcYearStart(1);
const LATEST_CURSOR_MS = utcYearStart(10_000) - 1;

/** Date.UTC maps years 0-99 to 1900-1999, so the year is set on its own. */
function utcYearStart(year: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, 0, 1);
  return date.getTime();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function forged() {
  return badRequest('cursor: not a cursor this server handed out. Start again without it.');
}

export function encodeCursor(value: string | number, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

/** Reads a cursor this server handed out; anything else is a 400, never a database error. */
export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw forged();
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    (typeof parsed[0] === 'string' || (typeof parsed[0] === 'number' && Number.isFinite(parsed[0]))) &&
    typeof parsed[1] === 'string' &&
    UUID.test(parsed[1])
  ) {
    return { value: parsed[0], id: parsed[1] };
  }
  throw forged();
}

/** Like decodeCursor, but the value must be a date. */
export function decodeDateCursor(cursor: string | undefined): DateCursor | null {
  const decoded = decodeCursor(cursor);
  if (!decoded) return null;
  const at = typeof decoded.value === 'string' ? new Date(decoded.value) : new Date(Number.NaN);
  // JavaScript dates reach far beyond what the database (and its drivers' ISO strings) accept: a
  // forged year 0, a negative year or year 20000 would fail in the query (a 500), so they are
  // refused here like any other forged cursor.
  if (Number.isNaN(at.getTime()) || at.getTime() < EARLIEST_CURSOR_MS || at.getTime() > LATEST_CURSOR_MS) throw forged();
  return { at, id: decoded.id };
}

/** Like decodeCursor, but the value must be a number. */
export function decodeNumberCursor(cursor: string | undefined): (Cursor & { value: number }) | null {
  const decoded = decodeCursor(cursor);
  if (!decoded) return null;
  if (typeof decoded.value !== 'number') throw forged();
  return { value: decoded.value, id: decoded.id };
}

/**
 * Cuts the one extra row fetched off a page and makes the cursor for the next page from the last
 * row kept (null when there is no next page).
 */
export function pageOfRows<Row>(rows: Row[], limit: number, key: (row: Row) => DateCursor): { page: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length <= limit || last === undefined) return { page, nextCursor: null };
  const { at, id } = key(last);
  return { page, nextCursor: encodeCursor(at.toISOString(), id) };
}

type Comparison = 'lt' | 'gt';

/** The Prisma `where` of the rows after a keyset position, in a list sorted by (timestamp, id). */
export type AfterCursorWhere<TimeField extends string, IdField extends string> =
  | Record<string, never>
  | { OR: [Record<TimeField, Partial<Record<Comparison, Date>>>, Record<TimeField, Date> & Record<IdField, Partial<Record<Comparison, string>>>] };

/**
 * The rows that come after `cursor` in a list ordered by `timeField` then `idField`, newest first
 * (`desc`, the default) or oldest first (`asc`); `{}` for the first page. Spread it into a `where`.
 */
export function afterCursor<TimeField extends string, IdField extends string>(
  cursor: DateCursor | null,
  timeField: TimeField,
  idField: IdField,
  order: 'desc' | 'asc' = 'desc',
): AfterCursorWhere<TimeField, IdField> {
  if (!cursor) return {};
  const op: Comparison = order === 'desc' ? 'lt' : 'gt';
  const earlier = { [timeField]: { [op]: cursor.at } } as Record<TimeField, Partial<Record<Comparison, Date>>>;
  const tie = { [timeField]: cursor.at, [idField]: { [op]: cursor.id } } as Record<TimeField, Date> & Record<IdField, Partial<Record<Comparison, string>>>;
  return { OR: [earlier, tie] };
}
