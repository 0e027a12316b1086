import type { OriginConfig } from './config.ts';
import type { PrismaClient, RawQuery } from '../db/database.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { WindowCounter } from './rate-limit.ts';
import type { SearchCache } from './search-cache.ts';
import type { SearchPage } from '@spherecast/shared';
import type { MediaStore } from './media-store.ts';

import type { MediaAccessCache, MediaUrlSigner } from './media-links.ts';
import type { EventBus } from './event-bus.ts';
import type { RealtimeHub } from './realtime-hub.ts';
import type { PartyHub } from './party-hub.ts';

/** What every request handler can use; built once at start-up by createOrigin. */
export interface OriginServices {
  prisma: PrismaClient;
  /** The driver without Prisma's client, for hot read paths (PostgreSQL only; see Database.query). */
  rawQuery?: RawQuery;
  config: OriginConfig;
  media: MediaStore;
  /** Search result pages; content changes must call `invalidate()`. */
  searchCache: SearchCache<SearchPage>;
  /** The tracker URL handed to players when configured (TRACKER_URL). */
  trackerUrl: string | null;
  /**
   * Port of the tracker running beside the origin. Without TRACKER_URL, players are told
   * ws://<the host name they reached the origin by>:<this port>, so a headset on the LAN gets an
   * address it can reach rather than 127.0.0.1.
   */
  embeddedTrackerPort: number | null;
  /** Whether that tracker speaks TLS (wss://), as it does beside an HTTPS origin. */
  embeddedTrackerSecure: boolean;
  /**
   * Path on the origin's own port where WebSocket upgrades go to the embedded tracker (`/tracker`),
   * or null. With it, players are told ws(s)://<the host and port they reached the origin by>/tracker:
   * one port for firewalls, and one self-signed certificate for a headset to accept.
   */
  trackerPath: string | null;
  /** Failed sign-ins per address and login. */
  loginThrottle: LoginThrottle;
  /** New viewing sessions (streaming.start) per address. */
  playbackStartLimit: WindowCounter;
  /** Signs media URLs of private and unlisted content. */
  mediaSigner: MediaUrlSigner;
  /** Visibility per content for /media; content changes call `invalidate(id)`. */
  mediaAccess: MediaAccessCache;
  /** Real-time events between origins (LISTEN/NOTIFY on PostgreSQL, in-process on PGlite). */
  events: EventBus;
  /** Real-time subscriptions, viewer counts, reaction sums and chat limits of this origin. */
  realtime: RealtimeHub;
  /** Watch parties' rate limits, membership cache and coalesced view directions on this origin. */
  parties: PartyHub;
  now(): Date;
}
