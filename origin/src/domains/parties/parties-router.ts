import { z } from 'zod';
import { randomBytes, randomUUID } from 'node:crypto';
import { tracked, TRPCError } from '@trpc/server';
import {
  okSchema,
  PARTY_LIMITS,
  partyChatInput,
  partyChatMessageSchema,
  partyClockSchema,
  partyControlInput,
  partyCreateInput,
  partyIdInput,
  partySchema,
  partySubscribeInput,
  partyViewInput,
  type Party,
  type PartyMember,
  type PartyState,
  type RealtimeEvent,
} from '@spherecast/shared';
import { canView, requireViewableContent } from '../../core/access.ts';
import { forbidden, notFound } from '../../core/errors.ts';
import { SubscriptionInbox } from '../../core/subscription-inbox.ts';
import { partyTopic } from '../../core/party-hub.ts';
import { RateLimitedError } from '../../core/rate-limit.ts';
import { protectedProcedure, publicProcedure, router, type Context, type SessionUser } from '../../core/trpc.ts';
import type { Prisma } from '../../db/database.ts';

/** How often an open party subscription checks that its member is still in and may still see the content. */
const RECHECK_MS = 10_000;
/** A subscriber this far behind is dropped: it reconnects and gets the state again. */
const QUEUE_MAX = 500;

const partySelect = {
  id: true,
  contentId: true,
  hostId: true,
  playing: true,
  positionSeconds: true,
  anchoredAt: true,
  rate: true,
  sceneId: true,
  revision: true,
  expiresAt: true,
  endedAt: true,
} as const satisfies Prisma.WatchPartySelect;
type PartyRow = Prisma.WatchPartyGetPayload<{ select: typeof partySelect }>;

function stateOf(row: PartyRow): PartyState {
  return {
    playing: row.playing,
    positionSeconds: row.positionSeconds,
    anchoredAtMs: row.anchoredAt.getTime(),
    rate: row.rate,
    sceneId: row.sceneId,
    revision: row.revision,
  };
}

function tooMany(message: string, retryAfterSeconds: number): TRPCError {
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message, cause: new RateLimitedError(message, retryAfterSeconds) });
}

const ENDED_MESSAGE = 'This watch party has ended. Ask the host for a new invitation, or start your own from the video.';

/** The party if it is open (not ended, not expired), else a 404 that says so. */
async function requireOpenParty(ctx: Context, partyId: string): Promise<PartyRow> {
  const party = await ctx.prisma.watchParty.findUnique({ where: { id: partyId }, select: partySelect });
  if (!party) throw notFound('That watch party');
  if (party.endedAt !== null || party.expiresAt <= ctx.now()) throw new TRPCError({ code: 'NOT_FOUND', message: ENDED_MESSAGE });
  return party;
}

/** The open party of which `user` is a member, else 404 (no party) or 403 (not a member). */
async function requireMembership(ctx: Context, user: SessionUser, partyId: string): Promise<PartyRow> {
  const party = await requireOpenParty(ctx, partyId);
  const member = await ctx.prisma.watchPartyMember.findUnique({ where: { partyId_userId: { partyId, userId: user.id } }, select: { userId: true } });
  if (!member) throw forbidden('You are not in this watch party. Open its invitation link to join.');
  ctx.parties.rememberMember(partyId, user.id);
  return party;
}

/** Like requireMembership for frequent calls (view directions): a membership checked seconds ago is taken as is. */
async function requireKnownMember(ctx: Context, user: SessionUser, partyId: string): Promise<void> {
  if (ctx.parties.knownMember(partyId, user.id)) return;
  await requireMembership(ctx, user, partyId);
}

async function membersOf(ctx: Context, party: { id: string; hostId: string }): Promise<PartyMember[]> {
  const rows = await ctx.prisma.watchPartyMember.findMany({
    where: { partyId: party.id },
    orderBy: { joinedAt: 'asc' },
    take: PARTY_LIMITS.membersMax,
    select: { user: { select: { id: true, username: true, displayName: true } } },
  });
  return rows.map(({ user }) => ({ ...user, host: user.id === party.hostId }));
}

async function partyView(ctx: Context, party: PartyRow): Promise<Party> {
  return {
    id: party.id,
    contentId: party.contentId,
    hostId: party.hostId,
    invitePath: `/watch/${party.contentId}?party=${party.id}`,
    expiresAt: party.expiresAt.toISOString(),
    state: stateOf(party),
    members: await membersOf(ctx, party),
  };
}

async function publishMembers(ctx: Context, party: { id: string; hostId: string }): Promise<void> {
  await ctx.events.publish(partyTopic(party.id), { type: 'party.members', partyId: party.id, members: await membersOf(ctx, party) }, { persist: false });
}

async function endParty(ctx: Context, party: { id: string }, reason: string): Promise<void> {
  await ctx.prisma.watchParty.updateMany({ where: { id: party.id, endedAt: null }, data: { endedAt: ctx.now() } });
  await ctx.events.publish(partyTopic(party.id), { type: 'party.ended', partyId: party.id, reason }, { persist: false });
}

/**
 * Takes `userId` out of the party. A host leaving hands the party to the member who joined first
 * after them; with nobody left it ends. Under the party row's lock, so that two members leaving at
 * once never hand the party to someone who has gone. Answers the new host, 'ended', or null when
 * the host did not change.
 */
async function removeMember(ctx: Context, partyId: string, userId: string): Promise<{ newHost: string } | 'ended' | null> {
  return ctx.prisma.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<Array<{ hostId: string }>>`SELECT "hostId" FROM "WatchParty" WHERE "id" = ${partyId} FOR UPDATE`;
    await tx.watchPartyMember.deleteMany({ where: { partyId, userId } });
    if (!locked || locked.hostId !== userId) return null;
    const next = await tx.watchPartyMember.findFirst({ where: { partyId }, orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }], select: { userId: true } });
    if (!next) {
      await tx.watchParty.updateMany({ where: { id: partyId, endedAt: null }, data: { endedAt: ctx.now() } });
      return 'ended';
    }
    await tx.watchParty.update({ where: { id: partyId }, data: { hostId: next.userId } });
    return { newHost: next.userId };
  });
}

/**
 * Watch parties (#15): a viewer opens a party on a content and sends its invitation link (the
 * unguessable party id); signed-in friends who may see the content join. The host's play, pause,
 * seek and scene changes become the party's state, anchored on the server's clock; every member's
 * player follows it (see origin/web/src/party). View directions and chat travel on the party's
 * topic of the real-time bus, which only members' subscriptions listen to.
 */
export const partiesRouter = router({
  /** The server's clock, for the players' offset estimate (NTP-style: the sample with the shortest round trip wins). */
  clock: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/parties/clock', tags: ['parties'], summary: "The server's clock (ms since the epoch), to align a member's playhead" },
    })
    .input(z.object({}).optional())
    .output(partyClockSchema)
    .query(({ ctx }) => ({ serverNowMs: ctx.now().getTime() })),

  /** Opens a party on a content the caller may see; the caller is its host and first member. */
  create: protectedProcedure
    .meta({
      openapi: { method: 'POST', path: '/parties', tags: ['parties'], summary: 'Open a watch party on a content you may see; you are its host', protect: true },
    })
    .input(partyCreateInput)
    .output(partySchema)
    .mutation(async ({ ctx, input }) => {
      const content = await requireViewableContent(ctx.prisma, ctx.user, input.contentId);
      const now = ctx.now();
      const hosted = await ctx.prisma.watchParty.count({ where: { hostId: ctx.user.id, endedAt: null, expiresAt: { gt: now } } });
      if (hosted >= PARTY_LIMITS.hostedMax) {
        throw tooMany(`You already host ${hosted} watch parties (the most is ${PARTY_LIMITS.hostedMax}). End one before you start another.`, 60);
      }
      const party = await ctx.prisma.watchParty.create({
        data: {
          id: randomBytes(16).toString('base64url'),
          contentId: content.id,
          hostId: ctx.user.id,
          anchoredAt: now,
          createdAt: now,
          expiresAt: new Date(now.getTime() + PARTY_LIMITS.lifetimeMs),
          members: { create: { userId: ctx.user.id, joinedAt: now } },
        },
        select: partySelect,
      });
      return partyView(ctx, party);
    }),

  /** The party, for its members. */
  get: protectedProcedure
    .meta({
      openapi: { method: 'GET', path: '/parties/{partyId}', tags: ['parties'], summary: 'A party you are a member of: its state and members', protect: true },
    })
    .input(partyIdInput)
    .output(partySchema)
    .query(async ({ ctx, input }) => partyView(ctx, await requireMembership(ctx, ctx.user, input.partyId))),

  /**
   * Joins with the invitation's party id. Only a viewer who may see the content joins (a private
   * video's party stays its owner's), and at most PARTY_LIMITS.membersMax members.
   */
  join: protectedProcedure
    .meta({
      openapi: { method: 'POST', path: '/parties/{partyId}/join', tags: ['parties'], summary: 'Join a party by its id (the invitation link)', protect: true },
    })
    .input(partyIdInput)
    .output(partySchema)
    .mutation(async ({ ctx, input }) => {
      const party = await requireOpenParty(ctx, input.partyId);
      await requireViewableContent(ctx.prisma, ctx.user, party.contentId);
      // Idempotent, also when the same viewer's page asks twice at once (a reload, a second tab).
      const { count: added } = await ctx.prisma.watchPartyMember.createMany({
        data: [{ partyId: party.id, userId: ctx.user.id, joinedAt: ctx.now() }],
        skipDuplicates: true,
      });
      if (added > 0) {
        // Counted after the insert: two joins racing for the last place cannot both stay.
        const count = await ctx.prisma.watchPartyMember.count({ where: { partyId: party.id } });
        if (count > PARTY_LIMITS.membersMax) {
          await ctx.prisma.watchPartyMember.deleteMany({ where: { partyId: party.id, userId: ctx.user.id } });
          throw forbidden(`This watch party is full (${PARTY_LIMITS.membersMax} members). Ask the host to start another one.`);
        }
        await publishMembers(ctx, party);
      }
      ctx.parties.rememberMember(party.id, ctx.user.id);
      return partyView(ctx, party);
    }),

  /**
   * Leaves the party. When the host leaves, the member who joined first after them becomes the host
   * (their player leads from where it is); when nobody is left, the party ends.
   */
  leave: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/parties/{partyId}/leave',
        tags: ['parties'],
        summary: 'Leave a party (the host leaving hands it to the member who joined first; the last one out ends it)',
        protect: true,
      },
    })
    .input(partyIdInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const party = await requireMembership(ctx, ctx.user, input.partyId);
      ctx.parties.forgetMember(party.id, ctx.user.id);
      const removed = await removeMember(ctx, party.id, ctx.user.id);
      if (removed === 'ended') {
        await ctx.events.publish(
          partyTopic(party.id),
          { type: 'party.ended', partyId: party.id, reason: 'Everyone left the watch party.' },
          { persist: false },
        );
      } else {
        await publishMembers(ctx, { id: party.id, hostId: removed?.newHost ?? party.hostId });
      }
      return { ok: true as const };
    }),

  /** The host ends the party for everyone. */
  end: protectedProcedure
    .meta({
      openapi: { method: 'POST', path: '/parties/{partyId}/end', tags: ['parties'], summary: 'End a party for every member (its host only)', protect: true },
    })
    .input(partyIdInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const party = await requireMembership(ctx, ctx.user, input.partyId);
      if (party.hostId !== ctx.user.id) throw forbidden('Only the host ends the watch party for everyone. Use Leave to go on your own.');
      ctx.parties.forgetMember(party.id, ctx.user.id);
      await endParty(ctx, party, 'The host ended the watch party.');
      return { ok: true as const };
    }),

  /**
   * The host's play, pause, seek, scene change or periodic sync. The new state is anchored at the
   * host's `at` (its estimate of this server's clock when it read its playhead) when that is within
   * PARTY_LIMITS.anchorSkewMaxMs of the server's clock, else at the server's clock.
   */
  control: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/parties/{partyId}/control',
        tags: ['parties'],
        summary: "The host's play, pause, seek, sync or scene change, followed by every member",
        protect: true,
      },
    })
    .input(partyControlInput)
    .output(partySchema.shape.state)
    .mutation(async ({ ctx, input }) => {
      const party = await requireMembership(ctx, ctx.user, input.partyId);
      if (party.hostId !== ctx.user.id) throw forbidden('Only the host controls the watch party; your player follows theirs.');
      const limit = ctx.parties.controlLimit.take(`${ctx.user.id}:${party.id}`);
      if (!limit.ok) throw tooMany(`Too many play, pause and seek actions. Wait ${limit.retryAfterSeconds} s and try again.`, limit.retryAfterSeconds);
      const now = ctx.now().getTime();
      const anchoredAt = input.at !== undefined && Math.abs(input.at - now) <= PARTY_LIMITS.anchorSkewMaxMs ? input.at : now;
      const playing = input.action === 'play' ? true : input.action === 'pause' ? false : (input.playing ?? party.playing);
      const row = await ctx.prisma.watchParty.update({
        where: { id: party.id },
        data: {
          playing,
          positionSeconds: input.positionSeconds,
          anchoredAt: new Date(anchoredAt),
          ...(input.action === 'scene' ? { sceneId: input.sceneId ?? null } : {}),
          revision: { increment: 1 },
        },
        select: partySelect,
      });
      const state = stateOf(row);
      await ctx.events.publish(partyTopic(party.id), { type: 'party.state', partyId: party.id, state }, { persist: false });
      return state;
    }),

  /** Where the caller looks now; sent on by the origin once per tick with the other members' (coalesced). */
  view: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/parties/{partyId}/view',
        tags: ['parties'],
        summary: 'Where you look (yaw, pitch), shown to the other members as a marker',
        protect: true,
      },
    })
    .input(partyViewInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const limit = ctx.parties.viewLimit.take(`${ctx.user.id}:${input.partyId}`);
      if (!limit.ok) throw tooMany(`Send at most ${PARTY_LIMITS.viewsPerSecond} view directions a second.`, limit.retryAfterSeconds);
      await requireKnownMember(ctx, ctx.user, input.partyId);
      ctx.parties.queueView(input.partyId, { userId: ctx.user.id, yaw: input.yaw, pitch: input.pitch });
      return { ok: true as const };
    }),

  /**
   * A chat message to the party. Kept only in the real-time event log (10 minutes, for members who
   * reconnect or join late), not with the content: a party's talk is not the broadcast's chat.
   */
  chat: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/parties/{partyId}/chat', tags: ['parties'], summary: 'Send a short chat message to the party', protect: true } })
    .input(partyChatInput)
    .output(partyChatMessageSchema)
    .mutation(async ({ ctx, input }) => {
      const party = await requireMembership(ctx, ctx.user, input.partyId);
      const limit = ctx.parties.chatLimit.take(`${ctx.user.id}:${party.id}`);
      if (!limit.ok) throw tooMany(`You are sending messages too fast. Wait ${limit.retryAfterSeconds} s and send again.`, limit.retryAfterSeconds);
      const author = await ctx.prisma.user.findUniqueOrThrow({ where: { id: ctx.user.id }, select: { id: true, username: true, displayName: true } });
      const message = { id: randomUUID(), author, body: input.body, sentAt: ctx.now().toISOString() };
      await ctx.events.publish(partyTopic(party.id), { type: 'party.chat', partyId: party.id, message }, { persist: true });
      return message;
    }),

  /**
   * The party's events for one member (server-sent events): the state and members first, the chat
   * of the last minutes, `ready`, then live state changes, members, coalesced views and chat. Ends
   * when the member leaves, the party ends, or the member may no longer see the content.
   */
  events: protectedProcedure.input(partySubscribeInput).subscription(async function* ({ ctx, input, signal }) {
    const user = ctx.user;
    const party = await requireMembership(ctx, user, input.partyId);
    await requireViewableContent(ctx.prisma, user, party.contentId);
    let release: () => void;
    try {
      release = ctx.realtime.acquireConnection(`user:${user.id}`);
    } catch (error) {
      if (error instanceof RateLimitedError) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message, cause: error });
      throw error;
    }
    const topic = partyTopic(party.id);
    const inbox = new SubscriptionInbox(QUEUE_MAX);
    const unsubscribe = ctx.events.subscribe(topic, (message) => inbox.push(message));
    // Persisted events here are the chat: a reconnecting member gets what it missed, a new one the last minutes.
    let cursor = input.lastEventId && /^\d+$/.test(input.lastEventId) ? input.lastEventId : '0';
    try {
      const emit = (event: RealtimeEvent) => tracked(cursor, event);
      const fresh = await requireOpenParty(ctx, party.id);
      yield emit({ type: 'party.state', partyId: party.id, state: stateOf(fresh) });
      yield emit({ type: 'party.members', partyId: party.id, members: await membersOf(ctx, party) });
      for (const message of await ctx.events.replay([topic], cursor)) {
        cursor = message.id ?? cursor;
        if (message.event.type === 'party.chat') yield emit(message.event);
      }
      yield emit({ type: 'ready' });
      let lastCheck = Date.now();
      for (;;) {
        const message = await inbox.next(signal, RECHECK_MS);
        if (message === null) return;
        if (message === 'timeout' || Date.now() - lastCheck >= RECHECK_MS) {
          lastCheck = Date.now();
          const [row, member, content] = await Promise.all([
            ctx.prisma.watchParty.findUnique({ where: { id: party.id }, select: { endedAt: true, expiresAt: true } }),
            ctx.prisma.watchPartyMember.findUnique({ where: { partyId_userId: { partyId: party.id, userId: user.id } }, select: { userId: true } }),
            ctx.prisma.content.findUnique({ where: { id: party.contentId }, select: { ownerId: true, status: true, visibility: true } }),
          ]);
          if (!row || row.endedAt !== null || row.expiresAt <= ctx.now() || !member || !content || !canView(user, content)) return;
        }
        if (message === 'timeout' || message.event.type === 'presence') continue;
        if (message.id !== null) {
          if (BigInt(message.id) <= BigInt(cursor)) continue;
          cursor = message.id;
        }
        const event = message.event;
        yield emit(event);
        if (event.type === 'party.ended') return;
        if (event.type === 'party.members' && !event.members.some((m) => m.id === user.id)) return;
      }
    } finally {
      unsubscribe();
      release();
    }
  }),
});
