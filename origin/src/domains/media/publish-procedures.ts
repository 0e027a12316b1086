import { TRPCError } from '@trpc/server';
import { contentDetailSchema, finalizeInput, idInput, stagedFilesSchema } from '@spherecast/shared';
import { requireEditableContent } from '../../core/access.ts';
import { contentDetailFor, contentDetailSelect } from '../../core/content-view.ts';
import { protectedProcedure } from '../../core/trpc.ts';
import { finalizeUpload } from './finalize.ts';

/**
 * Publishing a ladder: what has been staged so far, and finalize. The edge serves them under the
 * content's names (`content.uploads`, `content.finalize`); uploads themselves are `PUT /media/...`.
 */
export const publishProcedures = {
  uploads: protectedProcedure
    .meta({
      openapi: { method: 'GET', path: '/content/{id}/uploads', tags: ['media'], summary: 'Files staged so far (for resumable publishing)', protect: true },
    })
    .input(idInput)
    .output(stagedFilesSchema)
    .query(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      const files = await ctx.prisma.upload.findMany({
        where: { contentId: input.id, status: 'staged' },
        select: { path: true, size: true, sha256: true },
        orderBy: { path: 'asc' },
      });
      return { files: files.map((file) => ({ ...file, size: Number(file.size) })) };
    }),

  finalize: protectedProcedure
    .meta({
      openapi: { method: 'POST', path: '/content/{id}/finalize', tags: ['media'], summary: 'Validate the uploaded ladder and publish it', protect: true },
    })
    .input(finalizeInput)
    .output(contentDetailSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      const existing = await ctx.prisma.content.findUniqueOrThrow({ where: { id: input.id }, select: { kind: true } });
      if (existing.kind === 'live') {
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'This content is a live broadcast: its live channel publishes it, and it becomes a video when the broadcast ends.',
        });
      }
      await finalizeUpload(ctx, {
        contentId: input.id,
        kind: existing.kind,
        master: input.master,
        poster: input.poster,
        durationSeconds: input.durationSeconds,
      });
      ctx.searchCache.invalidate();
      ctx.mediaAccess.invalidate(input.id);
      const row = await ctx.prisma.content.findUniqueOrThrow({ where: { id: input.id }, select: contentDetailSelect });
      return contentDetailFor(ctx, row);
    }),
};
