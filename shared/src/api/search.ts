import { z } from 'zod';
import { textSchema } from './text.ts';
import { projectionSchema } from '../projection.ts';
import { contentKindSchema, contentSummarySchema, tagSchema } from './content.ts';
import { cursorSchema, limitSchema } from './common.ts';
import { LIMITS } from './limits.ts';

export const SEARCH_SORTS = ['relevance', 'popular', 'newest'] as const;

/** "lat,lon" as in `near=38.72,-9.14`. */
const nearSchema = z
  .string()
  .regex(/^\s*-?\d{1,3}(\.\d+)?\s*,\s*-?\d{1,3}(\.\d+)?\s*$/, 'must be "latitude,longitude"')
  .transform((value) => {
    const [lat, lon] = value.split(',').map(Number) as [number, number];
    return { latitude: lat, longitude: lon };
  })
  .pipe(z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }));

/** Tags arrive as `tags=a,b` on REST or as an array from tRPC clients. */
const tagListSchema = z
  .union([z.string().max(LIMITS.tagsMax * (LIMITS.tagMax + 1)), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((t) => t.trim()).filter(Boolean))
  .pipe(z.array(tagSchema).max(LIMITS.tagsMax));

export const searchInput = z
  .object({
    q: textSchema().trim().max(LIMITS.searchQueryMax).optional(),
    tags: tagListSchema.optional(),
    genre: textSchema().trim().toLowerCase().max(LIMITS.genreMax).optional(),
    projection: projectionSchema.optional(),
    kind: contentKindSchema.optional(),
    near: nearSchema.optional(),
    radiusKm: z.coerce.number().positive().max(20_037).optional(),
    sort: z.enum(SEARCH_SORTS).optional(),
    cursor: cursorSchema,
    limit: limitSchema,
  })
  .refine((input) => input.radiusKm === undefined || input.near !== undefined, {
    message: 'radiusKm needs near=latitude,longitude',
    path: ['radiusKm'],
  });
export type SearchInput = z.input<typeof searchInput>;

export const searchPageSchema = z.object({
  items: z.array(contentSummarySchema.extend({ distanceKm: z.number().nullable() })),
  nextCursor: z.string().nullable(),
});
export type SearchPage = z.infer<typeof searchPageSchema>;
