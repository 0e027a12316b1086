import { heartbeatInput, heartbeatResultSchema } from '@spherecast/shared';
import { forbidden, notFound } from '../../core/errors.ts';
import { publicProcedure } from '../../core/trpc.ts';
import { judgeView, playedLongEnough } from './view-counting.ts';

/** A session counts as watched once the position reaches this share of the duration. */
export const COMPLETED_FRACTION = 0.95;

/**
 * Players report their position every few seconds; only the session's own user or browser may. The
 * first report after real playback is where a view may be counted (view-counting.ts).
 */
export const heartbeatProcedure = publicProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/streaming/sessions/{sessionId}/heartbeat',
      tags: ['streaming'],
      summary: 'Report the playback position of your session',
    },
  })
  .input(heartbeatInput)
  .output(heartbeatResultSchema)
  .mutation(async ({ ctx, input }) => {
    const session = await ctx.prisma.viewingSession.findUnique({
      where: { id: input.sessionId },
      select: {
        id: true,
        contentId: true,
        userId: true,
        anonymousId: true,
        addressHash: true,
        startedAt: true,
        viewCheckedAt: true,
        completed: true,
        content: { select: { durationSeconds: true } },
      },
    });
    if (!session) throw notFound('That viewing session');
    const ownUser = ctx.user !== null && session.userId === ctx.user.id;
    const ownBrowser = session.anonymousId !== null && session.anonymousId === ctx.viewerId;
    if (!ownUser && !ownBrowser) throw forbidden('This viewing session belongs to another viewer. Start your own with GET /api/streaming/{id}.');

    const duration = session.content.durationSeconds;
    const positionSeconds = duration ? Math.min(input.positionSeconds, duration) : input.positionSeconds;
    const reachedEnd = duration ? positionSeconds >= COMPLETED_FRACTION * duration : false;
    const completed = session.completed || input.ended === true || reachedEnd;
    const now = ctx.now();
    const update = { lastPositionSeconds: positionSeconds, lastHeartbeatAt: now, completed, ...(input.ended ? { endedAt: now } : {}) };
    if (playedLongEnough(session, positionSeconds, input.ended === true, duration, now)) {
      await judgeView(ctx.prisma, session, now, update);
    } else {
      await ctx.prisma.viewingSession.update({ where: { id: input.sessionId }, data: update, select: { id: true } });
    }
    return { positionSeconds, completed };
  });
