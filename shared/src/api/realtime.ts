import { z } from 'zod';
import { idSchema } from './common.ts';
import { textSchema } from './text.ts';
import { partyEventSchemas } from './party-events.ts';

/** Limits of the real-time channel: one place, so the player and the origin agree. */
export const REALTIME_LIMITS = {
  /** Characters of one chat message. */
  chatMessageMax: 500,
  /** Chat messages one user may send per window (per content)… */
  chatMessagesPerWindow: 5,
  /** …of this many milliseconds. */
  chatWindowMs: 10_000,
  /** Reactions one user may send per second (more are refused: a tap is not a stream). */
  reactionsPerSecond: 10,
  /** Open subscriptions per signed-in user (or per address for anonymous viewers), per origin process. */
  subscriptionsPerUser: 8,
  /** Heartbeat (SSE ping) interval, ms: keeps proxies from closing an idle stream. */
  heartbeatMs: 15_000,
  /** Events a reconnecting client gets back at most, and how far back (ms). */
  replayMax: 200,
  replayWindowMs: 10 * 60_000,
  /** Chat messages a VOD viewer reads per request. */
  chatPageMax: 200,
  /** Kilometres of an alert's area radius at most. */
  alertRadiusKmMax: 20_000,
} as const;

/** The reactions a viewer can send with one tap. Constants are `as const`, not enums. */
export const REACTION_KINDS = ['like', 'dislike', 'heart', 'laugh', 'wow', 'clap'] as const;
export const reactionKindSchema = z.enum(REACTION_KINDS);
export type ReactionKind = z.infer<typeof reactionKindSchema>;

/** A URL, a `www.` host or a `name.tld/…` link: chat carries text only (spam and phishing stay out). */
const LINK = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.|\b[a-z0-9-]+\.(?:com|net|org|io|co|ru|xyz|info|biz|me|ly|gg|tv|link|app|dev|site|online)\b)/i;
export function containsLink(text: string): boolean {
  return LINK.test(text);
}

const authorSchema = z.object({ id: z.string(), username: z.string(), displayName: z.string() });

/** Seconds into the stream the message refers to (the playhead of the sender), so a VOD replays it in time. */
const streamTimeSchema = z
  .number()
  .min(0)
  .max(7 * 24 * 3600);

export const chatSendInput = z.object({
  contentId: idSchema,
  body: textSchema()
    .trim()
    .min(1, 'must not be empty')
    .max(REALTIME_LIMITS.chatMessageMax, `must be at most ${REALTIME_LIMITS.chatMessageMax} characters`)
    .refine((value) => !containsLink(value), 'must not contain links (chat carries text only); remove the address and send again'),
  streamTimeSeconds: streamTimeSchema,
});
export type ChatSendInput = z.infer<typeof chatSendInput>;

/** Dates travel as ISO strings in events (the origin uses no transformer). */
export const chatMessageSchema = z.object({
  id: z.string(),
  contentId: z.string(),
  author: authorSchema,
  body: z.string(),
  streamTimeSeconds: z.number(),
  sentAt: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatHistoryInput = z.object({
  contentId: idSchema,
  /** Messages from this stream time on (a VOD viewer reads ahead of the playhead). */
  fromSeconds: streamTimeSchema.default(0),
  limit: z.coerce.number().int().min(1).max(REALTIME_LIMITS.chatPageMax).default(100),
});
export const chatHistorySchema = z.object({ items: z.array(chatMessageSchema), muted: z.boolean() });

export const chatDeleteInput = z.object({ contentId: idSchema, messageId: idSchema });
export const chatMuteInput = z.object({ contentId: idSchema, userId: idSchema, muted: z.boolean() });

export const reactInput = z.object({ contentId: idSchema, kind: reactionKindSchema });

export const ALERT_SEVERITIES = ['info', 'warning', 'severe', 'extreme'] as const;
export const alertSeveritySchema = z.enum(ALERT_SEVERITIES);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;
/** Viewers may dismiss these; severe and extreme stay until they expire. */
export const DISMISSIBLE_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning'];

export const alertAreaSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('everywhere') }),
  z.object({
    kind: z.literal('circle'),
    placeName: textSchema().trim().min(1).max(120),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    radiusKm: z.number().positive().max(REALTIME_LIMITS.alertRadiusKmMax),
  }),
]);
export type AlertArea = z.infer<typeof alertAreaSchema>;

const instantSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2030-01-31T12:00:00Z' });

export const alertCreateInput = z
  .object({
    headline: textSchema().trim().min(1).max(160),
    body: textSchema().trim().min(1).max(2000),
    severity: alertSeveritySchema,
    area: alertAreaSchema.default({ kind: 'everywhere' }),
    /** Default: now. */
    startsAt: instantSchema.optional(),
    expiresAt: instantSchema,
  })
  .refine((input) => new Date(input.expiresAt) > new Date(input.startsAt ?? Date.now()), {
    message: 'must be after startsAt (and in the future)',
    path: ['expiresAt'],
  });
export type AlertCreateInput = z.input<typeof alertCreateInput>;

export const alertSchema = z.object({
  id: z.string(),
  headline: z.string(),
  body: z.string(),
  severity: alertSeveritySchema,
  area: alertAreaSchema,
  startsAt: z.string(),
  expiresAt: z.string(),
  createdAt: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;
export const alertListSchema = z.object({ items: z.array(alertSchema) });

/** `lastEventId` is filled in by tRPC's httpSubscriptionLink on reconnect (the id of the last tracked event). */
export const realtimeSubscribeInput = z.object({
  /** The content whose chat, reactions and viewer count to follow; without it, only alerts. */
  contentId: idSchema.optional(),
  lastEventId: z.string().max(40).nullish(),
});

/** Every event of the real-time channel. Declared once: the origin parses what it publishes, the player what it receives. */
export const realtimeEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chat.message'), message: chatMessageSchema }),
  z.object({ type: z.literal('chat.deleted'), contentId: z.string(), messageId: z.string() }),
  z.object({ type: z.literal('chat.muted'), contentId: z.string(), userId: z.string(), muted: z.boolean() }),
  /** Reactions of one second on one origin, summed; clients add the ticks of every origin. */
  z.object({ type: z.literal('reactions'), contentId: z.string(), counts: z.partialRecord(reactionKindSchema, z.number().int().positive()) }),
  z.object({ type: z.literal('viewers'), contentId: z.string(), count: z.number().int().min(0) }),
  z.object({ type: z.literal('alert'), alert: alertSchema }),
  z.object({ type: z.literal('alert.ended'), alertId: z.string() }),
  /** Sent once after the snapshot and replay: what follows is live. */
  z.object({ type: z.literal('ready') }),
  ...partyEventSchemas,
]);
export type RealtimeEvent = z.infer<typeof realtimeEventSchema>;
export type RealtimeEventType = RealtimeEvent['type'];
