import {
  commentBodySchema,
  tourCommentSchema,
  tourCommentsInput,
  tourCommentThreadSchema,
  idInput,
  idSchema,
  okSchema,
  pageInput,
  pageOf,
  ratingInput,
  ratingStateSchema,
  type TourComment,
  type TourCommentThread,
  type RatingState,
} from '@spherecast/shared';
import { z } from 'zod';
import { badRequest, forbidden, notFound } from '../../core/errors.ts';
import { protectedProcedure, publicProcedure, type Context } from '../../core/trpc.ts';
import { COUNTER_TRANSACTION } from '../../core/counters.ts';
import { afterCursor, decodeDateCursor, pageOfRows } from '../../core/pagination.ts';
import { ownerSelect } from '../../core/user-select.ts';
import type { Prisma, PrismaClient } from '../../db/database.ts';
import { canViewTour } from './tour-access.ts';

const averageOf = (count: number, sum: number): number | null => (count > 0 ? Math.round((sum / count) * 100) / 100 : null);

/**
 * Ratings and threaded comments on tours (#15), as on destinations and content: one rating per user,
 * counters changed under the tour's row lock, threads one level deep, a deleted comment with replies
 * keeps its place without text or author. Only a tour the caller may see is read; only a published
 * one is rated or commented on.
 */

const REPLIES_PREVIEW = 20;

const commentSelect = {
  id: true,
  tourId: true,
  parentId: true,
  body: true,
  createdAt: true,
  editedAt: true,
  deletedAt: true,
  author: { select: ownerSelect },
} as const satisfies Prisma.TourCommentSelect;
const threadSelect = {
  ...commentSelect,
  replies: { select: commentSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: REPLIES_PREVIEW },
  _count: { select: { replies: true } },
} as const satisfies Prisma.TourCommentSelect;

function toComment(row: Prisma.TourCommentGetPayload<{ select: typeof commentSelect }>): TourComment {
  const deleted = row.deletedAt !== null;
  return {
    id: row.id,
    tourId: row.tourId,
    parentId: row.parentId,
    author: deleted ? null : row.author,
    body: deleted ? null : row.body,
    deleted,
    createdAt: row.createdAt,
    editedAt: row.editedAt,
  };
}
function toThread(row: Prisma.TourCommentGetPayload<{ select: typeof threadSelect }>): TourCommentThread {
  return { ...toComment(row), replyCount: row._count.replies, replies: row.replies.map(toComment) };
}

const byDate = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id });

/** Runs `work` with the tour's row locked (null when it does not exist), so counters add up exactly. */
async function withTourLocked<T>(prisma: PrismaClient, id: string, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T | null> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "Tour" WHERE "id" = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return work(tx);
  }, COUNTER_TRANSACTION);
}

/** The tour if the caller may see it (else 404, as for a tour that does not exist); `engage`: it must be published too. */
async function requireVisibleTour(ctx: Context, id: string, engage = false): Promise<{ id: string; ownerId: string }> {
  const tour = await ctx.prisma.tour.findUnique({ where: { id }, select: { id: true, ownerId: true, status: true, visibility: true } });
  if (!tour || !canViewTour(ctx.user, tour)) throw notFound('That tour');
  if (engage && tour.status !== 'published') throw badRequest('This tour is a draft: publish it before it can be rated or commented on.');
  return tour;
}

async function ratingState(prisma: PrismaClient, userId: string | null, tourId: string): Promise<RatingState> {
  const [tour, rating] = await Promise.all([
    prisma.tour.findUnique({ where: { id: tourId }, select: { ratingCount: true, ratingSum: true } }),
    userId ? prisma.tourRating.findUnique({ where: { userId_tourId: { userId, tourId } }, select: { score: true } }) : null,
  ]);
  if (!tour) throw notFound('That tour');
  return { myRating: rating?.score ?? null, ratingCount: tour.ratingCount, ratingAverage: averageOf(tour.ratingCount, tour.ratingSum) };
}

export const tourEngagementProcedures = {
  rating: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/tours/{id}/rating', tags: ['tours'], summary: "A tour's average rating, its count, and yours" } })
    .input(idInput)
    .output(ratingStateSchema)
    .query(async ({ ctx, input }) => {
      await requireVisibleTour(ctx, input.id);
      return ratingState(ctx.prisma, ctx.user?.id ?? null, input.id);
    }),

  rate: protectedProcedure
    .meta({ openapi: { method: 'PUT', path: '/tours/{id}/rating', tags: ['tours'], summary: 'Rate a published tour 1 to 5', protect: true } })
    .input(ratingInput)
    .output(ratingStateSchema)
    .mutation(async ({ ctx, input }) => {
      await requireVisibleTour(ctx, input.id, true);
      const key = { userId: ctx.user.id, tourId: input.id };
      const found = await withTourLocked(ctx.prisma, input.id, async (tx) => {
        const previous = await tx.tourRating.findUnique({ where: { userId_tourId: key }, select: { score: true } });
        await tx.tourRating.upsert({
          where: { userId_tourId: key },
          create: { ...key, score: input.score, updatedAt: ctx.now() },
          update: { score: input.score, updatedAt: ctx.now() },
          select: { score: true },
        });
        await tx.tour.update({
          where: { id: input.id },
          data: previous
            ? { ratingSum: { increment: input.score - previous.score } }
            : { ratingCount: { increment: 1 }, ratingSum: { increment: input.score } },
          select: { id: true },
        });
        return true;
      });
      if (!found) throw notFound('That tour');
      return ratingState(ctx.prisma, ctx.user.id, input.id);
    }),

  unrate: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/tours/{id}/rating', tags: ['tours'], summary: 'Remove your rating of a tour (idempotent)', protect: true } })
    .input(idInput)
    .output(ratingStateSchema)
    .mutation(async ({ ctx, input }) => {
      await requireVisibleTour(ctx, input.id);
      const key = { userId: ctx.user.id, tourId: input.id };
      const found = await withTourLocked(ctx.prisma, input.id, async (tx) => {
        const previous = await tx.tourRating.findUnique({ where: { userId_tourId: key }, select: { score: true } });
        if (!previous) return true;
        await tx.tourRating.delete({ where: { userId_tourId: key } });
        await tx.tour.update({
          where: { id: input.id },
          data: { ratingCount: { decrement: 1 }, ratingSum: { decrement: previous.score } },
          select: { id: true },
        });
        return true;
      });
      if (!found) throw notFound('That tour');
      return ratingState(ctx.prisma, ctx.user.id, input.id);
    }),

  comments: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/tours/{id}/comments',
        tags: ['tours'],
        summary: 'Top-level comments on a tour, newest first, with their first replies',
      },
    })
    .input(tourCommentsInput)
    .output(pageOf(tourCommentThreadSchema))
    .query(async ({ ctx, input }) => {
      await requireVisibleTour(ctx, input.id);
      const rows = await ctx.prisma.tourComment.findMany({
        where: { tourId: input.id, parentId: null, ...afterCursor(decodeDateCursor(input.cursor), 'createdAt', 'id') },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        select: threadSelect,
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, byDate);
      return { items: page.map(toThread), nextCursor };
    }),

  replies: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/tour-comments/{id}/replies', tags: ['tours'], summary: 'All replies to a comment on a tour, oldest first' } })
    .input(pageInput.extend({ id: idSchema }))
    .output(pageOf(tourCommentSchema))
    .query(async ({ ctx, input }) => {
      const parent = await ctx.prisma.tourComment.findUnique({ where: { id: input.id }, select: { tourId: true } });
      if (!parent) throw notFound('That comment');
      await requireVisibleTour(ctx, parent.tourId);
      const rows = await ctx.prisma.tourComment.findMany({
        where: { parentId: input.id, ...afterCursor(decodeDateCursor(input.cursor), 'createdAt', 'id', 'asc') },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: input.limit + 1,
        select: commentSelect,
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, byDate);
      return { items: page.map(toComment), nextCursor };
    }),

  addComment: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/tours/{id}/comments',
        tags: ['tours'],
        summary: 'Comment on a published tour, or reply to a comment on it',
        protect: true,
      },
    })
    .input(z.object({ id: idSchema, body: commentBodySchema, parentId: idSchema.optional() }))
    .output(tourCommentSchema)
    .mutation(async ({ ctx, input }) => {
      await requireVisibleTour(ctx, input.id, true);
      const created = await withTourLocked(ctx.prisma, input.id, async (tx) => {
        let parentId: string | null = null;
        if (input.parentId) {
          const parent = await tx.tourComment.findUnique({ where: { id: input.parentId }, select: { tourId: true, parentId: true, deletedAt: true } });
          if (!parent || parent.deletedAt) throw notFound('The comment you reply to');
          if (parent.tourId !== input.id) throw badRequest('parentId: that comment is on another tour. Reply on the tour it belongs to.');
          parentId = parent.parentId ?? input.parentId;
        }
        const row = await tx.tourComment.create({
          data: { tourId: input.id, authorId: ctx.user.id, parentId, body: input.body, createdAt: ctx.now() },
          select: commentSelect,
        });
        await tx.tour.update({ where: { id: input.id }, data: { commentCount: { increment: 1 } }, select: { id: true } });
        return row;
      });
      if (!created) throw notFound('That tour');
      return toComment(created);
    }),

  deleteComment: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/tour-comments/{id}',
        tags: ['tours'],
        summary: "Delete a comment on a tour (its author, the tour's creator, or an admin)",
        protect: true,
      },
    })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const comment = await ctx.prisma.tourComment.findUnique({
        where: { id: input.id },
        select: { authorId: true, tourId: true, deletedAt: true, tour: { select: { ownerId: true } } },
      });
      if (!comment || comment.deletedAt) throw notFound('That comment');
      const allowed = comment.authorId === ctx.user.id || comment.tour.ownerId === ctx.user.id || ctx.user.role === 'admin';
      if (!allowed) throw forbidden("Only the comment's author, the tour's creator or an admin can delete it.");
      const done = await withTourLocked(ctx.prisma, comment.tourId, async (tx) => {
        const current = await tx.tourComment.findUnique({
          where: { id: input.id },
          select: { parentId: true, deletedAt: true, _count: { select: { replies: true } } },
        });
        if (!current || current.deletedAt) return false;
        if (current._count.replies > 0) {
          await tx.tourComment.update({ where: { id: input.id }, data: { deletedAt: ctx.now(), body: '' } });
        } else {
          await tx.tourComment.delete({ where: { id: input.id } });
          if (current.parentId) await tx.tourComment.deleteMany({ where: { id: current.parentId, deletedAt: { not: null }, replies: { none: {} } } });
        }
        await tx.tour.update({ where: { id: comment.tourId }, data: { commentCount: { decrement: 1 } }, select: { id: true } });
        return true;
      });
      if (!done) throw notFound('That comment');
      return { ok: true as const };
    }),
};
