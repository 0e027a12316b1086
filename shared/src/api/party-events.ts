import { z } from 'zod';

/**
 * The events of a watch party on the real-time channel (#15). Declared here and added to
 * realtimeEventSchema (realtime.ts), so the origin's bus parses them like every other event; the
 * inputs and limits are in parties.ts. This file imports nothing of realtime.ts (no import cycle).
 */

/**
 * Where the party is: the host's playhead `positionSeconds` at server time `anchoredAtMs` (ms since
 * the epoch, the origin's clock), moving at `rate` while `playing`. A member's target is
 * `positionSeconds + (serverNow - anchoredAtMs) / 1000 * rate` while playing, `positionSeconds`
 * while paused.
 */
export const partyStateSchema = z.object({
  playing: z.boolean(),
  positionSeconds: z.number().min(0),
  anchoredAtMs: z.number().int(),
  rate: z.number().positive(),
  /**
   * The scene the party is in (a tour's scene id), null outside a tour. A tour player changes it
   * with `parties.control({ action: 'scene', sceneId })`; members' players follow it.
   */
  sceneId: z.string().nullable(),
  /** Grows with every change; a client ignores a state older than the one it has. */
  revision: z.number().int().min(0),
});
export type PartyState = z.infer<typeof partyStateSchema>;

export const partyMemberSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  host: z.boolean(),
});
export type PartyMember = z.infer<typeof partyMemberSchema>;

/** Where one member looks, in degrees (yaw in (-180, 180], pitch in [-90, 90]). */
export const partyViewSchema = z.object({
  userId: z.string(),
  yaw: z.number().min(-180).max(180),
  pitch: z.number().min(-90).max(90),
});
export type PartyView = z.infer<typeof partyViewSchema>;

export const partyChatMessageSchema = z.object({
  id: z.string(),
  author: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  body: z.string(),
  sentAt: z.string(),
});
export type PartyChatMessage = z.infer<typeof partyChatMessageSchema>;

/** The party events, as members of realtimeEventSchema's union. */
export const partyEventSchemas = [
  z.object({ type: z.literal('party.state'), partyId: z.string(), state: partyStateSchema }),
  z.object({ type: z.literal('party.members'), partyId: z.string(), members: z.array(partyMemberSchema) }),
  /** View directions that changed in the last tick on one origin, coalesced (one event per tick, not one per member). */
  z.object({ type: z.literal('party.views'), partyId: z.string(), views: z.array(partyViewSchema) }),
  z.object({ type: z.literal('party.chat'), partyId: z.string(), message: partyChatMessageSchema }),
  z.object({ type: z.literal('party.ended'), partyId: z.string(), reason: z.string() }),
] as const;
