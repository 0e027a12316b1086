import { z } from 'zod';
import { idSchema } from './common.ts';
import { locationSchema, tagSchema } from './content.ts';
import { textSchema } from './text.ts';
import { LIMITS } from './limits.ts';
import { adPositionSchema, adTrackingEventSchema } from './ad-delivery.ts';

/**
 * Ads (#14): an advertiser's campaigns, the ad breaks a creator places in a content, and the daily
 * report. How an ad reaches the player (asset list, tracking) is in ad-delivery.ts.
 */

/** ISO 8601 date-time with an offset or Z, as JSON carries dates. */
const instantSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2030-01-31T12:00:00Z' }).transform((value) => new Date(value));

const webUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://example.com/offer' }).max(2048);

/** How the creative is drawn: on the sphere, or on a virtual screen in front of the viewer. */
export const adCreativeKindSchema = z.enum(['flat', '360']);
export type AdCreativeKind = z.infer<typeof adCreativeKindSchema>;

/** Which streams a campaign runs in. */
export const adDeliverySchema = z.enum(['any', 'live', 'vod']);
export type AdDelivery = z.infer<typeof adDeliverySchema>;

export const adTargetingSchema = z.object({
  /** Empty: any genre. */
  genres: z.array(textSchema().trim().toLowerCase().min(1).max(LIMITS.genreMax)).max(20).default([]),
  /** Empty: any tags; else the content needs at least one of them. */
  tags: z.array(tagSchema).max(20).default([]),
  /** Only content placed within radiusKm of this place; null: anywhere. */
  place: locationSchema
    .extend({ radiusKm: z.number().positive().max(20_000) })
    .nullable()
    .default(null),
  delivery: adDeliverySchema.default('any'),
});
export type AdTargeting = z.infer<typeof adTargetingSchema>;

const campaignFields = {
  name: textSchema().trim().min(1).max(120),
  /** flat or 360: how the uploaded creative is drawn. Ignored with vastTagUrl. */
  creativeForm: adCreativeKindSchema,
  /** An external VAST tag to read instead of an uploaded creative (wrappers are followed, 2 s at most). */
  vastTagUrl: webUrl.nullable(),
  clickThroughUrl: webUrl.nullable(),
  /** Seconds before the viewer may skip; null: not skippable. */
  skipOffsetSeconds: z.number().min(0).max(600).nullable(),
  startsAt: instantSchema,
  endsAt: instantSchema,
  targeting: adTargetingSchema,
  budgetImpressions: z.number().int().min(1).max(1_000_000_000),
  /** Impressions per viewer per (UTC) day. */
  frequencyCapPerDay: z.number().int().min(1).max(1000),
  paused: z.boolean(),
};

const endsAfterStart = { message: 'must be after startsAt', path: ['endsAt'] };

export const adCampaignCreateInput = z
  .object({
    ...campaignFields,
    creativeForm: campaignFields.creativeForm.default('flat'),
    vastTagUrl: campaignFields.vastTagUrl.default(null),
    clickThroughUrl: campaignFields.clickThroughUrl.default(null),
    skipOffsetSeconds: campaignFields.skipOffsetSeconds.default(5),
    targeting: adTargetingSchema.default({ genres: [], tags: [], place: null, delivery: 'any' }),
    frequencyCapPerDay: campaignFields.frequencyCapPerDay.default(3),
    paused: campaignFields.paused.default(false),
  })
  .refine((input) => input.endsAt > input.startsAt, endsAfterStart);
export type AdCampaignCreateInput = z.input<typeof adCampaignCreateInput>;

/** Fields left out keep their value. */
export const adCampaignUpdateInput = z
  .object({
    id: idSchema,
    name: campaignFields.name.optional(),
    vastTagUrl: campaignFields.vastTagUrl.optional(),
    clickThroughUrl: campaignFields.clickThroughUrl.optional(),
    skipOffsetSeconds: campaignFields.skipOffsetSeconds.optional(),
    startsAt: campaignFields.startsAt.optional(),
    endsAt: campaignFields.endsAt.optional(),
    targeting: adTargetingSchema.optional(),
    budgetImpressions: campaignFields.budgetImpressions.optional(),
    frequencyCapPerDay: campaignFields.frequencyCapPerDay.optional(),
    paused: campaignFields.paused.optional(),
  })
  .refine((input) => !input.startsAt || !input.endsAt || input.endsAt > input.startsAt, endsAfterStart);
export type AdCampaignUpdateInput = z.input<typeof adCampaignUpdateInput>;

export const adCampaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  advertiser: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  creativeForm: adCreativeKindSchema,
  /**
   * The uploaded creative: an unlisted video content of the advertiser's. Upload its video with
   * `POST /api/uploads` ({ contentId }) and tus; the campaign serves once its status is `ready`.
   */
  creative: z.object({ contentId: z.string(), status: z.string(), durationSeconds: z.number().nullable(), projection: z.string() }).nullable(),
  vastTagUrl: z.string().nullable(),
  clickThroughUrl: z.string().nullable(),
  skipOffsetSeconds: z.number().nullable(),
  startsAt: z.date(),
  endsAt: z.date(),
  targeting: z.object({
    genres: z.array(z.string()),
    tags: z.array(z.string()),
    place: z.object({ placeName: z.string(), latitude: z.number(), longitude: z.number(), radiusKm: z.number() }).nullable(),
    delivery: adDeliverySchema,
  }),
  budgetImpressions: z.number().int(),
  frequencyCapPerDay: z.number().int(),
  /** Impressions recorded so far (counted against the budget). */
  impressions: z.number().int(),
  paused: z.boolean(),
  createdAt: z.date(),
});
export type AdCampaign = z.infer<typeof adCampaignSchema>;

export const adCampaignListSchema = z.object({ items: z.array(adCampaignSchema) });

/** Where a content's ad breaks sit (a VOD, or the content of a live channel). */
export const adPlacementInput = z.object({
  contentId: idSchema,
  /** Off: no ads in this content, whatever else is set. */
  enabled: z.boolean().default(true),
  preroll: z.boolean().default(false),
  /** VOD mid-rolls at these seconds of the content (sorted, duplicates dropped). */
  midrollSeconds: z
    .array(z.number().positive().max(86_400))
    .max(20)
    .default([])
    .transform((seconds) => [...new Set(seconds)].sort((a, b) => a - b)),
  /** Live: a mid-roll every N minutes from the broadcast's start; null: none. */
  liveMidrollEveryMinutes: z.number().int().min(1).max(240).nullable().default(null),
  postroll: z.boolean().default(false),
});
export type AdPlacementInput = z.input<typeof adPlacementInput>;

export const adPlacementSchema = z.object({
  contentId: z.string(),
  enabled: z.boolean(),
  preroll: z.boolean(),
  midrollSeconds: z.array(z.number()),
  liveMidrollEveryMinutes: z.number().int().nullable(),
  postroll: z.boolean(),
});
export type AdPlacement = z.infer<typeof adPlacementSchema>;

export const adContentInput = z.object({ contentId: idSchema });

/** An admin makes an account an advertiser (or takes it back: the account becomes a viewer). */
export const advertiserGrantInput = z.object({ username: z.string().trim().toLowerCase().min(1).max(LIMITS.usernameMax), grant: z.boolean().default(true) });

export const adReportDaySchema = z.object({
  /** UTC day, YYYY-MM-DD. */
  day: z.string(),
  impressions: z.number().int(),
  completes: z.number().int(),
  /** completes / impressions, 0 when there were none. */
  completionRate: z.number(),
  clicks: z.number().int(),
  skips: z.number().int(),
});
export type AdReportDay = z.infer<typeof adReportDaySchema>;

export const adReportInput = z.object({
  id: idSchema,
  /** Days back from today (UTC) the report covers. */
  days: z.coerce.number().int().min(1).max(366).default(30),
});

export const adReportSchema = z.object({
  campaignId: z.string(),
  days: z.array(adReportDaySchema),
  totals: adReportDaySchema.omit({ day: true }),
});
export type AdReport = z.infer<typeof adReportSchema>;

/** An anonymous viewer's id, as the player keeps it (x-spherecast-viewer). */
const viewerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16-64 letters, digits, - or _');

/** `GET /api/ads/vast`: a VAST 4 document for one break of one content. */
export const adVastQuery = z.object({
  contentId: idSchema,
  position: adPositionSchema,
  viewerId: viewerIdSchema.optional(),
});

/**
 * `GET /api/ads/assets`: the HLS interstitials asset list for one break (the X-ASSET-LIST of its
 * DATERANGE). hls.js adds `_HLS_primary_id` and `_HLS_start_offset`.
 */
export const adAssetListQuery = z.object({
  contentId: idSchema,
  position: adPositionSchema,
  /** The break's DATERANGE ID. */
  break: z.string().max(100).optional(),
  viewerId: viewerIdSchema.optional(),
  _HLS_primary_id: z.string().max(100).optional(),
  _HLS_start_offset: z.string().max(30).optional(),
});

/** `GET /api/ads/beacon`: one tracking event of one impression, signed by the origin. */
export const adBeaconQuery = z.object({
  i: idSchema,
  e: adTrackingEventSchema,
  s: z.string().regex(/^[0-9a-z]{1,12}\.\d{1,9}\.[A-Za-z0-9_-]{22}$/, 'must be the signature the origin wrote in the beacon URL'),
  /** VAST [ERRORCODE] macro, when the player fills it in. */
  code: z.string().max(20).optional(),
});
