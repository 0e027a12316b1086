import { z } from 'zod';
import { projectionSchema } from '../projection.ts';
import { idSchema } from './common.ts';
import { contentSummarySchema } from './content.ts';

/** Longest position a heartbeat may report (a week), so absurd numbers are refused, not stored. */
const POSITION_MAX_SECONDS = 7 * 24 * 3600;

/** What a player needs to start (or resume) watching a content. */
export const playbackSessionSchema = z.object({
  sessionId: z.string(),
  contentId: z.string(),
  masterUrl: z.string(),
  projection: projectionSchema,
  durationSeconds: z.number().nullable(),
  trackerUrl: z.string().nullable(),
  segmentHashesUrl: z.string().nullable(),
  /** Where to seek to; 0 for a new session. */
  resumePositionSeconds: z.number(),
  /** True when an unfinished session was picked up again (no new view was counted). */
  resumed: z.boolean(),
  /** The anonymous viewer id the session belongs to (also set as the sc_viewer cookie); null when signed in. */
  viewerId: z.string().nullable(),
});
export type PlaybackSession = z.infer<typeof playbackSessionSchema>;

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
