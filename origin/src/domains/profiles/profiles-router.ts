import { profileSchema, profileUpdateInput, usernameInput, type Profile } from '@spherecast/shared';
import { TRPCError } from '@trpc/server';
import { notFound } from '../../core/errors.ts';
import { protectedProcedure, publicProcedure, router } from '../../core/trpc.ts';
import { publicUserSelect } from '../../core/user-select.ts';
import type { Prisma, PrismaClient } from '../../db/database.ts';
import { feedProcedure } from './feed.ts';
import { followProcedures } from './follows.ts';

const profileSelect = {
  ...publicUserSelect,
  _count: {
    select: {
      followers: true,
      following: true,
      // What a visitor can actually open on the profile page.
      contents: { where: { visibility: 'public', status: 'ready' } },
    },
  },
} as const satisfies Prisma.UserSelect;

async function loadProfile(prisma: PrismaClient, where: Prisma.UserWhereUniqueInput, viewerId: string | null): Promise<Profile | null> {
  const row = await prisma.user.findUnique({ where, select: profileSelect });
  if (!row) return null;
  const follow =
    viewerId && viewerId !== row.id
      ? await prisma.follow.findUnique({ where: { followerId_followeeId: { followerId: viewerId, followeeId: row.id } }, select: { followerId: true } })
      : null;
  const { _count: counts, ...user } = row;
  return {
    ...user,
    followerCount: counts.followers,
    followingCount: counts.following,
    contentCount: counts.contents,
    followedByMe: follow !== null,
  };
}

export const profilesRouter = router({
  get: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/users/{username}', tags: ['profiles'], summary: 'A public profile with follower and content counts' } })
    .input(usernameInput)
    .output(profileSchema)
    .query(async ({ ctx, input }) => {
      const profile = await loadProfile(ctx.prisma, { username: input.username }, ctx.user?.id ?? null);
      if (!profile) throw notFound(`The user ${input.username}`);
      return profile;
    }),

  update: protectedProcedure
    .meta({ openapi: { method: 'PATCH', path: '/me/profile', tags: ['profiles'], summary: 'Change your display name, bio or avatar', protect: true } })
    .input(profileUpdateInput)
    .output(profileSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.prisma.user.update({ where: { id: ctx.user.id }, data: input, select: { id: true } });
      const profile = await loadProfile(ctx.prisma, { id: ctx.user.id }, ctx.user.id);
      if (!profile) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This account no longer exists.' });
      return profile;
    }),

  ...followProcedures,
  feed: feedProcedure,
});
