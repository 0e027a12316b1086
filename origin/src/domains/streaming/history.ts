import { historyItemSchema, pageInput, pageOf, type HistoryItem } from '@spherecast/shared';
import { protectedProcedure } from '../../core/trpc.ts';
import { contentSummarySelect, toSummary } from '../../core/content-view.ts';
import { Prisma } from '../../db/database.ts';
import { decodeDateCursor, pageOfRows } from '../../core/pagination.ts';

interface LatestSession {
  id: string;
  contentId: string;
  lastHeartbeatAt: Date;
  lastPositionSeconds: number;
  completed: boolean;
}

/**
 * Watch history: the latest session of each content the caller watched (and may still see), most
 * recently watched first, in keyset pages over (lastHeartbeatAt, session id).
 */
export const historyProcedure = protectedProcedure
  .meta({
    openapi: { method: 'GET', path: '/me/history', tags: ['streaming'], summary: 'What you watched, latest first, with where you stopped', protect: true },
  })
  .input(pageInput)
  .output(pageOf(historyItemSchema))
  .query(async ({ ctx, input }) => {
    const userId = ctx.user.id;
    const cursor = decodeDateCursor(input.cursor);
    const after = cursor ? Prisma.sql`WHERE (latest."lastHeartbeatAt", latest."id") < (${cursor.at}::timestamp, ${cursor.id}::uuid)` : Prisma.empty;
    const rows = await ctx.prisma.$queryRaw<LatestSession[]>`
      SELECT latest.* FROM (
        SELECT DISTINCT ON (s."contentId") s."id", s."contentId", s."lastHeartbeatAt", s."lastPositionSeconds", s."completed"
        FROM "ViewingSession" s JOIN "Content" c ON c."id" = s."contentId"
        WHERE s."userId" = ${userId}::uuid
          AND (c."ownerId" = ${userId}::uuid OR (c."visibility" <> 'private' AND c."status" IN ('ready', 'live', 'ended')))
        ORDER BY s."contentId", s."lastHeartbeatAt" DESC, s."id" DESC
      ) latest
      ${after}
      ORDER BY latest."lastHeartbeatAt" DESC, latest."id" DESC
      LIMIT ${input.limit + 1}`;
    const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.lastHeartbeatAt, id: row.id }));
    const contents = await ctx.prisma.content.findMany({ where: { id: { in: page.map((row) => row.contentId) } }, select: contentSummarySelect });
    const byId = new Map(contents.map((content) => [content.id, content]));
    const items: HistoryItem[] = [];
    for (const row of page) {
      const content = byId.get(row.contentId);
      // Deleted between the two queries: leave it out rather than fail the page.
      if (!content) continue;
      items.push({
        sessionId: row.id,
        positionSeconds: row.lastPositionSeconds,
        completed: row.completed,
        watchedAt: row.lastHeartbeatAt,
        content: toSummary(content, ctx.mediaLinks),
      });
    }
    return { items, nextCursor };
  });
