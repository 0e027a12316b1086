import type { OriginConfig } from './config.ts';
import type { PrismaClient } from './db/database.ts';
import type { MediaStore } from './media/media-store.ts';

/** What every request handler can use; built once at start-up by createOrigin. */
export interface OriginServices {
  prisma: PrismaClient;
  config: OriginConfig;
  media: MediaStore;
  /** The tracker URL handed to players, or null when no tracker is configured. */
  trackerUrl: string | null;
  now(): Date;
}
