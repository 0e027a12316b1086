import { sessionIceInput, sessionIceSchema } from '@spherecast/shared';
import { canView } from '../../core/access.ts';
import { forbidden, notFound } from '../../core/errors.ts';
import { playbackIceServers } from '../../core/playback.ts';
import { publicProcedure } from '../../core/trpc.ts';

/**
 * Fresh ICE servers for a viewing session, for players whose TURN credentials are about to expire
 * (the player's `refreshIceServers`). Asking `GET /api/streaming/{id}` again is no substitute: once a
 * session is completed (95% watched) it opens a new session, and it takes from the per-address limit
 * on new sessions. This only reads: the session's own user or browser may ask, while the content is
 * still theirs to view.
 */
export const sessionIceProcedure = publicProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/streaming/sessions/{sessionId}/ice-servers',
      tags: ['streaming'],
      summary: 'Fresh STUN/TURN servers (TURN credentials) for your viewing session',
    },
  })
  .input(sessionIceInput)
  .output(sessionIceSchema)
  .query(async ({ ctx, input }) => {
    const session = await ctx.prisma.viewingSession.findUnique({
      where: { id: input.sessionId },
      select: {
        id: true,
        userId: true,
        anonymousId: true,
        content: { select: { ownerId: true, status: true, visibility: true, kind: true } },
      },
    });
    if (!session) throw notFound('That viewing session');
    const ownUser = ctx.user !== null && session.userId === ctx.user.id;
    const ownBrowser = session.anonymousId !== null && session.anonymousId === ctx.viewerId;
    if (!ownUser && !ownBrowser) throw forbidden('This viewing session belongs to another viewer. Start your own with GET /api/streaming/{id}.');
    if (!canView(ctx.user, session.content)) throw notFound('That content');
    return { iceServers: playbackIceServers(ctx, session.content.kind, session.id), relayPolicy: ctx.config.ice.relayPolicy };
  });
