import { router } from '../../core/trpc.ts';
import { destinationProcedures } from './destinations.ts';
import { destinationEngagementProcedures } from './destination-engagement.ts';
import { destinationRecommendationProcedures } from './destination-recommendations.ts';

/**
 * Destinations (#15): places with the content located there, ratings and comments on them, and
 * destination-level recommendations. Tours hook in later by a destinationId on the tour (see the report).
 */
export const destinationsRouter = router({
  ...destinationProcedures,
  ...destinationEngagementProcedures,
  ...destinationRecommendationProcedures,
});
