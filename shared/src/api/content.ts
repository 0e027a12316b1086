import { z } from 'zod';
import { textSchema } from './text.ts';
import { projectionSchema } from '../projection.ts';
import { LIMITS } from './limits.ts';
import { publicUserSchema } from './users.ts';

/** `live`: a broadcast (see live.ts); it plays as a video and becomes one when it ends. */
export const CONTENT_KINDS = ['video', 'photo', 'live'] as const;
/** Kinds a creator uploads; a `live` content is made by opening a live channel. */
export const UPLOAD_KINDS = ['video', 'photo'] as const;
export const CONTENT_STATUSES = ['draft', 'processing', 'ready', 'failed', 'live', 'ended'] as const;
export const VISIBILITIES = ['public', 'unlisted', 'private'] as const;
export const contentKindSchema = z.enum(CONTENT_KINDS);
export const contentStatusSchema = z.enum(CONTENT_STATUSES);
export const visibilitySchema = z.enum(VISIBILITIES);

export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(LIMITS.tagMax)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, 'may contain letters, digits, spaces, - and _');
export const tagsSchema = z
  .array(tagSchema)
  .max(LIMITS.tagsMax)
  .transform((tags) => [...new Set(tags)]);

export const locationSchema = z.object({
  placeName: textSchema().trim().min(1).max(LIMITS.placeNameMax),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export type Location = z.infer<typeof locationSchema>;

const contentFields = {
  title: textSchema().trim().min(1).max(LIMITS.titleMax),
  description: textSchema().max(LIMITS.descriptionMax),
  tags: tagsSchema,
  genre: textSchema().trim().toLowerCase().min(1).max(LIMITS.genreMax).nullable(),
  projection: projectionSchema,
  visibility: visibilitySchema,
  location: locationSchema.nullable(),
};

export const contentCreateInput = z.object({
  kind: z.enum(UPLOAD_KINDS).default('video'),
  title: contentFields.title,
  description: contentFields.description.default(''),
  tags: contentFields.tags.default([]),
  genre: contentFields.genre.optional(),
  projection: contentFields.projection.default('equirectangular-mono'),
  visibility: contentFields.visibility.default('public'),
  location: contentFields.location.optional(),
});
export type ContentCreateInput = z.input<typeof contentCreateInput>;

export const contentUpdateInput = z.object({
  id: z.uuid(),
  title: contentFields.title.optional(),
  description: contentFields.description.optional(),
  tags: contentFields.tags.optional(),
  genre: contentFields.genre.optional(),
  projection: contentFields.projection.optional(),
  visibility: contentFields.visibility.optional(),
  location: contentFields.location.optional(),
});

export const renditionSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  bandwidth: z.number().int(),
  averageBandwidth: z.number().int().nullable(),
  codecs: z.string(),
  frameRate: z.number().nullable(),
});

/** Widths of the poster rungs the media engine writes beside the poster, each in WebP and JPEG. */
export const POSTER_WIDTHS = [320, 640, 1280] as const;
export const POSTER_FORMATS = { webp: 'image/webp', jpg: 'image/jpeg' } as const;
/** The file of one poster rung, in the poster's folder: `poster-640.webp`. */
export function posterRungFile(width: number, format: keyof typeof POSTER_FORMATS): string {
  return `poster-${width}.${format}`;
}
/** One poster rung: a `srcset` candidate (`url 640w`) of the given type. */
export const posterRungSchema = z.object({ url: z.string(), width: z.number().int().positive(), type: z.enum(['image/webp', 'image/jpeg']) });
export type PosterRung = z.infer<typeof posterRungSchema>;

export const contentSummarySchema = z.object({
  id: z.string(),
  kind: contentKindSchema,
  title: z.string(),
  tags: z.array(z.string()),
  genre: z.string().nullable(),
  projection: projectionSchema,
  durationSeconds: z.number().nullable(),
  status: contentStatusSchema,
  visibility: visibilitySchema,
  location: locationSchema.nullable(),
  posterUrl: z.string().nullable(),
  /** Smaller copies of the poster for `srcset`, narrowest first, WebP before JPEG; empty for older uploads. */
  posters: z.array(posterRungSchema),
  viewCount: z.number().int(),
  likeCount: z.number().int(),
  ratingAverage: z.number().nullable(),
  createdAt: z.date(),
  publishedAt: z.date().nullable(),
  owner: publicUserSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true }),
});
export type ContentSummary = z.infer<typeof contentSummarySchema>;

export const contentDetailSchema = contentSummarySchema.extend({
  description: z.string(),
  commentCount: z.number().int(),
  ratingCount: z.number().int(),
  renditions: z.array(renditionSchema),
  likedByMe: z.boolean(),
  myRating: z.number().int().nullable(),
});
export type ContentDetail = z.infer<typeof contentDetailSchema>;

export const finalizeInput = z.object({
  id: z.uuid(),
  /** Path of the master playlist (or, for photos, the full-size image) among the uploaded files. */
  master: textSchema().min(1).max(LIMITS.mediaPathMax).default('master.m3u8'),
  durationSeconds: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
  poster: textSchema().min(1).max(LIMITS.mediaPathMax).optional(),
});

export const stagedFileSchema = z.object({ path: z.string(), size: z.number().int(), sha256: z.string() });
export const stagedFilesSchema = z.object({ files: z.array(stagedFileSchema) });
