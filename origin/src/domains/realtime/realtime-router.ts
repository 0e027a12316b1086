import { tracked, TRPCError } from '@trpc/server';
import { realtimeSubscribeInput, type RealtimeEvent } from '@spherecast/shared';
import { canView, requireViewableContent } from '../../core/access.ts';
import { contentTopic, GLOBAL_TOPIC } from '../../core/event-bus.ts';
import { SubscriptionInbox } from '../../core/subscription-inbox.ts';
import { RateLimitedError } from '../../core/rate-limit.ts';
import { publicProcedure, router } from '../../core/trpc.ts';
import { activeAlerts, alertReaches, upcomingAlerts, type ViewerLocation } from '../../core/alerts-view.ts';

/** A subscriber this far behind is dropped: it reconnects and gets the persisted events replayed. */
const QUEUE_MAX = 1000;
/** How often a subscription re-checks that its viewer may still see the content (it may turn private). */
const ACCESS_RECHECK_MS = 30_000;

export const realtimeRouter = router({
  /**
   * The one real-time channel of a page (server-sent events): alerts for everyone, and with a
   * `contentId` the chat, reactions and viewer count of that content. Each event is tracked with the
   * id of the newest persisted event, so a client that reconnects (tRPC sends `lastEventId`) gets
   * the chat and alerts it missed; it then always gets the active alerts and the viewer count.
   */
  events: publicProcedure.input(realtimeSubscribeInput).subscription(async function* ({ ctx, input, signal }) {
    const content = input.contentId ? await requireViewableContent(ctx.prisma, ctx.user, input.contentId) : null;
    let release: () => void;
    try {
      release = ctx.realtime.acquireConnection(ctx.user ? `user:${ctx.user.id}` : `ip:${ctx.ip}`);
    } catch (error) {
      if (error instanceof RateLimitedError) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message, cause: error });
      throw error;
    }
    // Alert areas: a page showing located content gets the alerts whose circle holds that place;
    // every other page (location unknown) gets them all (see alertReaches).
    const located = content ? await ctx.prisma.content.findUnique({ where: { id: content.id }, select: { latitude: true, longitude: true } }) : null;
    const location: ViewerLocation | null =
      located?.latitude != null && located.longitude != null ? { latitude: located.latitude, longitude: located.longitude } : null;
    const reaches = (event: RealtimeEvent): boolean => event.type !== 'alert' || alertReaches(event.alert, location);
    const topics = content ? [GLOBAL_TOPIC, contentTopic(content.id)] : [GLOBAL_TOPIC];
    // The cursor is read before subscribing and the log replayed after: an event published in
    // between is in the replay, and one both replayed and delivered is skipped by its id.
    let cursor = input.lastEventId && /^\d+$/.test(input.lastEventId) ? input.lastEventId : await ctx.events.newestId();
    const inbox = new SubscriptionInbox(QUEUE_MAX);
    const unsubscribe = topics.map((topic) => ctx.events.subscribe(topic, (message) => inbox.push(message)));
    const leave = content ? ctx.realtime.join(content.id) : () => undefined;
    try {
      const emit = (event: RealtimeEvent) => tracked(cursor, event);
      const now = ctx.now();
      if (ctx.realtime.takeUpcomingCheck()) {
        for (const alert of await upcomingAlerts(ctx.prisma, now, new Date(now.getTime() + 24 * 3600_000))) ctx.realtime.scheduleAlert(alert);
      }
      for (const alert of await activeAlerts(ctx.prisma, now)) {
        if (alertReaches(alert, location)) yield emit({ type: 'alert', alert });
      }
      for (const message of await ctx.events.replay(topics, cursor)) {
        cursor = message.id ?? cursor;
        if (message.event.type !== 'presence' && reaches(message.event)) yield emit(message.event);
      }
      if (content) yield emit({ type: 'viewers', contentId: content.id, count: ctx.realtime.viewers(content.id) });
      yield emit({ type: 'ready' });
      let lastCheck = Date.now();
      for (;;) {
        const message = await inbox.next(signal, ACCESS_RECHECK_MS);
        if (message === null) return;
        if (content && (message === 'timeout' || Date.now() - lastCheck >= ACCESS_RECHECK_MS)) {
          lastCheck = Date.now();
          const now = await ctx.realtime.sharedContentRow(content.id, () =>
            ctx.prisma.content.findUnique({ where: { id: content.id }, select: { ownerId: true, status: true, visibility: true } }),
          );
          if (!now || !canView(ctx.user, now)) return;
        }
        if (message === 'timeout' || message.event.type === 'presence' || !reaches(message.event)) continue;
        if (message.id !== null) {
          if (BigInt(message.id) <= BigInt(cursor)) continue;
          cursor = message.id;
        }
        yield emit(message.event);
      }
    } finally {
      for (const off of unsubscribe) off();
      leave();
      release();
    }
  }),
});
