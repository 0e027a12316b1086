import { LIVE_HOLD_BACK_SECONDS, type CONTENT_KINDS, type IceServer, type Playback, type Projection } from '@spherecast/shared';
import { hashesFileFor } from './content-view.ts';
import { iceServersFor } from './ice-servers.ts';
import type { MediaAccess } from './media-links.ts';
import type { Context } from './trpc.ts';

/** The columns of a content that playback is built from. */
export interface PlayableContent extends MediaAccess {
  id: string;
  kind: (typeof CONTENT_KINDS)[number];
  /** `live` while a broadcast is on air: the payload then says so and carries a latency target. */
  status: string;
  projection: string;
  durationSeconds: number | null;
  publishedPath: string;
  masterFile: string;
}

/** The hash list of a broadcast on air (written by domains/live beside its master playlist). */
export const LIVE_HASHES_FILE = 'live-hashes.json';

/** The viewing session a payload is for (see streaming.start). */
export interface PlaybackSession {
  id: string;
  resumePositionSeconds: number;
  resumed: boolean;
  viewerId: string | null;
}

/**
 * The ICE servers of a viewing session: TURN credentials are per session (the TURN username's viewer
 * part) and expire after TURN_TTL_SECONDS, so a player that watches longer asks again
 * (streaming.iceServers). Photos share nothing over P2P.
 */
export function playbackIceServers(ctx: Pick<Context, 'config' | 'now'>, kind: (typeof CONTENT_KINDS)[number], sessionId: string): IceServer[] {
  return kind === 'photo' ? [] : iceServersFor(ctx.config.ice, sessionId, ctx.now());
}

/**
 * Builds the playback payload, the one place that turns a published content into the URLs a player
 * fetches (master, segment hashes, tracker). Live, ads and signed media URLs extend it here.
 */
export function buildPlayback(
  ctx: Pick<Context, 'mediaLinks' | 'trackerUrl' | 'config' | 'now'>,
  content: PlayableContent,
  session: PlaybackSession,
): Playback {
  const video = content.kind !== 'photo';
  const { ice } = ctx.config;
  const live = content.status === 'live';
  return {
    sessionId: session.id,
    contentId: content.id,
    kind: content.kind,
    masterUrl: ctx.mediaLinks.url(content.publishedPath, content.masterFile, content) ?? '',
    swarmId: video ? ctx.mediaLinks.swarmId(content.publishedPath, content.masterFile, content) : null,
    projection: content.projection as Projection,
    durationSeconds: content.durationSeconds,
    trackerUrl: video ? ctx.trackerUrl : null,
    iceServers: playbackIceServers(ctx, content.kind, session.id),
    relayPolicy: ice.relayPolicy,
    // While live, the origin keeps live-hashes.json (the window's segments) beside the master; hashes.json of the VOD once it ends.
    segmentHashesUrl: video ? ctx.mediaLinks.url(content.publishedPath, live ? LIVE_HASHES_FILE : hashesFileFor(content.masterFile), content) : null,
    live,
    latencyTargetSeconds: live ? LIVE_HOLD_BACK_SECONDS.base + LIVE_HOLD_BACK_SECONDS.spread / 2 : null,
    // Live plays from the edge, whatever an earlier session reached.
    resumePositionSeconds: live ? 0 : session.resumePositionSeconds,
    resumed: session.resumed,
    viewerId: session.viewerId,
  };
}
