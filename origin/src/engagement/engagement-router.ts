import { router } from '../api/trpc.ts';

export const engagementRouter = router({});
