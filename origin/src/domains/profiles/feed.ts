import { contentSummarySchema, pageInput, pageOf } from '@spherecast/shared';
import { protectedProcedure } from '../../core/trpc.ts';
import { contentSummarySelect, toSummary } from '../../core/content-view.ts';
import { afterCursor, decodeDateCursor, pageOfRows } from '../../core/pagination.ts';

/** Public, ready content of the creators the caller follows, newest published first. */
export const feedProcedure = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/feed', tags: ['profiles'], summary: 'New content from the creators you follow', protect: true } })
  .input(pageInput)
  .output(pageOf(contentSummarySchema))
  .query(async ({ ctx, input }) => {
    const cursor = decodeDateCursor(input.cursor);
    const rows = await ctx.prisma.content.findMany({
      where: {
        visibility: 'public',
        status: 'ready',
        owner: { followers: { some: { followerId: ctx.user.id } } },
        // Ready content always has one; the filter keeps the keyset order total.
        publishedAt: { not: null },
        ...afterCursor(cursor, 'publishedAt', 'id'),
      },
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      take: input.limit + 1,
      select: contentSummarySelect,
    });
    const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.publishedAt ?? row.createdAt, id: row.id }));
    return { items: page.map((row) => toSummary(row, ctx.mediaLinks)), nextCursor };
  });
