import { z } from 'zod';

/** Why a text was refused; the API prefixes the field's name. */
export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000); remove it and send the text again';

/**
 * Every free text the API accepts starts here: a string without U+0000. PostgreSQL cannot store NUL
 * in text columns, so without this a NUL in a title or a comment would reach the database and fail
 * there (a 500) instead of being refused at the edge (a 400 naming the field).
 */
export function textSchema() {
  return z.string().refine((value) => !value.includes('\u0000'), { message: NUL_MESSAGE });
}
