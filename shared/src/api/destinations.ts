import { z } from 'zod';
import { textSchema } from './text.ts';
import { idSchema, pageInput } from './common.ts';
import { contentSummarySchema, tagSchema, tagsSchema } from './content.ts';
import { LIMITS } from './limits.ts';
import { publicUserSchema } from './users.ts';
import { tourModeSchema } from './tours.ts';

/**
 * Destinations (#15): a place viewers travel to, with the content (videos, photos, live broadcasts)
 * located there, linked by creators or suggested from coordinates within the destination's radius.
 */
export const DESTINATION_LIMITS = {
  nameMax: 120,
  countryMax: 80,
  descriptionMax: 5000,
  /** Suggestions reach at most this far from the destination's coordinates. */
  radiusKmMax: 500,
  /** Items one destination page lists (linked first, then nearby). */
  contentMax: 60,
  /** Interests a viewer may state on their profile. */
  interestsMax: 10,
  /** Destinations one search or map request may ask for. */
  searchMax: 100,
  recommendationsMax: 50,
} as const;

const latitudeSchema = z.number().min(-90).max(90);
const longitudeSchema = z.number().min(-180).max(180);

const destinationFields = {
  name: textSchema().trim().min(1).max(DESTINATION_LIMITS.nameMax),
  country: textSchema().trim().min(1).max(DESTINATION_LIMITS.countryMax),
  latitude: latitudeSchema,
  longitude: longitudeSchema,
  description: textSchema().max(DESTINATION_LIMITS.descriptionMax),
  tags: tagsSchema,
  radiusKm: z.number().positive().max(DESTINATION_LIMITS.radiusKmMax),
  /**
   * The cover is the poster of one public, published content (usually one linked to the destination):
   * no separate upload and no outside URL, so a cover is always an image the origin already serves and
   * checked, and it disappears if that content is made private.
   */
  coverContentId: idSchema.nullable(),
};

export const destinationCreateInput = z.object({
  name: destinationFields.name,
  country: destinationFields.country,
  latitude: destinationFields.latitude,
  longitude: destinationFields.longitude,
  description: destinationFields.description.default(''),
  tags: destinationFields.tags.default([]),
  radiusKm: destinationFields.radiusKm.default(25),
  coverContentId: destinationFields.coverContentId.default(null),
});
export type DestinationCreateInput = z.input<typeof destinationCreateInput>;

export const destinationUpdateInput = z.object({
  id: idSchema,
  name: destinationFields.name.optional(),
  country: destinationFields.country.optional(),
  latitude: destinationFields.latitude.optional(),
  longitude: destinationFields.longitude.optional(),
  description: destinationFields.description.optional(),
  tags: destinationFields.tags.optional(),
  radiusKm: destinationFields.radiusKm.optional(),
  coverContentId: destinationFields.coverContentId.optional(),
});

/** Linking a content to a destination: `id` is the destination, `contentId` the content. */
export const destinationLinkInput = z.object({ id: idSchema, contentId: idSchema });

export const destinationSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  country: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  tags: z.array(z.string()),
  /** Absolute or origin-relative URL of the cover (a content's poster), or null. */
  coverUrl: z.string().nullable(),
  ratingCount: z.number().int(),
  ratingAverage: z.number().nullable(),
});
export type DestinationSummary = z.infer<typeof destinationSummarySchema>;

/** A content shown on a destination page: linked by a creator, or suggested because it lies within the radius. */
export const destinationContentSchema = contentSummarySchema.extend({
  linked: z.boolean(),
  /** Great-circle distance from the destination's coordinates, when the content has a location. */
  distanceKm: z.number().nullable(),
});
export type DestinationContent = z.infer<typeof destinationContentSchema>;

/** A published, public guided tour set at the destination (a tour's `destinationId`). */
export const destinationTourSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  mode: tourModeSchema,
  publishedAt: z.date().nullable(),
});
export type DestinationTour = z.infer<typeof destinationTourSchema>;

export const destinationDetailSchema = destinationSummarySchema.extend({
  description: z.string(),
  radiusKm: z.number(),
  coverContentId: z.string().nullable(),
  createdBy: publicUserSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true }),
  commentCount: z.number().int(),
  myRating: z.number().int().nullable(),
  /** Whether the caller may edit it (its creator or an admin). */
  editable: z.boolean(),
  /** Public content at the destination: linked first (newest link first), then nearby (nearest first). Live broadcasts have `status: 'live'`. */
  content: z.array(destinationContentSchema),
  /** Published public tours set at the destination, newest first. */
  tours: z.array(destinationTourSchema),
  createdAt: z.date(),
});
export type DestinationDetail = z.infer<typeof destinationDetailSchema>;

/** "lat,lon" as in `near=38.72,-9.14` (the same form as content search). */
const nearSchema = z
  .string()
  .regex(/^\s*-?\d{1,3}(\.\d+)?\s*,\s*-?\d{1,3}(\.\d+)?\s*$/, 'must be "latitude,longitude"')
  .transform((value) => {
    const [lat, lon] = value.split(',').map(Number) as [number, number];
    return { latitude: lat, longitude: lon };
  })
  .pipe(z.object({ latitude: latitudeSchema, longitude: longitudeSchema }));

export const destinationSearchInput = z
  .object({
    q: textSchema().trim().max(LIMITS.searchQueryMax).optional(),
    near: nearSchema.optional(),
    radiusKm: z.coerce.number().positive().max(20_037).optional(),
    limit: z.coerce.number().int().min(1).max(DESTINATION_LIMITS.searchMax).default(20),
  })
  .refine((input) => input.radiusKm === undefined || input.near !== undefined, {
    message: 'radiusKm needs near=latitude,longitude',
    path: ['radiusKm'],
  });
export type DestinationSearchInput = z.input<typeof destinationSearchInput>;

export const destinationSearchSchema = z.object({
  items: z.array(destinationSummarySchema.extend({ distanceKm: z.number().nullable() })),
});

/** Interests a viewer states (short tags like `rooftops`, `surfing`); they steer destination picks. */
export const interestsSchema = z
  .array(tagSchema)
  .max(DESTINATION_LIMITS.interestsMax)
  .transform((tags) => [...new Set(tags)]);
export const interestsInput = z.object({ interests: interestsSchema });
export const interestsStateSchema = z.object({ interests: z.array(z.string()) });

export const destinationRecommendationsInput = z.object({
  limit: z.coerce.number().int().min(1).max(DESTINATION_LIMITS.recommendationsMax).default(8),
});

export const destinationRecommendationSchema = destinationSummarySchema.extend({
  /** A sentence for the viewer: "Because you rated Lisbon rooftops 5 stars", "Because you're interested in surfing", "Popular". */
  reason: z.string(),
  score: z.number(),
});
export type DestinationRecommendation = z.infer<typeof destinationRecommendationSchema>;

export const destinationRecommendationsSchema = z.object({
  /** `personal` when ranked from the caller's history, likes, ratings and interests; `popular` otherwise. */
  basis: z.enum(['personal', 'popular']),
  items: z.array(destinationRecommendationSchema),
});

export const destinationCommentsInput = pageInput.extend({ id: idSchema });

export const destinationCommentSchema = z.object({
  id: z.string(),
  destinationId: z.string(),
  parentId: z.string().nullable(),
  author: publicUserSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true }).nullable(),
  body: z.string().nullable(),
  deleted: z.boolean(),
  createdAt: z.date(),
  editedAt: z.date().nullable(),
});
export type DestinationComment = z.infer<typeof destinationCommentSchema>;
export const destinationCommentThreadSchema = destinationCommentSchema.extend({
  replyCount: z.number().int(),
  replies: z.array(destinationCommentSchema),
});
export type DestinationCommentThread = z.infer<typeof destinationCommentThreadSchema>;

/**
 * Sharing (#15): a link to a moment and a direction, `?t=…&yaw=…&pitch=…` on a watch URL. Each value
 * is optional; one that is out of range or not a number is ignored (a link must still open).
 */
export const SHARED_VIEW_PARAMS = ['t', 'yaw', 'pitch'] as const;
export const sharedViewSchema = z.object({
  /** Seconds from the start. */
  t: z
    .number()
    .min(0)
    .max(7 * 24 * 3600)
    .nullable(),
  /** Degrees, -180..180, 0 the centre of the frame, positive to the right (the renderer's convention). */
  yaw: z.number().min(-180).max(180).nullable(),
  /** Degrees, -90 (down) .. 90 (up). */
  pitch: z.number().min(-90).max(90).nullable(),
});
export type SharedView = z.infer<typeof sharedViewSchema>;

/** Reads `t`, `yaw` and `pitch` from a query string; a missing or invalid value is null. */
export function parseSharedView(search: string | URLSearchParams): SharedView {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const read = (name: (typeof SHARED_VIEW_PARAMS)[number]): number | null => {
    const raw = params.get(name);
    if (raw === null || raw.trim() === '') return null;
    const value = Number(raw);
    const field = sharedViewSchema.shape[name].safeParse(value);
    return field.success && Number.isFinite(value) ? value : null;
  };
  return { t: read('t'), yaw: read('yaw'), pitch: read('pitch') };
}

/** `url` with the moment and direction set (rounded: 0.1 s, 0.1°); null values are left out. */
export function withSharedView(url: string, view: Partial<SharedView>): string {
  const target = new URL(url);
  for (const name of SHARED_VIEW_PARAMS) target.searchParams.delete(name);
  const put = (name: (typeof SHARED_VIEW_PARAMS)[number], value: number | null | undefined) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    target.searchParams.set(name, String(Math.round(value * 10) / 10));
  };
  put('t', view.t);
  put('yaw', view.yaw);
  put('pitch', view.pitch);
  return target.toString();
}
