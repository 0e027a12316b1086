import { router } from '../api/trpc.ts';

export const profilesRouter = router({});
