import type { DestinationSummary } from '@spherecast/shared';
import type { Prisma } from '../../db/database.ts';
import type { MediaLinks } from '../../core/media-links.ts';
import { VIEWABLE_STATUSES } from '../../core/content-view.ts';
import { ownerSelect } from '../../core/user-select.ts';

/** The cover's content: only its poster is used, and only while it is public and viewable. */
const coverSelect = { publishedPath: true, posterFile: true, visibility: true, status: true, mediaEpoch: true } as const satisfies Prisma.ContentSelect;

export const destinationSummarySelect = {
  id: true,
  name: true,
  country: true,
  latitude: true,
  longitude: true,
  tags: true,
  ratingCount: true,
  ratingSum: true,
  coverContent: { select: coverSelect },
} as const satisfies Prisma.DestinationSelect;

export const destinationDetailSelect = {
  ...destinationSummarySelect,
  description: true,
  radiusKm: true,
  coverContentId: true,
  commentCount: true,
  createdAt: true,
  createdById: true,
  createdBy: { select: ownerSelect },
} as const satisfies Prisma.DestinationSelect;

export type DestinationSummaryRow = Prisma.DestinationGetPayload<{ select: typeof destinationSummarySelect }>;
export type DestinationDetailRow = Prisma.DestinationGetPayload<{ select: typeof destinationDetailSelect }>;
type CoverRow = Prisma.ContentGetPayload<{ select: typeof coverSelect }>;

/** The cover URL: the poster of a public, viewable content, else null (a cover made private disappears). */
export function coverUrlOf(cover: CoverRow | null, links: MediaLinks): string | null {
  if (!cover || cover.visibility !== 'public' || !(VIEWABLE_STATUSES as readonly string[]).includes(cover.status)) return null;
  return links.url(cover.publishedPath, cover.posterFile, cover);
}

export const averageOf = (count: number, sum: number): number | null => (count > 0 ? Math.round((sum / count) * 100) / 100 : null);

export function toDestinationSummary(row: DestinationSummaryRow, links: MediaLinks): DestinationSummary {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    latitude: row.latitude,
    longitude: row.longitude,
    tags: row.tags,
    coverUrl: coverUrlOf(row.coverContent, links),
    ratingCount: row.ratingCount,
    ratingAverage: averageOf(row.ratingCount, row.ratingSum),
  };
}
