import { searchInput, searchPageSchema, type ContentSummary } from '@spherecast/shared';
import type { z } from 'zod';
import { publicProcedure } from '../../core/trpc.ts';
import { Prisma, type PrismaClient } from '../../db/database.ts';
import { toSummary, type ContentSummaryRow } from '../../core/content-view.ts';
import { decodeDateCursor, decodeNumberCursor, encodeCursor } from '../../core/pagination.ts';
import type { MediaLinks } from '../../core/media-links.ts';

type SearchQuery = z.output<typeof searchInput>;
type Sort = 'relevance' | 'popular' | 'newest';

const EARTH_RADIUS_KM = 6371;
const KM_PER_DEGREE = 111.045;

interface SearchRow {
  id: string;
  sort_value: number | Date;
  distance_km: number | null;
  kind: ContentSummaryRow['kind'];
  title: string;
  tags: string[];
  genre: string | null;
  projection: string;
  durationSeconds: number | null;
  status: ContentSummaryRow['status'];
  visibility: ContentSummaryRow['visibility'];
  placeName: string | null;
  latitude: number | null;
  longitude: number | null;
  publishedPath: string | null;
  posterFile: string | null;
  posterWidths: number[];
  mediaEpoch: number;
  viewCount: number;
  likeCount: number;
  ratingCount: number;
  ratingSum: number;
  createdAt: Date;
  publishedAt: Date | null;
  owner_id: string;
  owner_username: string;
  owner_display_name: string;
  owner_avatar_url: string | null;
}

function distanceSql(latitude: number, longitude: number): Prisma.Sql {
  return Prisma.sql`(${EARTH_RADIUS_KM}::float8 * 2 * asin(sqrt(
    power(sin(radians(c."latitude" - ${latitude}::float8) / 2), 2) +
    cos(radians(${latitude}::float8)) * cos(radians(c."latitude")) *
    power(sin(radians(c."longitude" - ${longitude}::float8) / 2), 2))))`;
}

/**
 * Full-text search over published public content: one SQL statement that filters, ranks and
 * pages (keyset cursors, stable under inserts), returning every column a result card needs.
 */
export async function searchContent(prisma: PrismaClient, query: SearchQuery, links: MediaLinks) {
  const text = query.q && query.q.length > 0 ? query.q : null;
  const sort: Sort = query.sort ?? (text ? 'relevance' : 'popular');
  const effectiveSort: Sort = sort === 'relevance' && !text ? 'popular' : sort;
  const dateCursor = effectiveSort === 'newest' ? decodeDateCursor(query.cursor) : null;
  const numberCursor = effectiveSort === 'newest' ? null : decodeNumberCursor(query.cursor);

  // "searchable" = public and ready/live/ended, kept by a trigger; one equality lets the planner walk
  // the (searchable, popularity) and (searchable, publishedAt) indexes in order and stop at the limit.
  const filters: Prisma.Sql[] = [Prisma.sql`c."searchable"`];
  const tsQuery = text ? Prisma.sql`websearch_to_tsquery('english', ${text})` : null;
  if (tsQuery) filters.push(Prisma.sql`c."searchVector" @@ ${tsQuery}`);
  if (query.tags && query.tags.length > 0) filters.push(Prisma.sql`c."tags" @> ${query.tags}::text[]`);
  if (query.genre) filters.push(Prisma.sql`c."genre" = ${query.genre}`);
  if (query.projection) filters.push(Prisma.sql`c."projection" = ${query.projection}`);
  if (query.kind) filters.push(Prisma.sql`c."kind" = ${query.kind}::"ContentKind"`);

  let distance: Prisma.Sql = Prisma.sql`NULL::float8`;
  if (query.near) {
    const { latitude, longitude } = query.near;
    distance = distanceSql(latitude, longitude);
    filters.push(Prisma.sql`c."latitude" IS NOT NULL AND c."longitude" IS NOT NULL`);
    if (query.radiusKm !== undefined) {
      // A bounding box the (latitude, longitude) index can use, then the exact great-circle distance.
      const dLat = query.radiusKm / KM_PER_DEGREE;
      filters.push(Prisma.sql`c."latitude" BETWEEN ${latitude - dLat}::float8 AND ${latitude + dLat}::float8`);
      const cosLat = Math.cos((latitude * Math.PI) / 180);
      const dLon = cosLat > 0.01 ? query.radiusKm / (KM_PER_DEGREE * cosLat) : 360;
      if (longitude - dLon >= -180 && longitude + dLon <= 180) {
        filters.push(Prisma.sql`c."longitude" BETWEEN ${longitude - dLon}::float8 AND ${longitude + dLon}::float8`);
      }
      filters.push(Prisma.sql`${distance} <= ${query.radiusKm}::float8`);
    }
  }

  const sortValue: Prisma.Sql =
    effectiveSort === 'newest'
      ? Prisma.sql`c."publishedAt"`
      : effectiveSort === 'popular'
        ? Prisma.sql`c."popularity"`
        : // Relevance: text rank, nudged by popularity so that among equal matches the loved one wins.
          Prisma.sql`(ts_rank_cd(c."searchVector", ${tsQuery!}, 1)::float8 * (1 + ln(1 + c."popularity") / 10))`;

  if (dateCursor) filters.push(Prisma.sql`(${sortValue}, c."id") < (${dateCursor.at}::timestamp, ${dateCursor.id}::uuid)`);
  if (numberCursor) filters.push(Prisma.sql`(${sortValue}, c."id") < (${numberCursor.value}::float8, ${numberCursor.id}::uuid)`);

  const rows = await prisma.$queryRaw<SearchRow[]>`
    SELECT c."id", ${sortValue} AS sort_value, ${distance} AS distance_km,
      c."kind", c."title", c."tags", c."genre", c."projection", c."durationSeconds", c."status", c."visibility",
      c."placeName", c."latitude", c."longitude", c."publishedPath", c."posterFile", c."posterWidths", c."mediaEpoch", c."viewCount", c."likeCount",
      c."ratingCount", c."ratingSum", c."createdAt", c."publishedAt",
      u."id" AS owner_id, u."username" AS owner_username, u."displayName" AS owner_display_name, u."avatarUrl" AS owner_avatar_url
    FROM "Content" c JOIN "User" u ON u."id" = c."ownerId"
    WHERE ${Prisma.join(filters, ' AND ')}
    ORDER BY sort_value DESC NULLS LAST, c."id" DESC
    LIMIT ${query.limit + 1}`;

  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const items: Array<ContentSummary & { distanceKm: number | null }> = page.map((row) => ({
    ...toSummary(
      {
        ...row,
        owner: { id: row.owner_id, username: row.owner_username, displayName: row.owner_display_name, avatarUrl: row.owner_avatar_url },
      },
      links,
    ),
    distanceKm: row.distance_km === null ? null : Math.round(Number(row.distance_km) * 100) / 100,
  }));
  const nextCursor =
    rows.length > query.limit && last ? encodeCursor(last.sort_value instanceof Date ? last.sort_value.toISOString() : Number(last.sort_value), last.id) : null;
  return { items, nextCursor };
}

export const searchProcedure = publicProcedure
  .meta({ openapi: { method: 'GET', path: '/search', tags: ['catalog'], summary: 'Full-text search with filters, distance and cursor pagination' } })
  .input(searchInput)
  .output(searchPageSchema)
  .query(({ ctx, input }) => ctx.searchCache.get(`${ctx.baseUrl} ${JSON.stringify(input)}`, () => searchContent(ctx.prisma, input, ctx.mediaLinks)));
