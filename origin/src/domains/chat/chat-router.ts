import { TRPCError } from '@trpc/server';
import {
  chatDeleteInput,
  chatHistoryInput,
  chatHistorySchema,
  chatMessageSchema,
  chatMuteInput,
  chatSendInput,
  okSchema,
  reactInput,
  type ChatMessage,
} from '@spherecast/shared';
import { canEdit, requireViewableContent } from '../../core/access.ts';
import { forbidden, notFound } from '../../core/errors.ts';
import { contentTopic } from '../../core/event-bus.ts';
import { RateLimitedError } from '../../core/rate-limit.ts';
import { protectedProcedure, publicProcedure, router, type SessionUser } from '../../core/trpc.ts';
import type { Prisma, PrismaClient } from '../../db/database.ts';

const messageSelect = {
  id: true,
  contentId: true,
  body: true,
  streamTimeSeconds: true,
  createdAt: true,
  user: { select: { id: true, username: true, displayName: true } },
} as const satisfies Prisma.ChatMessageSelect;

function messageView(row: Prisma.ChatMessageGetPayload<{ select: typeof messageSelect }>): ChatMessage {
  return {
    id: row.id,
    contentId: row.contentId,
    author: row.user,
    body: row.body,
    streamTimeSeconds: row.streamTimeSeconds,
    sentAt: row.createdAt.toISOString(),
  };
}

function tooMany(message: string, retryAfterSeconds: number): TRPCError {
  const cause = new RateLimitedError(message, retryAfterSeconds);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message, cause });
}

/** The content's creator and admins moderate its chat. */
async function requireModerator(prisma: PrismaClient, user: SessionUser, contentId: string) {
  const content = await requireViewableContent(prisma, user, contentId);
  if (!canEdit(user, content)) throw forbidden('Only the creator of this broadcast (or an admin) can moderate its chat.');
  return content;
}

export const chatRouter = router({
  /** A chat message during a live broadcast, with the stream time it refers to (kept for the VOD). */
  send: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/contents/{contentId}/chat', tags: ['chat'], summary: 'Send a live chat message', protect: true } })
    .input(chatSendInput)
    .output(chatMessageSchema)
    .mutation(async ({ ctx, input }) => {
      const content = await requireViewableContent(ctx.prisma, ctx.user, input.contentId);
      if (content.status !== 'live') {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Chat is open while the broadcast is live. This one is not live now.' });
      }
      const muted = await ctx.prisma.chatMute.findUnique({
        where: { contentId_userId: { contentId: content.id, userId: ctx.user.id } },
        select: { userId: true },
      });
      if (muted) throw forbidden('The creator muted you in this chat; your messages are not accepted.');
      const limit = ctx.realtime.chatLimit.take(`${ctx.user.id}:${content.id}`);
      if (!limit.ok) throw tooMany(`You are sending messages too fast. Wait ${limit.retryAfterSeconds} s and send again.`, limit.retryAfterSeconds);
      const row = await ctx.prisma.chatMessage.create({
        data: { contentId: content.id, userId: ctx.user.id, body: input.body, streamTimeSeconds: input.streamTimeSeconds, createdAt: ctx.now() },
        select: messageSelect,
      });
      const message = messageView(row);
      await ctx.events.publish(contentTopic(content.id), { type: 'chat.message', message }, { persist: true });
      return message;
    }),

  /** Messages in stream-time order from `fromSeconds`, for a VOD viewer (replayed in time) or a late joiner. */
  history: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/contents/{contentId}/chat', tags: ['chat'], summary: 'Chat messages by stream time' } })
    .input(chatHistoryInput)
    .output(chatHistorySchema)
    .query(async ({ ctx, input }) => {
      const content = await requireViewableContent(ctx.prisma, ctx.user, input.contentId);
      const rows = await ctx.prisma.chatMessage.findMany({
        where: { contentId: content.id, deletedAt: null, streamTimeSeconds: { gte: input.fromSeconds } },
        orderBy: [{ streamTimeSeconds: 'asc' }, { id: 'asc' }],
        take: input.limit,
        select: messageSelect,
      });
      const muted = ctx.user
        ? (await ctx.prisma.chatMute.findUnique({ where: { contentId_userId: { contentId: content.id, userId: ctx.user.id } }, select: { userId: true } })) !==
          null
        : false;
      return { items: rows.map(messageView), muted };
    }),

  delete: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/contents/{contentId}/chat/{messageId}',
        tags: ['chat'],
        summary: 'Delete a chat message (creator, admins)',
        protect: true,
      },
    })
    .input(chatDeleteInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const content = await requireModerator(ctx.prisma, ctx.user, input.contentId);
      const { count } = await ctx.prisma.chatMessage.updateMany({
        where: { id: input.messageId, contentId: content.id, deletedAt: null },
        data: { deletedAt: ctx.now() },
      });
      if (count === 0) throw notFound('That chat message');
      await ctx.events.publish(contentTopic(content.id), { type: 'chat.deleted', contentId: content.id, messageId: input.messageId }, { persist: true });
      return { ok: true as const };
    }),

  mute: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/contents/{contentId}/chat/mutes',
        tags: ['chat'],
        summary: 'Mute or unmute a user in a chat (creator, admins)',
        protect: true,
      },
    })
    .input(chatMuteInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const content = await requireModerator(ctx.prisma, ctx.user, input.contentId);
      if (input.userId === ctx.user.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot mute yourself.' });
      const key = { contentId_userId: { contentId: content.id, userId: input.userId } };
      if (input.muted) {
        await ctx.prisma.chatMute.upsert({
          where: key,
          create: { contentId: content.id, userId: input.userId, mutedById: ctx.user.id, createdAt: ctx.now() },
          update: {},
          select: { userId: true },
        });
      } else {
        await ctx.prisma.chatMute.deleteMany({ where: { contentId: content.id, userId: input.userId } });
      }
      await ctx.events.publish(
        contentTopic(content.id),
        { type: 'chat.muted', contentId: content.id, userId: input.userId, muted: input.muted },
        { persist: true },
      );
      return { ok: true as const };
    }),

  /**
   * One reaction (a tap). Summed per second per broadcast on this origin and sent as one event, so
   * ten thousand viewers reacting are not ten thousand messages to each viewer.
   */
  react: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/contents/{contentId}/reactions', tags: ['chat'], summary: 'React to a broadcast (like, dislike, emoji)' } })
    .input(reactInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const content = await requireViewableContent(ctx.prisma, ctx.user, input.contentId);
      const who = ctx.user ? `user:${ctx.user.id}` : ctx.viewerId ? `viewer:${ctx.viewerId}` : `ip:${ctx.ip}`;
      const limit = ctx.realtime.reactionLimit.take(who);
      if (!limit.ok) throw tooMany('Too many reactions at once. Wait a second and tap again.', limit.retryAfterSeconds);
      ctx.realtime.addReaction(content.id, input.kind);
      return { ok: true as const };
    }),
});
