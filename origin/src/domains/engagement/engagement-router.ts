import { router } from '../../core/trpc.ts';
import { commentProcedures } from './comments.ts';
import { likeProcedures } from './likes.ts';
import { ratingProcedures } from './ratings.ts';

/** Likes, threaded comments and ratings; every counter change also updates popularity (popularity.ts). */
export const engagementRouter = router({
  ...likeProcedures,
  ...commentProcedures,
  ...ratingProcedures,
});
