import { alertCreateInput, alertListSchema, alertSchema, idInput } from '@spherecast/shared';
import { z } from 'zod';
import { activeAlerts, alertSelect, alertView } from '../../core/alerts-view.ts';
import { notFound } from '../../core/errors.ts';
import { GLOBAL_TOPIC } from '../../core/event-bus.ts';
import { issueAlert } from './issue-alert.ts';
import { adminProcedure, publicProcedure, router } from '../../core/trpc.ts';

const ADMIN_LIST_MAX = 200;

/** Emergency broadcasts: an admin's alert reaches every open page on every origin through the event bus. */
export const alertsRouter = router({
  active: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/alerts/active', tags: ['alerts'], summary: 'Alerts in force now, newest first' } })
    .input(z.object({}).optional())
    .output(alertListSchema)
    .query(async ({ ctx }) => ({ items: await activeAlerts(ctx.prisma, ctx.now()) })),

  list: adminProcedure
    .meta({ openapi: { method: 'GET', path: '/alerts', tags: ['alerts'], summary: 'Every alert, newest first (admins)', protect: true } })
    .input(z.object({}).optional())
    .output(alertListSchema)
    .query(async ({ ctx }) => {
      const rows = await ctx.prisma.alert.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: ADMIN_LIST_MAX, select: alertSelect });
      return { items: rows.map(alertView) };
    }),

  create: adminProcedure
    .meta({ openapi: { method: 'POST', path: '/alerts', tags: ['alerts'], summary: 'Issue an emergency alert to every open page (admins)', protect: true } })
    .input(alertCreateInput)
    .output(alertSchema)
    .mutation(({ ctx, input }) => issueAlert(ctx, ctx.user.id, input)),

  /** Ends an alert now: every page takes it down. */
  expire: adminProcedure
    .meta({ openapi: { method: 'POST', path: '/alerts/{id}/expire', tags: ['alerts'], summary: 'End an alert now (admins)', protect: true } })
    .input(idInput)
    .output(alertSchema)
    .mutation(async ({ ctx, input }) => {
      const existing = await ctx.prisma.alert.findUnique({ where: { id: input.id }, select: { expiresAt: true } });
      if (!existing) throw notFound('That alert');
      const now = ctx.now();
      const row = await ctx.prisma.alert.update({
        where: { id: input.id },
        data: { expiresAt: existing.expiresAt < now ? existing.expiresAt : now },
        select: alertSelect,
      });
      await ctx.events.publish(GLOBAL_TOPIC, { type: 'alert.ended', alertId: row.id }, { persist: true });
      return alertView(row);
    }),
});
