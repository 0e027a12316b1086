import { announcementsRouter } from '../domains/announcements/announcements-router.ts';
import { authRouter } from '../domains/auth/auth-router.ts';
import { contentProcedures } from '../domains/catalog/content-router.ts';
import { publishProcedures } from '../domains/media/publish-procedures.ts';
import { captionProcedures } from '../domains/media/caption-procedures.ts';
import { searchProcedure } from '../domains/catalog/search.ts';
import { engagementRouter } from '../domains/engagement/engagement-router.ts';
import { profilesRouter } from '../domains/profiles/profiles-router.ts';
import { recommendationsRouter } from '../domains/recommendations/recommendations-router.ts';
import { streamingRouter } from '../domains/streaming/streaming-router.ts';
import { liveRouter } from '../domains/live/live-router.ts';
import { uploadsRouter } from '../domains/uploads/uploads-router.ts';
import { realtimeRouter } from '../domains/realtime/realtime-router.ts';
import { chatRouter } from '../domains/chat/chat-router.ts';
import { partiesRouter } from '../domains/parties/parties-router.ts';
import { alertsRouter } from '../domains/alerts/alerts-router.ts';
import { adsRouter } from '../domains/ads/ads-router.ts';
import { destinationsRouter } from '../domains/destinations/destinations-router.ts';
import { toursRouter } from '../domains/tours/tours-router.ts';
import { createCallerFactory, router } from '../core/trpc.ts';

/** Every procedure of the origin. Also served as REST under /api (see each procedure's `openapi` meta). */
export const appRouter = router({
  auth: authRouter,
  content: router({ ...contentProcedures, ...publishProcedures, ...captionProcedures }),
  search: searchProcedure,
  profiles: profilesRouter,
  engagement: engagementRouter,
  streaming: streamingRouter,
  recommendations: recommendationsRouter,
  announcements: announcementsRouter,
  live: liveRouter,
  uploads: uploadsRouter,
  realtime: realtimeRouter,
  chat: chatRouter,
  parties: partiesRouter,
  alerts: alertsRouter,
  ads: adsRouter,
  destinations: destinationsRouter,
  tours: router(toursRouter),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
