import { randomBytes } from 'node:crypto';
import { idInput, playbackSchema } from '@spherecast/shared';
import { TRPCError } from '@trpc/server';
import { notFound } from '../../core/errors.ts';
import { publicProcedure, type Context } from '../../core/trpc.ts';
import { VIEWER_COOKIE } from '../../core/sessions.ts';
import { canView } from '../../core/access.ts';
import { buildPlayback } from '../../core/playback.ts';
import { withContentLocked } from '../../core/counters.ts';
import { RateLimitedError, tooManyRequests } from '../../core/rate-limit.ts';
import { addressHash } from './view-counting.ts';

/** How long a browser keeps its anonymous viewer id. */
const VIEWER_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/** Who a session belongs to: a signed-in user, or an anonymous browser's random id. */
type Viewer = { userId: string; anonymousId?: undefined } | { anonymousId: string; userId?: undefined };

/** The caller as a viewer; an anonymous caller without an id gets a new one (24 random bytes) in a cookie. */
function viewerOf(ctx: Context): { viewer: Viewer; viewerId: string | null } {
  if (ctx.user) return { viewer: { userId: ctx.user.id }, viewerId: null };
  let viewerId = ctx.viewerId;
  if (!viewerId) {
    viewerId = randomBytes(24).toString('base64url');
    ctx.cookies.set(VIEWER_COOKIE, viewerId, { maxAgeSeconds: VIEWER_COOKIE_MAX_AGE_SECONDS });
  }
  return { viewer: { anonymousId: viewerId }, viewerId };
}

/**
 * Start or resume: the caller's latest unfinished session for this content is picked up again at
 * its last position; otherwise a new session starts (under the content lock, so a player that asks
 * twice at once gets one session). Starting counts no view: a view is counted by a heartbeat after
 * real playback (view-counting.ts). New sessions are limited per address (429 with Retry-After).
 */
export const startPlaybackProcedure = publicProcedure
  .meta({ openapi: { method: 'GET', path: '/streaming/{id}', tags: ['streaming'], summary: 'Start or resume watching: the master URL and where to seek to' } })
  .input(idInput)
  .output(playbackSchema)
  .query(async ({ ctx, input }) => {
    const content = await ctx.prisma.content.findUnique({
      where: { id: input.id },
      select: {
        ownerId: true,
        status: true,
        visibility: true,
        mediaEpoch: true,
        kind: true,
        projection: true,
        durationSeconds: true,
        publishedPath: true,
        masterFile: true,
      },
    });
    if (!content || !canView(ctx.user, content)) throw notFound('That content');
    const { publishedPath, masterFile } = content;
    if ((content.status !== 'ready' && content.status !== 'live') || !publishedPath || !masterFile) {
      throw new TRPCError({ code: 'CONFLICT', message: `This content cannot be played yet: it is ${content.status}. Finalize it first.` });
    }
    // Taken before the transaction (one synchronous step, so concurrent requests all count) and given
    // back when the session turns out to be a resume; a resume is allowed even at the limit.
    // In-process callers (tests, the demo seeder) are exempt.
    const limited = ctx.ip !== 'direct';
    const taken = limited ? ctx.playbackStartLimit.take(ctx.ip) : ({ ok: true } as const);
    const { viewer, viewerId } = viewerOf(ctx);
    const now = ctx.now();
    const session = await withContentLocked(ctx.prisma, input.id, async (tx) => {
      const open = await tx.viewingSession.findFirst({
        where: { ...viewer, contentId: input.id, completed: false },
        orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'desc' }],
        select: { id: true, lastPositionSeconds: true },
      });
      if (open) return { ...open, resumed: true, refused: null };
      if (!taken.ok) return { refused: taken.retryAfterSeconds };
      const created = await tx.viewingSession.create({
        data: { ...viewer, contentId: input.id, startedAt: now, lastHeartbeatAt: now, addressHash: addressHash(ctx.ip) },
        select: { id: true, lastPositionSeconds: true },
      });
      return { ...created, resumed: false, refused: null };
    });
    if (limited && taken.ok && (!session || session.refused !== null || session.resumed)) ctx.playbackStartLimit.give(ctx.ip);
    if (!session) throw notFound('That content');
    if (session.refused !== null) {
      const minutes = Math.ceil(session.refused / 60);
      throw tooManyRequests(
        new RateLimitedError(
          `Too many new viewing sessions from your address. Wait ${minutes} minute(s), or go on watching what you already started.`,
          session.refused,
        ),
      );
    }
    return buildPlayback(
      ctx,
      {
        id: input.id,
        kind: content.kind,
        status: content.status,
        visibility: content.visibility,
        mediaEpoch: content.mediaEpoch,
        projection: content.projection,
        durationSeconds: content.durationSeconds,
        publishedPath,
        masterFile,
      },
      { id: session.id, resumePositionSeconds: session.lastPositionSeconds, resumed: session.resumed, viewerId },
    );
  });
