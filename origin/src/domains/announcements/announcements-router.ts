import { announcementCreateInput, announcementListSchema, announcementSchema, announcementUpdateInput, idInput, okSchema } from '@spherecast/shared';
import { z } from 'zod';
import { badRequest, notFound } from '../../core/errors.ts';
import { adminProcedure, publicProcedure, router } from '../../core/trpc.ts';
import { ownerSelect } from '../../core/user-select.ts';
import type { Prisma } from '../../db/database.ts';

const announcementSelect = {
  id: true,
  title: true,
  body: true,
  startsAt: true,
  endsAt: true,
  createdAt: true,
  author: { select: ownerSelect },
} as const satisfies Prisma.AnnouncementSelect;

/** A banner list is short; more than this many at once is an operator mistake, not a page to scroll. */
const ACTIVE_MAX = 50;
const ADMIN_LIST_MAX = 200;

export const announcementsRouter = router({
  active: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/announcements/active', tags: ['announcements'], summary: 'Announcements showing now, newest first' } })
    .input(z.object({}).optional())
    .output(announcementListSchema)
    .query(async ({ ctx }) => {
      const now = ctx.now();
      const items = await ctx.prisma.announcement.findMany({
        where: { startsAt: { lte: now }, endsAt: { gt: now } },
        orderBy: [{ startsAt: 'desc' }, { id: 'desc' }],
        take: ACTIVE_MAX,
        select: announcementSelect,
      });
      return { items };
    }),

  list: adminProcedure
    .meta({
      openapi: { method: 'GET', path: '/announcements', tags: ['announcements'], summary: 'Every announcement, past and future (admins)', protect: true },
    })
    .input(z.object({}).optional())
    .output(announcementListSchema)
    .query(async ({ ctx }) => {
      const items = await ctx.prisma.announcement.findMany({
        orderBy: [{ startsAt: 'desc' }, { id: 'desc' }],
        take: ADMIN_LIST_MAX,
        select: announcementSelect,
      });
      return { items };
    }),

  create: adminProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/announcements',
        tags: ['announcements'],
        summary: 'Publish an announcement for a time window (admins)',
        protect: true,
      },
    })
    .input(announcementCreateInput)
    .output(announcementSchema)
    .mutation(({ ctx, input }) =>
      ctx.prisma.announcement.create({ data: { ...input, authorId: ctx.user.id, createdAt: ctx.now() }, select: announcementSelect }),
    ),

  update: adminProcedure
    .meta({ openapi: { method: 'PATCH', path: '/announcements/{id}', tags: ['announcements'], summary: 'Change an announcement (admins)', protect: true } })
    .input(announcementUpdateInput)
    .output(announcementSchema)
    .mutation(async ({ ctx, input }) => {
      const { id, ...changes } = input;
      const existing = await ctx.prisma.announcement.findUnique({ where: { id }, select: { startsAt: true, endsAt: true } });
      if (!existing) throw notFound('That announcement');
      const startsAt = changes.startsAt ?? existing.startsAt;
      const endsAt = changes.endsAt ?? existing.endsAt;
      if (endsAt <= startsAt) throw badRequest(`endsAt: must be after startsAt (${startsAt.toISOString()}).`);
      return ctx.prisma.announcement.update({ where: { id }, data: changes, select: announcementSelect });
    }),

  delete: adminProcedure
    .meta({ openapi: { method: 'DELETE', path: '/announcements/{id}', tags: ['announcements'], summary: 'Remove an announcement (admins)', protect: true } })
    .input(idInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      const { count } = await ctx.prisma.announcement.deleteMany({ where: { id: input.id } });
      if (count === 0) throw notFound('That announcement');
      return { ok: true as const };
    }),
});
