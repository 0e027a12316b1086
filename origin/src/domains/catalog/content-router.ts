import {
  contentCreateInput,
  contentDetailSchema,
  contentSummarySchema,
  contentUpdateInput,
  idInput,
  idSchema,
  okSchema,
  pageOf,
  pageInput,
  type Location,
} from '@spherecast/shared';

import { creatorProcedure, protectedProcedure, publicProcedure } from '../../core/trpc.ts';
import { requireEditableContent, viewableOrNotFound } from '../../core/access.ts';
import { contentDetailFor, contentDetailSelect, contentSummarySelect, toSummary, VIEWABLE_STATUSES } from '../../core/content-view.ts';
import { afterCursor, decodeDateCursor, pageOfRows } from '../../core/pagination.ts';

function locationColumns(location: Location | null | undefined) {
  if (location === undefined) return {};
  return {
    placeName: location?.placeName ?? null,
    latitude: location?.latitude ?? null,
    longitude: location?.longitude ?? null,
  };
}

const pagedSummaries = pageOf(contentSummarySchema);

/** Content CRUD; the edge adds the media domain's upload and finalize procedures under the same `content.` names. */
export const contentProcedures = {
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
      return contentDetailFor(ctx, row);
    }),

  get: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/content/{id}', tags: ['content'], summary: 'One content with its renditions and playback URLs' } })
    .input(idInput)
    .output(contentDetailSchema)
    .query(async ({ ctx, input }) => {
      const row = await ctx.prisma.content.findUnique({ where: { id: input.id }, select: contentDetailSelect });
      return contentDetailFor(
        ctx,
        viewableOrNotFound(ctx.user, row, 'That content', (r) => r),
      );
    }),

  update: protectedProcedure
    .meta({ openapi: { method: 'PATCH', path: '/content/{id}', tags: ['content'], summary: 'Change a content you own', protect: true } })
    .input(contentUpdateInput)
    .output(contentDetailSchema)
    .mutation(async ({ ctx, input }) => {
      const current = await requireEditableContent(ctx.prisma, ctx.user, input.id);
      const { id, location, ...fields } = input;
      // A new epoch revokes every signed media URL handed out before: making a video private takes effect at once.
      const visibilityChanged = fields.visibility !== undefined && fields.visibility !== current.visibility;
      const row = await ctx.prisma.content.update({
        where: { id },
        data: { ...fields, ...locationColumns(location), ...(visibilityChanged ? { mediaEpoch: { increment: 1 } } : {}) },
        select: contentDetailSelect,
      });
      ctx.searchCache.invalidate();
      ctx.mediaAccess.invalidate(id);
      return contentDetailFor(ctx, row);
    }),

  delete: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/content/{id}', tags: ['content'], summary: 'Delete a content you own and its media', protect: true } })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await requireEditableContent(ctx.prisma, ctx.user, input.id);
      await ctx.prisma.content.delete({ where: { id: input.id } });
      ctx.searchCache.invalidate();
      ctx.mediaAccess.invalidate(input.id);
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
          ...afterCursor(cursor, 'createdAt', 'id'),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        select: contentSummarySelect,
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
      return { items: page.map((row) => toSummary(row, ctx.mediaLinks)), nextCursor };
    }),
};
