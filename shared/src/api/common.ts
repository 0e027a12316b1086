import { z } from 'zod';
import { LIMITS } from './limits.ts';

export const idSchema = z.uuid({ error: 'must be an id (a UUID)' });
export const idInput = z.object({ id: idSchema });

/** Opaque pagination cursor handed out by list procedures. */
export const cursorSchema = z.string().max(512).optional();
export const limitSchema = z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(20);
export const pageInput = z.object({ cursor: cursorSchema, limit: limitSchema });

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const okSchema = z.object({ ok: z.literal(true) });
