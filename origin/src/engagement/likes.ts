import { idInput, likeStateSchema, type LikeState } from '@spherecast/shared';
import { notFound } from '../api/errors.ts';
import { protectedProcedure } from '../api/trpc.ts';
import { requireViewableContent } from '../catalog/access.ts';
import type { PrismaClient } from '../db/database.ts';
import { changeCounters, COUNTER_TRANSACTION } from './popularity.ts';

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
};
