import { POSTER_FORMATS, posterRungFile, type ContentDetail, type ContentSummary, type PosterRung, type Projection } from '@spherecast/shared';
import { ownerSelect } from './user-select.ts';
import type { Prisma } from '../db/database.ts';
import type { MediaLinks } from './media-links.ts';
import type { Context } from './trpc.ts';

export const contentSummarySelect = {
  id: true,
  kind: true,
  title: true,
  tags: true,
  genre: true,
  projection: true,
  durationSeconds: true,
  status: true,
  visibility: true,
  placeName: true,
  latitude: true,
  longitude: true,
  publishedPath: true,
  posterFile: true,
  posterWidths: true,
  mediaEpoch: true,
  viewCount: true,
  likeCount: true,
  ratingCount: true,
  ratingSum: true,
  createdAt: true,
  publishedAt: true,
  owner: { select: ownerSelect },
} as const satisfies Prisma.ContentSelect;

export const contentDetailSelect = {
  ...contentSummarySelect,
  ownerId: true,
  description: true,
  commentCount: true,
  masterFile: true,
  renditions: {
    select: { width: true, height: true, bandwidth: true, averageBandwidth: true, codecs: true, frameRate: true },
    orderBy: { bandwidth: 'desc' },
  },
} as const satisfies Prisma.ContentSelect;

export type ContentSummaryRow = Prisma.ContentGetPayload<{ select: typeof contentSummarySelect }>;
export type ContentDetailRow = Prisma.ContentGetPayload<{ select: typeof contentDetailSelect }>;

export function toSummary(row: ContentSummaryRow, links: MediaLinks): ContentSummary {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    tags: row.tags,
    genre: row.genre,
    projection: row.projection as Projection,
    durationSeconds: row.durationSeconds,
    status: row.status,
    visibility: row.visibility,
    location:
      row.placeName !== null && row.latitude !== null && row.longitude !== null
        ? { placeName: row.placeName, latitude: row.latitude, longitude: row.longitude }
        : null,
    posterUrl: links.url(row.publishedPath, row.posterFile, row),
    posters: posterRungs(row, links),
    viewCount: row.viewCount,
    likeCount: row.likeCount,
    ratingAverage: row.ratingCount > 0 ? Math.round((row.ratingSum / row.ratingCount) * 100) / 100 : null,
    createdAt: row.createdAt,
    publishedAt: row.publishedAt,
    owner: row.owner,
  };
}

/** The poster rungs published beside the poster (same folder), WebP first, each narrowest first. */
function posterRungs(row: ContentSummaryRow, links: MediaLinks): PosterRung[] {
  if (!row.posterFile || row.posterWidths.length === 0) return [];
  const folder = row.posterFile.includes('/') ? row.posterFile.slice(0, row.posterFile.lastIndexOf('/') + 1) : '';
  const widths = [...row.posterWidths].sort((a, b) => a - b);
  const rungs: PosterRung[] = [];
  for (const [format, type] of Object.entries(POSTER_FORMATS) as [keyof typeof POSTER_FORMATS, PosterRung['type']][]) {
    for (const width of widths) {
      const url = links.url(row.publishedPath, `${folder}${posterRungFile(width, format)}`, row);
      if (url) rungs.push({ url, width, type });
    }
  }
  return rungs;
}

export function toDetail(row: ContentDetailRow, context: { links: MediaLinks; likedByMe: boolean; myRating: number | null }): ContentDetail {
  return {
    ...toSummary(row, context.links),
    description: row.description,
    commentCount: row.commentCount,
    ratingCount: row.ratingCount,
    renditions: row.renditions,
    likedByMe: context.likedByMe,
    myRating: context.myRating,
  };
}

/** The detail view of a content as the caller sees it: with their own like and rating. */
export async function contentDetailFor(ctx: Context, row: ContentDetailRow): Promise<ContentDetail> {
  const [like, rating] = ctx.user
    ? await Promise.all([
        ctx.prisma.like.findUnique({ where: { userId_contentId: { userId: ctx.user.id, contentId: row.id } }, select: { userId: true } }),
        ctx.prisma.rating.findUnique({ where: { userId_contentId: { userId: ctx.user.id, contentId: row.id } }, select: { score: true } }),
      ])
    : [null, null];
  return toDetail(row, { links: ctx.mediaLinks, likedByMe: like !== null, myRating: rating?.score ?? null });
}

/** Written beside the master playlist at publish: `{ "<path>": "<sha256 hex>" }` for every file. */
export const HASHES_FILE = 'hashes.json';

/** The folder of a master playlist path, with its trailing slash ('' at the top of the ladder). */
export function masterFolder(masterFile: string): string {
  return masterFile.slice(0, masterFile.lastIndexOf('/') + 1);
}

/** Path of the hashes file for a master playlist path (both relative to the published folder). */
export function hashesFileFor(masterFile: string | null): string | null {
  return masterFile ? `${masterFolder(masterFile)}${HASHES_FILE}` : null;
}

/** Statuses a viewer other than the owner may see. */
export const VIEWABLE_STATUSES = ['ready', 'live', 'ended'] as const;
