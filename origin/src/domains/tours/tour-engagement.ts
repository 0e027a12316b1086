import { tourCommentSchema, tourCommentThreadSchema } from '@spherecast/shared';
import { badRequest, notFound } from '../../core/errors.ts';
import { subjectEngagementProcedures } from '../../core/subject-engagement.ts';
import type { Context } from '../../core/trpc.ts';
import { canViewTour } from './tour-access.ts';

/** The tour if the caller may see it (else 404, as for a tour that does not exist); `engage`: it must be published too. */
async function requireVisibleTour(ctx: Context, id: string, engage: boolean): Promise<void> {
  const tour = await ctx.prisma.tour.findUnique({ where: { id }, select: { id: true, ownerId: true, status: true, visibility: true } });
  if (!tour || !canViewTour(ctx.user, tour)) throw notFound('That tour');
  if (engage && tour.status !== 'published') throw badRequest('This tour is a draft: publish it before it can be rated or commented on.');
}

/**
 * Ratings and threaded comments on tours (#15), as on destinations and content
 * (core/subject-engagement.ts). Only a tour the caller may see is read; only a published one is
 * rated or commented on; its creator moderates the comments.
 */
export const tourEngagementProcedures = subjectEngagementProcedures({
  noun: 'tour',
  engageable: 'a published tour',
  key: 'tourId',
  tables: (db) => ({ subject: db.tour, comments: db.tourComment, ratings: db.tourRating }),
  creatorOf: async (db, id) => (await db.tour.findUnique({ where: { id }, select: { ownerId: true } }))?.ownerId ?? null,
  requireAccess: (ctx, id, need) => requireVisibleTour(ctx, id, need === 'engage'),
  schemas: { comment: tourCommentSchema, thread: tourCommentThreadSchema },
});
