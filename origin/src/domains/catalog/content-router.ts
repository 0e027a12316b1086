import {
  contentCreateInput,
  contentDetailSchema,
  contentSummarySchema,
  contentUpdateInput,
  finalizeInput,
  idInput,
  idSchema,
  okSchema,
  pageOf,
  pageInput,
  stagedFilesSchema,
  type Location,
} from '@spherecast/shared';

import { notFound } from '../api/errors.ts';
import { creatorProcedure, protectedProcedure, publicProcedure, router, type Context } from '../api/trpc.ts';
import { canView, requireEditableContent } from './access.ts';
import { contentDetailSelect, contentSummarySelect, toDetail, toSummary, VIEWABLE_STATUSES, type ContentDetailRow } from './content-view.ts';
import { decodeDateCursor, pageOfRows } from './cursor.ts';
import { finalizeUpload } from './finalize.ts';

function locationColumns(location: Location | null | undefined) {
  if (location === undefined) return {};
  return {
    placeName: location?.placeName ?? null,
    latitude: location?.latitude ?? null,
    longitude: location?.longitude ?? null,
  };
}

/** The detail view of a content as the caller sees it: with their own like and rating. */
async function detailFor(ctx: Context, row: ContentDetailRow) {
  const [like, rating] = ctx.user
    ? await Promise.all([
        ctx.prisma.like.findUnique({ where: { userId_contentId: { userId: ctx.user.id, contentId: row.id } }, select: { userId: true } }),
        ctx.prisma.rating.findUnique({ where: { userId_contentId: { userId: ctx.user.id, contentId: row.id } }, select: { score: true } }),
      ])
    : [null, null];
  return toDetail(row, { baseUrl: ctx.baseUrl, trackerUrl: ctx.trackerUrl, likedByMe: like !== null, myRating: rating?.score ?? null });
}

const pagedSummaries = pageOf(contentSummarySchema);

export const contentRouter = router({
  create: creatorProcedure
    .meta({ openapi: { method: 'POST', path: '/content', tags: ['content'], summary: 'Create a content (a draft until finalized)', protect: true } })
    .input(contentCreateInput)
    .output(contentDetailSchema)
    .mutation(async ({ ctx, input }) => {
      const row = await ctx.prisma.content.create({
        data: {
          ownerId: ctx.user.id,
          kind: input.kind,
          title: input.title,
          description: input.description,
          tags: input.tags,
          genre: input.genre ?? null,
          projection: input.projection,
          visibility: input.visibility,
          ...locationColumns(input.location),
        },
        select: contentDetailSelect,
      });
      ctx.searchCache.invalidate();
      return detailFor(ctx, row);
    }),

  get: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/content/{id}', tags: ['content'], summary: 'One content with its renditions and playback URLs' } })
    .input(idInput)
    .output(contentDetailSchema)
    .query(async ({ ctx, input }) => {
      const row = await ctx.prisma.content.findUnique({ where: { id: input.id }, select: contentDetailSelect });
      if (!row || !canView(ctx.user, row)) throw notFound('That content');
      return detailFor(ctx, row);
    }),

  update: protectedProcedure
    .meta({ openapi: { method: 'PATCH', path: '/content/{id}', tags: ['content'], summary: 'Change a content you own', protect: true } })
    .input(contentUpdateInput)
    .output(contentDetailSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      const { id, location, ...fields } = input;
      const row = await ctx.prisma.content.update({
        where: { id },
        data: { ...fields, ...locationColumns(location) },
        select: contentDetailSelect,
      });
      ctx.searchCache.invalidate();
      return detailFor(ctx, row);
    }),

  delete: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/content/{id}', tags: ['content'], summary: 'Delete a content you own and its media', protect: true } })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      await ctx.prisma.content.delete({ where: { id: input.id } });
      ctx.searchCache.invalidate();
      await ctx.media.removeContent(input.id);
      return { ok: true as const };
    }),

  listByCreator: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{userId}/content', tags: ['content'], summary: "A creator's content, newest first" } })
    .input(pageInput.extend({ userId: idSchema }))
    .output(pagedSummaries)
    .query(async ({ ctx, input }) => {
      const own = ctx.user?.id === input.userId;
      const cursor = decodeDateCursor(input.cursor);
      const rows = await ctx.prisma.content.findMany({
        where: {
          ownerId: input.userId,
          ...(own ? {} : { visibility: 'public', status: { in: [...VIEWABLE_STATUSES] } }),
          ...(cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        select: contentSummarySelect,
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
      return { items: page.map((row) => toSummary(row, ctx.baseUrl)), nextCursor };
    }),

  uploads: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/content/{id}/uploads', tags: ['media'], summary: 'Files staged so far (for resumable publishing)', protect: true } })
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
    .meta({ openapi: { method: 'POST', path: '/content/{id}/finalize', tags: ['media'], summary: 'Validate the uploaded ladder and publish it', protect: true } })
    .input(finalizeInput)
    .output(contentDetailSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      const existing = await ctx.prisma.content.findUniqueOrThrow({ where: { id: input.id }, select: { kind: true, publishedPath: true } });
      await finalizeUpload(ctx, {
        contentId: input.id,
        kind: existing.kind,
        master: input.master,
        poster: input.poster,
        durationSeconds: input.durationSeconds,
        previousPublishedPath: existing.publishedPath,
      });
      ctx.searchCache.invalidate();
      const row = await ctx.prisma.content.findUniqueOrThrow({ where: { id: input.id }, select: contentDetailSelect });
      return detailFor(ctx, row);
    }),
});

