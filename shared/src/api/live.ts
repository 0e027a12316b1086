import { z } from 'zod';
import { idSchema } from './common.ts';
import { contentCreateInput } from './content.ts';

/**
 * Live channels and the HLS push ingest contract (`PUT /live/{channelId}/{path}`), shared by the
 * origin (which enforces it) and the studio's live encoder (which follows it).
 */

/** Sizes the ingest accepts; a larger body is a 413. */
export const LIVE_LIMITS = {
  /** One media segment (`seg_{n}.m4s`). */
  segmentBytes: 16 * 1024 * 1024,
  /** One init segment (`init.mp4`). */
  initBytes: 1024 * 1024,
  /** The master playlist or an encoder's media playlist (a hint). */
  playlistBytes: 256 * 1024,
  /** Rungs (variant streams) one channel may push. */
  rungsMax: 8,
  /** Highest segment number (`seg_{n}.m4s`). */
  segmentNumberMax: 2_000_000_000,
} as const;

/** A rung's folder: `{width}x{height}` of its video, or `audio` for an audio-only rendition. */
export const LIVE_RUNG_PATTERN = /^(?:[0-9]{2,4}x[0-9]{2,4}|audio)$/;

/** What a path below `/live/{channelId}/` names. */
export type LiveIngestPath =
  { kind: 'master' } | { kind: 'init'; rung: string } | { kind: 'segment'; rung: string; sequence: number } | { kind: 'playlist'; rung: string };

/**
 * Parses an ingest path (`master.m3u8`, `{rung}/init.mp4`, `{rung}/seg_{n}.m4s`, `{rung}/index.m3u8`).
 * Returns a sentence saying what is wrong, for a 400, when the path is none of these.
 */
export function parseLiveIngestPath(path: string): LiveIngestPath | { error: string } {
  if (path === 'master.m3u8') return { kind: 'master' };
  const parts = path.split('/');
  const expected = 'expected master.m3u8, {rung}/init.mp4, {rung}/seg_{n}.m4s or {rung}/index.m3u8, where {rung} is WIDTHxHEIGHT (e.g. 1280x640) or audio';
  if (parts.length !== 2) return { error: `${JSON.stringify(path)} is not an ingest file name: ${expected}.` };
  const [rung = '', file = ''] = parts;
  if (!LIVE_RUNG_PATTERN.test(rung))
    return { error: `${JSON.stringify(rung)} is not a rung name: use WIDTHxHEIGHT (2 to 4 digits each, e.g. 1280x640) or audio.` };
  if (file === 'init.mp4') return { kind: 'init', rung };
  if (file === 'index.m3u8') return { kind: 'playlist', rung };
  const segment = /^seg_(0|[1-9][0-9]{0,9})\.m4s$/.exec(file);
  if (segment) {
    const sequence = Number(segment[1]);
    if (sequence > LIVE_LIMITS.segmentNumberMax) return { error: `${file}: segment numbers go up to ${LIVE_LIMITS.segmentNumberMax}.` };
    return { kind: 'segment', rung, sequence };
  }
  return { error: `${JSON.stringify(file)} is not an ingest file name in ${rung}/: ${expected}.` };
}

export const LIVE_CHANNEL_STATUSES = ['idle', 'live', 'reconnecting', 'ended'] as const;
export const liveChannelStatusSchema = z.enum(LIVE_CHANNEL_STATUSES);
export type LiveChannelStatus = z.infer<typeof liveChannelStatusSchema>;

/** What a creator gives to open a channel: the broadcast's catalog fields (its content item is of kind `live`). */
export const liveChannelCreateInput = contentCreateInput.omit({ kind: true });
export type LiveChannelCreateInput = z.input<typeof liveChannelCreateInput>;

/** The answer to creating a channel or rotating its key: the key is shown this once (only its hash is stored). */
export const liveChannelCreatedSchema = z.object({
  id: idSchema,
  /** Secret: push with `Authorization: Bearer <streamKey>` or publish RTMP to `rtmpUrl`. */
  streamKey: z.string(),
  /** `rtmp://HOST:RTMP_PORT/live/<streamKey>` for OBS and other RTMP encoders. */
  rtmpUrl: z.string(),
  /** Base URL of the HLS push ingest: PUT `{hlsIngestUrl}/master.m3u8`, `{hlsIngestUrl}/{rung}/...`. */
  hlsIngestUrl: z.string(),
});
export type LiveChannelCreated = z.infer<typeof liveChannelCreatedSchema>;

export const liveChannelSchema = z.object({
  id: idSchema,
  status: liveChannelStatusSchema,
  /** The broadcast's content item (kind `live`); it becomes a VOD of the same id when the broadcast ends. */
  contentId: idSchema,
  /** Viewers with a playback heartbeat in the last minute. */
  viewers: z.number().int().min(0),
});
export type LiveChannel = z.infer<typeof liveChannelSchema>;
