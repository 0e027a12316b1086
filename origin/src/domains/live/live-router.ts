import { randomUUID } from 'node:crypto';
import { idInput, liveChannelCreatedSchema, liveChannelCreateInput, liveChannelSchema, type LiveChannel } from '@spherecast/shared';
import { TRPCError } from '@trpc/server';
import { canEdit, viewableOrNotFound } from '../../core/access.ts';
import { forbidden, notFound } from '../../core/errors.ts';
import { creatorProcedure, protectedProcedure, publicProcedure, router, type Context } from '../../core/trpc.ts';
import { afterContentChange, endBroadcast, statusOf, viewersOf } from './broadcast.ts';
import { MASTER_PLAYLIST } from './live-playlists.ts';
import { hashStreamKey, newStreamKey } from './stream-keys.ts';

/** Where an encoder sends a channel: the RTMP URL (with the key) and the base of the HLS push. */
function ingestUrls(ctx: Pick<Context, 'baseUrl' | 'config'>, channelId: string, streamKey: string) {
  const host = new URL(ctx.baseUrl).hostname;
  return {
    rtmpUrl: `rtmp://${host.includes(':') ? `[${host}]` : host}:${ctx.config.rtmpPort}/live/${streamKey}`,
    hlsIngestUrl: `${ctx.baseUrl}/live/${channelId}`,
  };
}

const channelView = {
  id: true,
  ownerId: true,
  contentId: true,
  state: true,
  lastIngestAt: true,
  targetDuration: true,
  content: { select: { ownerId: true, status: true, visibility: true } },
} as const;

async function answer(
  ctx: Context,
  channel: { id: string; contentId: string; state: string; lastIngestAt: Date | null; targetDuration: number },
): Promise<LiveChannel> {
  const now = ctx.now();
  const status = statusOf(channel, now);
  return { id: channel.id, status, contentId: channel.contentId, viewers: status === 'idle' ? 0 : await viewersOf(ctx.prisma, channel.contentId, now) };
}

async function requireOwnChannel(ctx: Context & { user: NonNullable<Context['user']> }, id: string) {
  const channel = viewableOrNotFound(
    ctx.user,
    await ctx.prisma.liveChannel.findUnique({ where: { id }, select: channelView }),
    'That live channel',
    (c) => c.content,
  );
  if (!canEdit(ctx.user, channel)) throw forbidden('Only the creator of this channel (or an admin) can do this.');
  return channel;
}

/**
 * Live channels: a creator opens one (its broadcast is a content item of kind `live`), pushes to it
 * (edges/live-routes.ts for HLS, the RTMP ingest for OBS), and ends it into a VOD.
 */
export const liveRouter = router({
  create: creatorProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/live/channels',
        tags: ['live'],
        summary: 'Open a live channel: its stream key (shown once) and ingest URLs',
        protect: true,
      },
    })
    .input(liveChannelCreateInput)
    .output(liveChannelCreatedSchema)
    .mutation(async ({ ctx, input }) => {
      const streamKey = newStreamKey();
      const channel = await ctx.prisma.$transaction(async (tx) => {
        const content = await tx.content.create({
          data: {
            ownerId: ctx.user.id,
            kind: 'live',
            title: input.title,
            description: input.description,
            tags: input.tags,
            genre: input.genre ?? null,
            projection: input.projection,
            visibility: input.visibility,
            placeName: input.location?.placeName ?? null,
            latitude: input.location?.latitude ?? null,
            longitude: input.location?.longitude ?? null,
            masterFile: MASTER_PLAYLIST,
          },
          select: { id: true },
        });
        // The broadcast is written straight into its published folder (nothing there is served until it is on air).
        await tx.content.update({ where: { id: content.id }, data: { publishedPath: `${content.id}/${randomUUID()}` }, select: { id: true } });
        return tx.liveChannel.create({ data: { ownerId: ctx.user.id, contentId: content.id, streamKeyHash: hashStreamKey(streamKey) }, select: { id: true } });
      });
      return { id: channel.id, streamKey, ...ingestUrls(ctx, channel.id, streamKey) };
    }),

  rotateKey: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/live/channels/{id}/key',
        tags: ['live'],
        summary: 'Replace the stream key (the old one stops working at once)',
        protect: true,
      },
    })
    .input(idInput)
    .output(liveChannelCreatedSchema)
    .mutation(async ({ ctx, input }) => {
      const channel = await requireOwnChannel(ctx, input.id);
      if (channel.state === 'ended') throw new TRPCError({ code: 'CONFLICT', message: 'This channel has ended; open a new channel to go live again.' });
      const streamKey = newStreamKey();
      await ctx.prisma.liveChannel.update({ where: { id: channel.id }, data: { streamKeyHash: hashStreamKey(streamKey) }, select: { id: true } });
      return { id: channel.id, streamKey, ...ingestUrls(ctx, channel.id, streamKey) };
    }),

  get: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/live/channels/{id}',
        tags: ['live'],
        summary: "A channel's status (idle, live, reconnecting, ended), content and viewers",
      },
    })
    .input(idInput)
    .output(liveChannelSchema)
    .query(async ({ ctx, input }) => {
      const channel = await ctx.prisma.liveChannel.findUnique({ where: { id: input.id }, select: channelView });
      return answer(
        ctx,
        viewableOrNotFound(ctx.user, channel, 'That live channel', (c) => c.content),
      );
    }),

  end: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/live/channels/{id}/end',
        tags: ['live'],
        summary: 'End the broadcast: its recording becomes a video of the same id',
        protect: true,
      },
    })
    .input(idInput)
    .output(liveChannelSchema)
    .mutation(async ({ ctx, input }) => {
      await requireOwnChannel(ctx, input.id);
      const ended = await endBroadcast(ctx, input.id);
      if (!ended) throw notFound('That live channel');
      afterContentChange(ctx, ended.contentId);
      return answer(ctx, ended);
    }),
});
