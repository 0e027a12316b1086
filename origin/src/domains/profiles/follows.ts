import { followListItemSchema, followStateSchema, pageOf, usernameInput, usernamePageInput } from '@spherecast/shared';
import { badRequest, notFound } from '../../core/errors.ts';
import { protectedProcedure, publicProcedure } from '../../core/trpc.ts';
import { publicUserSelect } from '../../core/user-select.ts';
import type { PrismaClient } from '../../db/database.ts';
import { afterCursor, decodeDateCursor, pageOfRows } from '../../core/pagination.ts';

export async function requireUserId(prisma: PrismaClient, username: string): Promise<string> {
  const user = await prisma.user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw notFound(`The user ${username}`);
  return user.id;
}

async function followState(prisma: PrismaClient, followerId: string, followeeId: string) {
  const [followerCount, follow] = await Promise.all([
    prisma.follow.count({ where: { followeeId } }),
    prisma.follow.findUnique({ where: { followerId_followeeId: { followerId, followeeId } }, select: { followerId: true } }),
  ]);
  return { following: follow !== null, followerCount };
}

const notYourself = () => badRequest('username: you cannot follow yourself.');

/** Follow and unfollow are idempotent: the (follower, followee) primary key holds one row at most. */
export const followProcedures = {
  follow: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/users/{username}/follow', tags: ['profiles'], summary: 'Follow a user (idempotent)', protect: true } })
    .input(usernameInput)
    .output(followStateSchema)
    .mutation(async ({ ctx, input }) => {
      const followeeId = await requireUserId(ctx.prisma, input.username);
      if (followeeId === ctx.user.id) throw notYourself();
      await ctx.prisma.follow.createMany({ data: [{ followerId: ctx.user.id, followeeId, createdAt: ctx.now() }], skipDuplicates: true });
      return followState(ctx.prisma, ctx.user.id, followeeId);
    }),

  unfollow: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/users/{username}/follow', tags: ['profiles'], summary: 'Stop following a user (idempotent)', protect: true } })
    .input(usernameInput)
    .output(followStateSchema)
    .mutation(async ({ ctx, input }) => {
      const followeeId = await requireUserId(ctx.prisma, input.username);
      if (followeeId === ctx.user.id) throw notYourself();
      await ctx.prisma.follow.deleteMany({ where: { followerId: ctx.user.id, followeeId } });
      return followState(ctx.prisma, ctx.user.id, followeeId);
    }),

  followers: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{username}/followers', tags: ['profiles'], summary: "A user's followers, most recent first" } })
    .input(usernamePageInput)
    .output(pageOf(followListItemSchema))
    .query(async ({ ctx, input }) => {
      const followeeId = await requireUserId(ctx.prisma, input.username);
      const cursor = decodeDateCursor(input.cursor);
      const rows = await ctx.prisma.follow.findMany({
        where: {
          followeeId,
          ...afterCursor(cursor, 'createdAt', 'followerId'),
        },
        orderBy: [{ createdAt: 'desc' }, { followerId: 'desc' }],
        take: input.limit + 1,
        select: { createdAt: true, follower: { select: publicUserSelect } },
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.createdAt, id: row.follower.id }));
      return { items: page.map((row) => ({ ...row.follower, followedAt: row.createdAt })), nextCursor };
    }),

  following: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{username}/following', tags: ['profiles'], summary: 'Who a user follows, most recent first' } })
    .input(usernamePageInput)
    .output(pageOf(followListItemSchema))
    .query(async ({ ctx, input }) => {
      const followerId = await requireUserId(ctx.prisma, input.username);
      const cursor = decodeDateCursor(input.cursor);
      const rows = await ctx.prisma.follow.findMany({
        where: {
          followerId,
          ...afterCursor(cursor, 'createdAt', 'followeeId'),
        },
        orderBy: [{ createdAt: 'desc' }, { followeeId: 'desc' }],
        take: input.limit + 1,
        select: { createdAt: true, followee: { select: publicUserSelect } },
      });
      const { page, nextCursor } = pageOfRows(rows, input.limit, (row) => ({ at: row.createdAt, id: row.followee.id }));
      return { items: page.map((row) => ({ ...row.followee, followedAt: row.createdAt })), nextCursor };
    }),
};
