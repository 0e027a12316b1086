import { captionListSchema, captionPutInput, captionRefInput, idInput } from '@spherecast/shared';
import { requireEditableContent, requireViewableContent } from '../../core/access.ts';
import { protectedProcedure, publicProcedure } from '../../core/trpc.ts';
import { changeCaptions, listCaptions } from './captions.ts';

const captionContentSelect = { id: true, kind: true, status: true, publishedPath: true, masterFile: true, durationSeconds: true } as const;

/**
 * Captions of a published video (see captions.ts). The edge serves them under the content's names:
 * `content.captions`, `content.putCaption`, `content.removeCaption`.
 */
export const captionProcedures = {
  captions: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/content/{id}/captions', tags: ['media'], summary: 'Caption languages of a video' } })
    .input(idInput)
    .output(captionListSchema)
    .query(async ({ ctx, input }) => {
      await requireViewableContent(ctx.prisma, ctx.user, input.id);
      const content = await ctx.prisma.content.findUniqueOrThrow({ where: { id: input.id }, select: captionContentSelect });
      return { tracks: await listCaptions(ctx, content) };
    }),

  putCaption: protectedProcedure
    .meta({
      openapi: {
        method: 'PUT',
        path: '/content/{id}/captions/{lang}',
        tags: ['media'],
        summary: 'Add or replace the captions of one language (WebVTT, at most 512 KiB; lang is a BCP 47 tag)',
        protect: true,
      },
    })
    .input(captionPutInput)
    .output(captionListSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      return { tracks: await changeCaptions(ctx, input.id, { put: { lang: input.lang, label: input.label, vtt: input.vtt } }) };
    }),

  removeCaption: protectedProcedure
    .meta({
      openapi: { method: 'DELETE', path: '/content/{id}/captions/{lang}', tags: ['media'], summary: 'Remove the captions of one language', protect: true },
    })
    .input(captionRefInput)
    .output(captionListSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      return { tracks: await changeCaptions(ctx, input.id, { remove: input.lang }) };
    }),
};
