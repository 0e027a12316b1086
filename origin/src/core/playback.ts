import type { Playback, Projection } from '@spherecast/shared';
import { hashesFileFor } from './content-view.ts';
import type { MediaAccess } from './media-links.ts';
import type { Context } from './trpc.ts';

/** The columns of a content that playback is built from. */
export interface PlayableContent extends MediaAccess {
  id: string;
  kind: 'video' | 'photo';
  projection: string;
  durationSeconds: number | null;
  publishedPath: string;
  masterFile: string;
}

/** The viewing session a payload is for (see streaming.start). */
export interface PlaybackSession {
  id: string;
  resumePositionSeconds: number;
  resumed: boolean;
  viewerId: string | null;
}

/**
 * Builds the playback payload, the one place that turns a published content into the URLs a player
 * fetches (master, segment hashes, tracker). Live, ads and signed media URLs extend it here.
 */
export function buildPlayback(ctx: Pick<Context, 'mediaLinks' | 'trackerUrl'>, content: PlayableContent, session: PlaybackSession): Playback {
  const video = content.kind === 'video';
  return {
    sessionId: session.id,
    contentId: content.id,
    kind: content.kind,
    masterUrl: ctx.mediaLinks.url(content.publishedPath, content.masterFile, content) ?? '',
    projection: content.projection as Projection,
    durationSeconds: content.durationSeconds,
    trackerUrl: video ? ctx.trackerUrl : null,
    segmentHashesUrl: video ? ctx.mediaLinks.url(content.publishedPath, hashesFileFor(content.masterFile), content) : null,
    resumePositionSeconds: session.resumePositionSeconds,
    resumed: session.resumed,
    viewerId: session.viewerId,
  };
}
