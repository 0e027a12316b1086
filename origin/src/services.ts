import type { OriginConfig } from './config.ts';
import type { PrismaClient } from './db/database.ts';
import type { SearchCache } from './catalog/search-cache.ts';
import type { SearchPage } from './catalog/search.ts';
import type { MediaStore } from './media/media-store.ts';

/** What every request handler can use; built once at start-up by createOrigin. */
export interface OriginServices {
  prisma: PrismaClient;
  config: OriginConfig;
  media: MediaStore;
  /** Search result pages; content changes must call `invalidate()`. */
  searchCache: SearchCache<SearchPage>;
  /** The tracker URL handed to players, or null when no tracker is configured. */
  trackerUrl: string | null;
  now(): Date;
}
