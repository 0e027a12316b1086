import { router } from '../api/trpc.ts';

export const recommendationsRouter = router({});
