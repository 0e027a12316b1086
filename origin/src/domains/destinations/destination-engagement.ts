import {
  commentBodySchema,
  destinationCommentSchema,
  destinationCommentsInput,
  destinationCommentThreadSchema,
  idInput,
  idSchema,
  okSchema,
  pageInput,
  pageOf,
  ratingInput,
  ratingStateSchema,
  type DestinationComment,
  type DestinationCommentThread,
  type RatingState,
} from '@spherecast/shared';
import { z } from 'zod';
import { badRequest, forbidden, notFound } from '../../core/errors.ts';
import { protectedProcedure, publicProcedure } from '../../core/trpc.ts';
import { COUNTER_TRANSACTION } from '../../core/counters.ts';
import { afterCursor, decodeDateCursor, pageOfRows } from '../../core/pagination.ts';
import { ownerSelect } from '../../core/user-select.ts';
import type { Prisma, PrismaClient } from '../../db/database.ts';
import { averageOf } from './destination-view.ts';

/**
 * Ratings and threaded comments on destinations, as on content (engagement domain): one rating per
 * user, counters changed under the destination's row lock, threads one level deep, a deleted comment
 * with replies keeps its place without text or author. Tours can follow the same pattern.
 */

const REPLIES_PREVIEW = 20;

const commentSelect = {
  id: true,
  destinationId: true,
  parentId: true,
  body: true,
  createdAt: true,
  editedAt: true,
  deletedAt: true,
  author: { select: ownerSelect },
} as const satisfies Prisma.DestinationCommentSelect;
const threadSelect = {
  ...commentSelect,
  replies: { select: commentSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: REPLIES_PREVIEW },
  _count: { select: { replies: true } },
} as const satisfies Prisma.DestinationCommentSelect;

function toComment(row: Prisma.DestinationCommentGetPayload<{ select: typeof commentSelect }>): DestinationComment {
  const deleted = row.deletedAt !== null;
  return {
    id: row.id,
    destinationId: row.destinationId,
    parentId: row.parentId,
    author: deleted ? null : row.author,
    body: deleted ? null : row.body,
    deleted,
    createdAt: row.createdAt,
    editedAt: row.editedAt,
  };
}
function toThread(row: Prisma.DestinationCommentGetPayload<{ select: typeof threadSelect }>): DestinationCommentThread {
  return { ...toComment(row), replyCount: row._count.replies, replies: row.replies.map(toComment) };
}

const byDate = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id });

/** Runs `work` with the destination's row locked (null when it does not exist), so counters add up exactly. */
async function withDestinationLocked<T>(prisma: PrismaClient, id: string, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T | null> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "Destination" WHERE "id" = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return work(tx);
  }, COUNTER_TRANSACTION);
}

async function ratingState(prisma: PrismaClient, userId: string, destinationId: string): Promise<RatingState> {
  const [destination, rating] = await Promise.all([
    prisma.destination.findUnique({ where: { id: destinationId }, select: { ratingCount: true, ratingSum: true } }),
    prisma.destinationRating.findUnique({ where: { userId_destinationId: { userId, destinationId } }, select: { score: true } }),
  ]);
  if (!destination) throw notFound('That destination');
  return { myRating: rating?.score ?? null, ratingCount: destination.ratingCount, ratingAverage: averageOf(destination.ratingCount, destination.ratingSum) };
}

export const destinationEngagementProcedures = {
  rate: protectedProcedure
    .meta({ openapi: { method: 'PUT', path: '/destinations/{id}/rating', tags: ['destinations'], summary: 'Rate a destination 1 to 5', protect: true } })
    .input(ratingInput)
    .output(ratingStateSchema)
    .mutation(async ({ ctx, input }) => {
      const key = { userId: ctx.user.id, destinationId: input.id };
      const found = await withDestinationLocked(ctx.prisma, input.id, async (tx) => {
        const previous = await tx.destinationRating.findUnique({ where: { userId_destinationId: key }, select: { score: true } });
        await tx.destinationRating.upsert({
          where: { userId_destinationId: key },
          create: { ...key, score: input.score, updatedAt: ctx.now() },
          update: { score: input.score, updatedAt: ctx.now() },
          select: { score: true },
        });
        await tx.destination.update({
          where: { id: input.id },
          data: previous
            ? { ratingSum: { increment: input.score - previous.score } }
            : { ratingCount: { increment: 1 }, ratingSum: { increment: input.score } },
          select: { id: true },
        });
        return true;
      });
      if (!found) throw notFound('That destination');
      return ratingState(ctx.prisma, ctx.user.id, input.id);
    }),

  unrate: protectedProcedure
    .meta({
      openapi: { method: 'DELETE', path: '/destinations/{id}/rating', tags: ['destinations'], summary: 'Remove your rating (idempotent)', protect: true },
    })
    .input(idInput)
    .output(ratingStateSchema)
    .mutation(async ({ ctx, input }) => {
      const key = { userId: ctx.user.id, destinationId: input.id };
      const found = await withDestinationLocked(ctx.prisma, input.id, async (tx) => {
        const previous = await tx.destinationRating.findUnique({ where: { userId_destinationId: key }, select: { score: true } });
        if (!previous) return true;
        await tx.destinationRating.delete({ where: { userId_destinationId: key } });
        await tx.destination.update({
          where: { id: input.id },
          data: { ratingCount: { decrement: 1 }, ratingSum: { decrement: previous.score } },
          select: { id: true },
        });
        return true;
      });
      if (!found) throw notFound('That destination');
      return ratingState(ctx.prisma, ctx.user.id, input.id);
    }),

  comments: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/destinations/{id}/comments',
        tags: ['destinations'],
        summary: 'Top-level comments, newest first, with their first replies',
      },
    })
    .input(destinationCommentsInput)
    .output(pageOf(destinationCommentThreadSchema))
    .query(async ({ ctx, input }) => {
      const exists = await ctx.prisma.destination.findUnique({ where: { id: input.id }, select: { id: true } });
      if (!exists) throw notFound('That destination');
      const rows = await ctx.prisma.destinationComment.findMany({
        where: { destinationId: input.id, parentId: null, ...afterCursor(decodeDateCursor(input.cursor), 'createdAt', 'id') },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        select: threadSelect,
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, byDate);
      return { items: page.map(toThread), nextCursor };
    }),

  replies: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/destination-comments/{id}/replies', tags: ['destinations'], summary: 'All replies to a comment, oldest first' } })
    .input(pageInput.extend({ id: idSchema }))
    .output(pageOf(destinationCommentSchema))
    .query(async ({ ctx, input }) => {
      const parent = await ctx.prisma.destinationComment.findUnique({ where: { id: input.id }, select: { id: true } });
      if (!parent) throw notFound('That comment');
      const rows = await ctx.prisma.destinationComment.findMany({
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
        path: '/destinations/{id}/comments',
        tags: ['destinations'],
        summary: 'Comment on a destination, or reply to a comment on it',
        protect: true,
      },
    })
    .input(z.object({ id: idSchema, body: commentBodySchema, parentId: idSchema.optional() }))
    .output(destinationCommentSchema)
    .mutation(async ({ ctx, input }) => {
      const created = await withDestinationLocked(ctx.prisma, input.id, async (tx) => {
        let parentId: string | null = null;
        if (input.parentId) {
          const parent = await tx.destinationComment.findUnique({
            where: { id: input.parentId },
            select: { destinationId: true, parentId: true, deletedAt: true },
          });
          if (!parent || parent.deletedAt) throw notFound('The comment you reply to');
          if (parent.destinationId !== input.id) throw badRequest('parentId: that comment is on another destination. Reply on the destination it belongs to.');
          parentId = parent.parentId ?? input.parentId;
        }
        const row = await tx.destinationComment.create({
          data: { destinationId: input.id, authorId: ctx.user.id, parentId, body: input.body, createdAt: ctx.now() },
          select: commentSelect,
        });
        await tx.destination.update({ where: { id: input.id }, data: { commentCount: { increment: 1 } }, select: { id: true } });
        return row;
      });
      if (!created) throw notFound('That destination');
      return toComment(created);
    }),

  deleteComment: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/destination-comments/{id}',
        tags: ['destinations'],
        summary: "Delete a comment (its author, the destination's creator, or an admin)",
        protect: true,
      },
    })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const comment = await ctx.prisma.destinationComment.findUnique({
        where: { id: input.id },
        select: { authorId: true, destinationId: true, deletedAt: true, destination: { select: { createdById: true } } },
      });
      if (!comment || comment.deletedAt) throw notFound('That comment');
      const allowed = comment.authorId === ctx.user.id || comment.destination.createdById === ctx.user.id || ctx.user.role === 'admin';
      if (!allowed) throw forbidden("Only the comment's author, the destination's creator or an admin can delete it.");
      const done = await withDestinationLocked(ctx.prisma, comment.destinationId, async (tx) => {
        const current = await tx.destinationComment.findUnique({
          where: { id: input.id },
          select: { parentId: true, deletedAt: true, _count: { select: { replies: true } } },
        });
        if (!current || current.deletedAt) return false;
        if (current._count.replies > 0) {
          await tx.destinationComment.update({ where: { id: input.id }, data: { deletedAt: ctx.now(), body: '' } });
        } else {
          await tx.destinationComment.delete({ where: { id: input.id } });
          if (current.parentId) await tx.destinationComment.deleteMany({ where: { id: current.parentId, deletedAt: { not: null }, replies: { none: {} } } });
        }
        await tx.destination.update({ where: { id: comment.destinationId }, data: { commentCount: { decrement: 1 } }, select: { id: true } });
        return true;
      });
      if (!done) throw notFound('That comment');
      return { ok: true as const };
    }),
};
