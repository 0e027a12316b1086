import { destinationCommentSchema, destinationCommentThreadSchema } from '@spherecast/shared';
import { notFound } from '../../core/errors.ts';
import { subjectEngagementProcedures } from '../../core/subject-engagement.ts';

/**
 * Ratings and threaded comments on destinations, as on tours and content (core/subject-engagement.ts).
 * Anyone may read and, signed in, rate and comment on a destination; its creator moderates the comments.
 */
const { rating: _rating, ...procedures } = subjectEngagementProcedures({
  noun: 'destination',
  engageable: 'a destination',
  key: 'destinationId',
  tables: (db) => ({ subject: db.destination, comments: db.destinationComment, ratings: db.destinationRating }),
  creatorOf: async (db, id) => (await db.destination.findUnique({ where: { id }, select: { createdById: true } }))?.createdById ?? null,
  requireAccess: async (ctx, id) => {
    const exists = await ctx.prisma.destination.findUnique({ where: { id }, select: { id: true } });
    if (!exists) throw notFound('That destination');
  },
  schemas: { comment: destinationCommentSchema, thread: destinationCommentThreadSchema },
});

/** The destination's rating arrives with the destination (`destinations.get`), so it has no `rating` query of its own. */
export const destinationEngagementProcedures = procedures;
