import { idInput, ratingInput, ratingStateSchema, type RatingState } from '@spherecast/shared';
import { notFound } from '../../core/errors.ts';
import { protectedProcedure } from '../../core/trpc.ts';
import { requireViewableContent } from '../../core/access.ts';
import type { PrismaClient } from '../../db/database.ts';
import { changeCounters, withContentLocked } from '../../core/counters.ts';

async function ratingState(prisma: PrismaClient, userId: string, contentId: string): Promise<RatingState> {
  const [content, rating] = await Promise.all([
    prisma.content.findUnique({ where: { id: contentId }, select: { ratingCount: true, ratingSum: true } }),
    prisma.rating.findUnique({ where: { userId_contentId: { userId, contentId } }, select: { score: true } }),
  ]);
  if (!content) throw notFound('That content');
  return {
    myRating: rating?.score ?? null,
    ratingCount: content.ratingCount,
    ratingAverage: content.ratingCount > 0 ? Math.round((content.ratingSum / content.ratingCount) * 100) / 100 : null,
  };
}

/**
 * One rating per user and content. The previous score is read under the content lock, so
 * ratingCount and ratingSum change by exactly what the upsert or delete changed.
 */
export const ratingProcedures = {
  rate: protectedProcedure
    .meta({
      openapi: {
        method: 'PUT',
        path: '/content/{id}/rating',
        tags: ['engagement'],
        summary: 'Rate a content 1 to 5 (replaces your earlier rating)',
        protect: true,
      },
    })
    .input(ratingInput)
    .output(ratingStateSchema)
    .mutation(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      const key = { userId: ctx.user.id, contentId: input.id };
      const found = await withContentLocked(ctx.prisma, input.id, async (tx) => {
        const previous = await tx.rating.findUnique({ where: { userId_contentId: key }, select: { score: true } });
        await tx.rating.upsert({
          where: { userId_contentId: key },
          create: { ...key, score: input.score },
          update: { score: input.score },
          select: { score: true },
        });
        await changeCounters(tx, input.id, previous ? { ratingSum: input.score - previous.score } : { ratingCount: 1, ratingSum: input.score });
        return true;
      });
      if (!found) throw notFound('That content');
      return ratingState(ctx.prisma, ctx.user.id, input.id);
    }),

  unrate: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/content/{id}/rating', tags: ['engagement'], summary: 'Remove your rating (idempotent)', protect: true } })
    .input(idInput)
    .output(ratingStateSchema)
    .mutation(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      const key = { userId: ctx.user.id, contentId: input.id };
      await withContentLocked(ctx.prisma, input.id, async (tx) => {
        const previous = await tx.rating.findUnique({ where: { userId_contentId: key }, select: { score: true } });
        if (!previous) return;
        await tx.rating.delete({ where: { userId_contentId: key } });
        await changeCounters(tx, input.id, { ratingCount: -1, ratingSum: -previous.score });
      });
      return ratingState(ctx.prisma, ctx.user.id, input.id);
    }),
};
