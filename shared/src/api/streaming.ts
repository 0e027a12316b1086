import { z } from 'zod';
import { projectionSchema } from '../projection.ts';
import { idSchema } from './common.ts';
import { contentKindSchema, contentSummarySchema } from './content.ts';

/** Longest position a heartbeat may report (a week), so absurd numbers are refused, not stored. */
const POSITION_MAX_SECONDS = 7 * 24 * 3600;

/**
 * One STUN or TURN server in the shape of WebRTC's RTCIceServer. TURN entries carry short-lived
 * per-viewer credentials (TURN REST API: username `<expiry unix seconds>:<viewer>`, credential
 * base64(HMAC-SHA1(shared secret, username))), never the operator's secret.
 */
export const iceServerSchema = z.object({
  urls: z.array(z.string().min(1)).min(1),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

/**
 * When a player may use peers reached through a TURN relay (which costs the operator as much as HTTP):
 * `off` never (no TURN servers handed out, relayed pairs dropped), `fallback` only where no direct or
 * STUN-reflexive path works (ICE prefers those by priority), `always` every peer through the relay
 * (iceTransportPolicy `relay`: hides viewers' addresses from each other).
 */
export const relayPolicySchema = z.enum(['off', 'fallback', 'always']);
export type RelayPolicy = z.infer<typeof relayPolicySchema>;

/**
 * How far behind the live edge a player holds, in seconds: `base` plus a random share of `spread`,
 * drawn per player (the player's hls.js liveSyncDuration), the same for every segment length. The
 * playback payload's `latencyTargetSeconds` is the middle of that range.
 */
export const LIVE_HOLD_BACK_SECONDS = { base: 3.75, spread: 1 } as const;

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
  /**
   * The P2P swarm this viewer joins (videos only): the same for every viewer of the video, where a
   * signed masterUrl differs per viewer. Players pass it to the P2P engine as its swarm id.
   */
  swarmId: z.string().nullable(),
  /** WebTorrent tracker for P2P delivery (videos only). */
  trackerUrl: z.string().nullable(),
  /** STUN/TURN servers for the P2P connections (empty: host candidates only, i.e. same machine or LAN). */
  iceServers: z.array(iceServerSchema),
  /** Whether relayed (TURN) peer connections may be used; see relayPolicySchema. */
  relayPolicy: relayPolicySchema,
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

/** A viewing session whose ICE servers are asked for again (`streaming.iceServers`). */
export const sessionIceInput = z.object({ sessionId: idSchema });

/**
 * Fresh STUN/TURN servers for a viewing session (TURN credentials expire TURN_TTL_SECONDS after they
 * were made): the same session, no new one, no view counted. Players ask before the old ones expire.
 */
export const sessionIceSchema = z.object({ iceServers: z.array(iceServerSchema), relayPolicy: relayPolicySchema });
export type SessionIce = z.infer<typeof sessionIceSchema>;

/** One content in a watch history: the latest session's position and whether it was finished. */
export const historyItemSchema = z.object({
  sessionId: z.string(),
  positionSeconds: z.number(),
  completed: z.boolean(),
  watchedAt: z.date(),
  content: contentSummarySchema,
});
export type HistoryItem = z.infer<typeof historyItemSchema>;
