import { router } from '../api/trpc.ts';

export const announcementsRouter = router({});
