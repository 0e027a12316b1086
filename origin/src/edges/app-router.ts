import { announcementsRouter } from '../announcements/announcements-router.ts';
import { authRouter } from '../auth/auth-router.ts';
import { contentRouter } from '../catalog/content-router.ts';
import { searchProcedure } from '../catalog/search.ts';
import { engagementRouter } from '../engagement/engagement-router.ts';
import { profilesRouter } from '../profiles/profiles-router.ts';
import { recommendationsRouter } from '../recommendations/recommendations-router.ts';
import { streamingRouter } from '../streaming/streaming-router.ts';
import { createCallerFactory, router } from './trpc.ts';

/** Every procedure of the origin. Also served as REST under /api (see each procedure's `openapi` meta). */
export const appRouter = router({
  auth: authRouter,
  content: contentRouter,
  search: searchProcedure,
  profiles: profilesRouter,
  engagement: engagementRouter,
  streaming: streamingRouter,
  recommendations: recommendationsRouter,
  announcements: announcementsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
