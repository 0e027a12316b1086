import { router } from '../api/trpc.ts';

export const streamingRouter = router({});
