import { z } from 'zod';
import { projectionSchema } from '../projection.ts';
import { idSchema } from './common.ts';
import { contentKindSchema, contentSummarySchema } from './content.ts';

/** Longest position a heartbeat may report (a week), so absurd numbers are refused, not stored. */
const POSITION_MAX_SECONDS = 7 * 24 * 3600;

/**
 * The playback payload: everything a player needs to start (or resume) watching a content, from
 * one call (`streaming.start`, `GET /api/streaming/{id}`). Built by one function in the origin
 * (core/playback.ts); content details carry no copy of it.
 */
export const playbackSchema = z.object({
  sessionId: z.string(),
  contentId: z.string(),
  kind: contentKindSchema,
  /** Master playlist (videos) or full-size image (photos). */
  masterUrl: z.string(),
  projection: projectionSchema,
  durationSeconds: z.number().nullable(),
  /** WebTorrent tracker for P2P delivery (videos only). */
  trackerUrl: z.string().nullable(),
  /** JSON map of segment path (relative to the master's folder) to SHA-256, for checking segments from peers. */
  segmentHashesUrl: z.string().nullable(),
  /** True while the content is a broadcast on air: play from the live edge, refresh the playlists (the master is a live ladder). */
  live: z.boolean(),
  /** How far behind the live edge a player should hold (seconds), while live; null for on-demand content. */
  latencyTargetSeconds: z.number().positive().nullable(),
  /** Where to seek to; 0 for a new session (and while live). */
  resumePositionSeconds: z.number(),
  /** True when an unfinished session was picked up again. Starting counts no view either way: a heartbeat after real playback does. */
  resumed: z.boolean(),
  /** The anonymous viewer id the session belongs to (also set as the sc_viewer cookie); null when signed in. */
  viewerId: z.string().nullable(),
});
export type Playback = z.infer<typeof playbackSchema>;

export const heartbeatInput = z.object({
  sessionId: idSchema,
  positionSeconds: z.number().min(0).max(POSITION_MAX_SECONDS),
  /** The player reached the end (or the viewer finished): marks the session completed. */
  ended: z.boolean().optional(),
});
export const heartbeatResultSchema = z.object({ positionSeconds: z.number(), completed: z.boolean() });

/** One content in a watch history: the latest session's position and whether it was finished. */
export const historyItemSchema = z.object({
  sessionId: z.string(),
  positionSeconds: z.number(),
  completed: z.boolean(),
  watchedAt: z.date(),
  content: contentSummarySchema,
});
export type HistoryItem = z.infer<typeof historyItemSchema>;
