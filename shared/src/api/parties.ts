import { z } from 'zod';
import { idSchema } from './common.ts';
import { containsLink, REALTIME_LIMITS } from './realtime.ts';
import { textSchema } from './text.ts';
import { partyMemberSchema, partyStateSchema } from './party-events.ts';

export * from './party-events.ts';

/** Bounds of watch parties (#15): one place, so the player and the origin agree. */
export const PARTY_LIMITS = {
  /** Members of one party, the host included. */
  membersMax: 20,
  /** Parties one user hosts at once (not ended, not expired). */
  hostedMax: 3,
  /** A party ends on its own this long after it was opened (ms). */
  lifetimeMs: 12 * 3600_000,
  /** View directions one member may send per second; players send at most 4 (coalesced). */
  viewsPerSecond: 5,
  /** Host controls (play, pause, seek, scene, sync) per window… */
  controlsPerWindow: 30,
  /** …of this many milliseconds. */
  controlWindowMs: 10_000,
  /** Party chat: the live chat's limits (messages per window, characters). */
  chatMessagesPerWindow: REALTIME_LIMITS.chatMessagesPerWindow,
  chatWindowMs: REALTIME_LIMITS.chatWindowMs,
  chatMessageMax: REALTIME_LIMITS.chatMessageMax,
  /** The origin sends the view directions of a party at most this often (ms), coalesced per tick. */
  viewTickMs: 200,
  /** A host's `at` (its estimate of the server clock) farther than this from the server's clock is not trusted (ms). */
  anchorSkewMaxMs: 5000,
  /** Positions and times are at most a week into a content (as stream times in chat). */
  positionMaxSeconds: 7 * 24 * 3600,
} as const;

/**
 * A party id is also its invitation: 16 random bytes in base64url (128 bits, unguessable). Knowing
 * it lets a signed-in viewer who may see the content join; everything else needs membership.
 */
export const partyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be a watch party id (22 characters from an invitation link)');

export const partyCreateInput = z.object({ contentId: idSchema });
export const partyIdInput = z.object({ partyId: partyIdSchema });

const positionSchema = z.number().min(0).max(PARTY_LIMITS.positionMaxSeconds);

/**
 * What the host did. `positionSeconds` is the host's playhead; `at` its estimate of the server's
 * clock when it read the playhead (ms since the epoch, see `parties.clock`), so the one-way delay of
 * the request does not put the members behind. `sceneId` is for `scene` (a tour's scene change;
 * the position is then the time in the new scene).
 */
export const partyControlInput = z
  .object({
    partyId: partyIdSchema,
    action: z.enum(['play', 'pause', 'seek', 'scene', 'sync']),
    positionSeconds: positionSchema,
    at: z.number().int().positive().optional(),
    /** Whether the host's video plays after this action; `play` and `pause` imply it, the others keep the party's. */
    playing: z.boolean().optional(),
    sceneId: z.string().trim().min(1).max(64).optional(),
  })
  .refine((input) => input.action !== 'scene' || input.sceneId !== undefined, { message: 'a scene change needs the sceneId', path: ['sceneId'] });
export type PartyControlInput = z.infer<typeof partyControlInput>;

export const partyViewInput = z.object({
  partyId: partyIdSchema,
  yaw: z.number().min(-180).max(180),
  pitch: z.number().min(-90).max(90),
});

export const partyChatInput = z.object({
  partyId: partyIdSchema,
  body: textSchema()
    .trim()
    .min(1, 'must not be empty')
    .max(PARTY_LIMITS.chatMessageMax, `must be at most ${PARTY_LIMITS.chatMessageMax} characters`)
    .refine((value) => !containsLink(value), 'must not contain links (chat carries text only); remove the address and send again'),
});

/** The party as a member sees it. `invitePath` is the link to send to friends (relative to the origin). */
export const partySchema = z.object({
  id: z.string(),
  contentId: z.string(),
  hostId: z.string(),
  invitePath: z.string(),
  expiresAt: z.string(),
  state: partyStateSchema,
  members: z.array(partyMemberSchema),
});
export type Party = z.infer<typeof partySchema>;

export const partyClockSchema = z.object({ serverNowMs: z.number().int() });

/** `lastEventId` is filled in by tRPC's httpSubscriptionLink on reconnect. */
export const partySubscribeInput = z.object({ partyId: partyIdSchema, lastEventId: z.string().max(40).nullish() });
