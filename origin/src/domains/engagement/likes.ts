import { contentSummarySchema, idInput, likeStateSchema, pageInput, pageOf, type LikeState } from '@spherecast/shared';
import { notFound } from '../../core/errors.ts';
import { protectedProcedure } from '../../core/trpc.ts';
import { requireViewableContent } from '../../core/access.ts';
import { contentSummarySelect, toSummary, VIEWABLE_STATUSES } from '../../core/content-view.ts';
import type { PrismaClient } from '../../db/database.ts';
import { afterCursor, decodeDateCursor, pageOfRows } from '../../core/pagination.ts';
import { changeCounters, COUNTER_TRANSACTION } from '../../core/counters.ts';

async function likeState(prisma: PrismaClient, userId: string, contentId: string): Promise<LikeState> {
  const [content, like] = await Promise.all([
    prisma.content.findUnique({ where: { id: contentId }, select: { likeCount: true } }),
    prisma.like.findUnique({ where: { userId_contentId: { userId, contentId } }, select: { userId: true } }),
  ]);
  if (!content) throw notFound('That content');
  return { liked: like !== null, likeCount: content.likeCount };
}

/**
 * Like and unlike are idempotent. The counter moves only when a row was really inserted or deleted,
 * in the same transaction; the primary key (userId, contentId) makes a concurrent duplicate wait
 * for the first and then insert nothing, so likeCount stays exact.
 */
export const likeProcedures = {
  like: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/content/{id}/like', tags: ['engagement'], summary: 'Like a content (idempotent)', protect: true } })
    .input(idInput)
    .output(likeStateSchema)
    .mutation(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      const userId = ctx.user.id;
      await ctx.prisma.$transaction(async (tx) => {
        const { count } = await tx.like.createMany({ data: [{ userId, contentId: input.id, createdAt: ctx.now() }], skipDuplicates: true });
        if (count > 0) await changeCounters(tx, input.id, { likeCount: count });
      }, COUNTER_TRANSACTION);
      return likeState(ctx.prisma, userId, input.id);
    }),

  unlike: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/content/{id}/like', tags: ['engagement'], summary: 'Take a like back (idempotent)', protect: true } })
    .input(idInput)
    .output(likeStateSchema)
    .mutation(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      const userId = ctx.user.id;
      await ctx.prisma.$transaction(async (tx) => {
        const { count } = await tx.like.deleteMany({ where: { userId, contentId: input.id } });
        if (count > 0) await changeCounters(tx, input.id, { likeCount: -count });
      }, COUNTER_TRANSACTION);
      return likeState(ctx.prisma, userId, input.id);
    }),

  myLikes: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/me/likes', tags: ['engagement'], summary: 'What you liked, most recent like first', protect: true } })
    .input(pageInput)
    .output(pageOf(contentSummarySchema))
    .query(async ({ ctx, input }) => {
      const userId = ctx.user.id;
      const cursor = decodeDateCursor(input.cursor);
      const rows = await ctx.prisma.like.findMany({
        where: {
          userId,
          // Likes stay when content is made private or taken down, but only what may be seen is listed.
          content: { OR: [{ ownerId: userId }, { visibility: { not: 'private' }, status: { in: [...VIEWABLE_STATUSES] } }] },
          ...afterCursor(cursor, 'createdAt', 'contentId'),
        },
        orderBy: [{ createdAt: 'desc' }, { contentId: 'desc' }],
        take: input.limit + 1,
        select: { createdAt: true, content: { select: contentSummarySelect } },
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.createdAt, id: row.content.id }));
      return { items: page.map((row) => toSummary(row.content, ctx.mediaLinks)), nextCursor };
    }),
};
