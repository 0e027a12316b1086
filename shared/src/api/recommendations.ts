import { z } from 'zod';
import { contentSummarySchema } from './content.ts';

/** Most recommendations one request may ask for. */
export const RECOMMENDATIONS_MAX = 50;

export const recommendationsInput = z.object({
  limit: z.coerce.number().int().min(1).max(RECOMMENDATIONS_MAX).default(12),
});

export const recommendationSchema = contentSummarySchema.extend({
  /** A sentence for the viewer, e.g. "Because you watched Nazaré waves" or "Popular". */
  reason: z.string(),
  score: z.number(),
});
export type Recommendation = z.infer<typeof recommendationSchema>;

export const recommendationsSchema = z.object({
  /** `personal` when ranked from the caller's history and ratings, `popular` otherwise. */
  basis: z.enum(['personal', 'popular']),
  items: z.array(recommendationSchema),
});
