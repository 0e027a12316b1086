import {
  commentCreateInput,
  commentSchema,
  commentsInput,
  commentThreadSchema,
  commentUpdateInput,
  idInput,
  idSchema,
  okSchema,
  pageInput,
  pageOf,
} from '@spherecast/shared';
import { forbidden, notFound } from '../../core/errors.ts';
import { protectedProcedure, publicProcedure } from '../../core/trpc.ts';
import { canView, requireViewableContent } from '../../core/access.ts';
import { commentSelectFor, insertComment, removeComment, repliesPage, threadsPage, toComment } from '../../core/subject-engagement.ts';
import { changeCounters, withContentLocked } from '../../core/counters.ts';

/**
 * Threads are one level deep: top-level comments (newest first) and their replies (oldest first).
 * commentCount counts comments that are not deleted, replies included. Deleting a comment that has
 * replies leaves a placeholder without text or author; a placeholder goes once its last reply does.
 */
export const commentProcedures = {
  comments: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/content/{id}/comments',
        tags: ['engagement'],
        summary: 'Top-level comments, newest first, each with its first replies',
      },
    })
    .input(commentsInput)
    .output(pageOf(commentThreadSchema))
    .query(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      return threadsPage(ctx.prisma.comment, 'contentId', input.id, input);
    }),

  replies: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/comments/{id}/replies', tags: ['engagement'], summary: 'All replies to a comment, oldest first' } })
    .input(pageInput.extend({ id: idSchema }))
    .output(pageOf(commentSchema))
    .query(async ({ ctx, input }) => {
      const parent = await ctx.prisma.comment.findUnique({
        where: { id: input.id },
        select: { content: { select: { ownerId: true, status: true, visibility: true } } },
      });
      if (!parent || !canView(ctx.user, parent.content)) throw notFound('That comment');
      return repliesPage(ctx.prisma.comment, 'contentId', input.id, input);
    }),

  addComment: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/content/{id}/comments',
        tags: ['engagement'],
        summary: 'Comment on a content, or reply to a comment on it',
        protect: true,
      },
    })
    .input(commentCreateInput)
    .output(commentSchema)
    .mutation(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      // Under the content lock, so the parent cannot be deleted between the check and the insert.
      const created = await withContentLocked(ctx.prisma, input.id, async (tx) => {
        const row = await insertComment(tx.comment, 'contentId', 'content', {
          subjectId: input.id,
          authorId: ctx.user.id,
          body: input.body,
          parentId: input.parentId,
          at: ctx.now(),
        });
        await changeCounters(tx, input.id, { commentCount: 1 });
        return row;
      });
      if (!created) throw notFound('That content');
      return toComment('contentId', created);
    }),

  editComment: protectedProcedure
    .meta({ openapi: { method: 'PATCH', path: '/comments/{id}', tags: ['engagement'], summary: 'Change the text of your comment', protect: true } })
    .input(commentUpdateInput)
    .output(commentSchema)
    .mutation(async ({ ctx, input }) => {
      const comment = await ctx.prisma.comment.findUnique({
        where: { id: input.id },
        select: { authorId: true, deletedAt: true, content: { select: { ownerId: true, status: true, visibility: true } } },
      });
      // A comment on content the caller can no longer see (made private, unpublished) is gone for
      // them, as it is when they read the thread: 404, not an edit.
      if (!comment || comment.deletedAt || !canView(ctx.user, comment.content)) throw notFound('That comment');
      if (comment.authorId !== ctx.user.id) throw forbidden('Only the author of a comment can edit it.');
      const row = await ctx.prisma.comment.update({
        where: { id: input.id },
        data: { body: input.body, editedAt: ctx.now() },
        select: commentSelectFor('contentId'),
      });
      return toComment('contentId', row);
    }),

  deleteComment: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/comments/{id}',
        tags: ['engagement'],
        summary: "Delete a comment (its author, the content's owner, or an admin)",
        protect: true,
      },
    })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const comment = await ctx.prisma.comment.findUnique({
        where: { id: input.id },
        select: { authorId: true, contentId: true, deletedAt: true, content: { select: { ownerId: true, status: true, visibility: true } } },
      });
      if (!comment || comment.deletedAt || !canView(ctx.user, comment.content)) throw notFound('That comment');
      const allowed = comment.authorId === ctx.user.id || comment.content.ownerId === ctx.user.id || ctx.user.role === 'admin';
      if (!allowed) throw forbidden("Only the comment's author, the content's owner or an admin can delete it.");
      const done = await withContentLocked(ctx.prisma, comment.contentId, async (tx) => {
        if (!(await removeComment(tx.comment, input.id, ctx.now()))) return false;
        await changeCounters(tx, comment.contentId, { commentCount: -1 });
        return true;
      });
      if (!done) throw notFound('That comment');
      return { ok: true as const };
    }),
};
