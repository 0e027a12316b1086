import { z } from 'zod';
import { projectionSchema } from '../projection.ts';

/**
 * How an ad reaches the player: the contract between the origin's ad decision and the 360 player.
 *
 * Playlists declare ad breaks as HLS Interstitials (an `EXT-X-DATERANGE` with
 * `CLASS="com.apple.hls.interstitial"` and `X-ASSET-LIST`); hls.js fetches the asset list for the
 * viewer when the break comes. The asset list is the standard HLS interstitials JSON
 * (`{ "ASSETS": [{ "URI", "DURATION" }] }`), and each asset carries what the player needs to show it
 * and to report on it under `X-SPHERECAST-AD`. hls.js ignores keys it does not know.
 */

/** Where a break sits in the content. */
export const adPositionSchema = z.enum(['preroll', 'midroll', 'postroll']);
export type AdPosition = z.infer<typeof adPositionSchema>;

/** How the creative is drawn: on the sphere (a 360 creative) or on a virtual screen in front of the viewer. */
export const adCreativeFormSchema = z.union([z.object({ kind: z.literal('360'), projection: projectionSchema }), z.object({ kind: z.literal('flat') })]);
export type AdCreativeForm = z.infer<typeof adCreativeFormSchema>;

/** The VAST tracking events the player fires, each a list of beacon URLs (absolute, http or https). */
export const AD_TRACKING_EVENTS = ['impression', 'start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip', 'clickTracking', 'error'] as const;
export const adTrackingEventSchema = z.enum(AD_TRACKING_EVENTS);
export type AdTrackingEvent = z.infer<typeof adTrackingEventSchema>;

const beaconUrl = z.url({ protocol: /^https?$/, error: 'a beacon must be an http(s) URL' }).max(2048);

export const adTrackingSchema = z.partialRecord(adTrackingEventSchema, z.array(beaconUrl).max(20));
export type AdTracking = z.infer<typeof adTrackingSchema>;

/** What the player needs to show one ad and report on it. */
export const adDetailsSchema = z.object({
  /** The ad (a campaign's creative, or an external VAST ad) this asset plays. */
  adId: z.string().min(1).max(200),
  /** The campaign on this origin, or null for an ad from an external VAST tag. */
  campaignId: z.string().min(1).max(200).nullable(),
  title: z.string().max(200),
  form: adCreativeFormSchema,
  /** Seconds after which the viewer may skip; null: not skippable. */
  skipOffsetSeconds: z.number().min(0).nullable(),
  /** The advertiser's page, opened on a click (outside the headset view on a headset). */
  clickThrough: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable(),
  tracking: adTrackingSchema,
  /**
   * Viewers share this creative's segments over P2P, as they share the content's: `swarmId` is the
   * same for every viewer of the creative (not a viewer's signed URL), `segmentHashesUrl` its
   * `{ path: sha256 }` list, against which every segment from a peer is checked. Absent (an external
   * tag's media file): the creative loads over HTTP only.
   */
  p2p: z.object({ swarmId: z.string().min(1).max(2048), segmentHashesUrl: z.url({ protocol: /^https?$/ }).max(2048) }).optional(),
});
export type AdDetails = z.infer<typeof adDetailsSchema>;

/** One asset of an HLS interstitials asset list: a creative's own HLS master and its length. */
export const adAssetSchema = z.object({
  URI: z.string().min(1).max(2048),
  DURATION: z.number().positive(),
  'X-SPHERECAST-AD': adDetailsSchema,
});
export type AdAsset = z.infer<typeof adAssetSchema>;

/** The answer of the origin's asset-list URL: zero assets when no ad is chosen (the content plays on). */
export const adAssetListSchema = z.object({ ASSETS: z.array(adAssetSchema).max(10) });
export type AdAssetList = z.infer<typeof adAssetListSchema>;

/** The DATERANGE class hls.js treats as an interstitial. */
export const HLS_INTERSTITIAL_CLASS = 'com.apple.hls.interstitial';
