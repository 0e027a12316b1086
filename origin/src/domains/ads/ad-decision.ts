import { createHash } from 'node:crypto';
import { adAssetListSchema, type AdAssetList, type AdPosition, type AdDetails } from '@spherecast/shared';
import type { OriginServices } from '../../core/services.ts';
import { MediaLinks } from '../../core/media-links.ts';
import { hashesFileFor } from '../../core/content-view.ts';
import { trackingOf } from './beacons.ts';
import { readExternalVast, type ExternalAd } from './external-vast.ts';

/**
 * The ad decision: which campaign (if any) one viewer gets at one break of one content. A campaign
 * runs when it is not paused, within its schedule, under its budget (impressions recorded so far),
 * under the viewer's daily frequency cap, with a ready creative (or an external tag), and when the
 * content matches its targeting; among those, the one furthest behind its budget goes first.
 */

/** Who the frequency cap counts for. */
export interface Viewer {
  userId: string | null;
  /** The anonymous id the player keeps (x-spherecast-viewer, the viewer cookie, or `viewerId`). */
  viewerId: string | null;
  /** hls.js's `_HLS_primary_id`: one playback, when nothing better is known. */
  primaryId: string | null;
  ip: string;
}

export function viewerKeyOf(viewer: Viewer): string {
  if (viewer.userId) return `user:${viewer.userId}`;
  if (viewer.viewerId) return `viewer:${viewer.viewerId}`;
  if (viewer.primaryId) return `primary:${viewer.primaryId}`;
  return `ip:${createHash('sha256').update(viewer.ip).digest('hex').slice(0, 32)}`;
}

export const utcDay = (date: Date) => date.toISOString().slice(0, 10);

type DecisionServices = Pick<OriginServices, 'prisma' | 'mediaSigner' | 'now'>;

const campaignSelect = {
  id: true,
  name: true,
  creativeForm: true,
  vastTagUrl: true,
  clickThroughUrl: true,
  skipOffsetSeconds: true,
  targetGenres: true,
  targetTags: true,
  targetLatitude: true,
  targetLongitude: true,
  targetRadiusKm: true,
  targetDelivery: true,
  budgetImpressions: true,
  frequencyCapPerDay: true,
  impressions: true,
  createdAt: true,
  creative: {
    select: { id: true, status: true, visibility: true, mediaEpoch: true, publishedPath: true, masterFile: true, durationSeconds: true, projection: true },
  },
} as const;

interface Candidate {
  id: string;
  name: string;
  creativeForm: string;
  vastTagUrl: string | null;
  clickThroughUrl: string | null;
  skipOffsetSeconds: number | null;
  targetGenres: string[];
  targetTags: string[];
  targetLatitude: number | null;
  targetLongitude: number | null;
  targetRadiusKm: number | null;
  targetDelivery: string;
  budgetImpressions: number;
  frequencyCapPerDay: number;
  impressions: number;
  createdAt: Date;
  creative: {
    id: string;
    status: string;
    visibility: string;
    mediaEpoch: number;
    publishedPath: string | null;
    masterFile: string | null;
    durationSeconds: number | null;
    projection: string;
  } | null;
}

interface TargetedContent {
  kind: string;
  status: string;
  genre: string | null;
  tags: string[];
  latitude: number | null;
  longitude: number | null;
}

const EARTH_RADIUS_KM = 6371;

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Whether a campaign's targeting admits a content. */
export function matchesTargeting(
  campaign: Pick<Candidate, 'targetGenres' | 'targetTags' | 'targetLatitude' | 'targetLongitude' | 'targetRadiusKm' | 'targetDelivery'>,
  content: TargetedContent,
): boolean {
  const live = content.kind === 'live' && content.status === 'live';
  if (campaign.targetDelivery === 'live' && !live) return false;
  if (campaign.targetDelivery === 'vod' && live) return false;
  if (campaign.targetGenres.length > 0 && (!content.genre || !campaign.targetGenres.includes(content.genre))) return false;
  if (campaign.targetTags.length > 0 && !campaign.targetTags.some((tag) => content.tags.includes(tag))) return false;
  if (campaign.targetLatitude !== null && campaign.targetLongitude !== null && campaign.targetRadiusKm !== null) {
    if (content.latitude === null || content.longitude === null) return false;
    if (distanceKm(campaign.targetLatitude, campaign.targetLongitude, content.latitude, content.longitude) > campaign.targetRadiusKm) return false;
  }
  return true;
}

function positionEnabled(
  placement: { preroll: boolean; midrollSeconds: number[]; liveMidrollEveryMinutes: number | null; postroll: boolean },
  position: AdPosition,
): boolean {
  if (position === 'preroll') return placement.preroll;
  if (position === 'postroll') return placement.postroll;
  return placement.midrollSeconds.length > 0 || placement.liveMidrollEveryMinutes !== null;
}

export interface Decision {
  campaign: Candidate;
  impressionId: string;
}

/** Chooses a campaign for this break and records the decision (an impression waiting for its beacon). */
export async function decideAd(services: DecisionServices, request: { contentId: string; position: AdPosition; viewer: Viewer }): Promise<Decision | null> {
  const { prisma } = services;
  const now = services.now();
  const content = await prisma.content.findUnique({
    where: { id: request.contentId },
    select: {
      kind: true,
      status: true,
      genre: true,
      tags: true,
      latitude: true,
      longitude: true,
      adPlacement: true,
      _count: { select: { adCreativeOf: true } },
    },
  });
  if (!content?.adPlacement?.enabled || content._count.adCreativeOf > 0) return null;
  if (!positionEnabled(content.adPlacement, request.position)) return null;
  const campaigns: Candidate[] = await prisma.adCampaign.findMany({
    where: {
      paused: false,
      startsAt: { lte: now },
      endsAt: { gt: now },
      OR: [{ vastTagUrl: { not: null } }, { creative: { status: 'ready', publishedPath: { not: null } } }],
    },
    select: campaignSelect,
    take: 500,
  });
  const eligible = campaigns.filter((campaign) => campaign.impressions < campaign.budgetImpressions && matchesTargeting(campaign, content));
  if (eligible.length === 0) return null;
  const viewerKey = viewerKeyOf(request.viewer);
  const day = utcDay(now);
  const seen = await prisma.adImpression.groupBy({
    by: ['campaignId'],
    where: { campaignId: { in: eligible.map((campaign) => campaign.id) }, viewerKey, day, impressedAt: { not: null } },
    _count: { _all: true },
  });
  const seenBy = new Map(seen.map((row) => [row.campaignId, row._count._all]));
  const open = eligible
    .filter((campaign) => (seenBy.get(campaign.id) ?? 0) < campaign.frequencyCapPerDay)
    .sort((a, b) => a.impressions / a.budgetImpressions - b.impressions / b.budgetImpressions || a.createdAt.getTime() - b.createdAt.getTime());
  const chosen = open[0];
  if (!chosen) return null;
  const impression = await prisma.adImpression.create({
    data: { campaignId: chosen.id, contentId: request.contentId, position: request.position, viewerKey, day, createdAt: now },
    select: { id: true },
  });
  return { campaign: chosen, impressionId: impression.id };
}

/** The creative's HLS master for this viewer (signed: creatives are unlisted, so out of search and home). */
export function creativeMasterUrl(services: DecisionServices, baseUrl: string, creative: NonNullable<Candidate['creative']>): string | null {
  return new MediaLinks(baseUrl, services.mediaSigner).url(creative.publishedPath, creative.masterFile, creative);
}

function ownDetails(services: DecisionServices, baseUrl: string, decision: Decision): AdDetails {
  const { campaign } = decision;
  const projection = campaign.creative?.projection;
  return {
    adId: `${campaign.id}:${campaign.creative?.id ?? 'tag'}`,
    campaignId: campaign.id,
    title: campaign.name,
    form:
      campaign.creativeForm === '360' && (projection === 'equirectangular-mono' || projection === 'stereo-top-bottom' || projection === 'stereo-left-right')
        ? { kind: '360', projection }
        : { kind: 'flat' },
    skipOffsetSeconds: campaign.skipOffsetSeconds,
    clickThrough: campaign.clickThroughUrl,
    tracking: trackingOf(services, baseUrl, decision.impressionId),
  };
}

/** Our own beacons joined to an external ad's (each list stays within the contract's 20 URLs). */
function joinTracking(own: AdDetails['tracking'], external: ExternalAd['tracking']): AdDetails['tracking'] {
  const joined: AdDetails['tracking'] = { ...own };
  for (const [event, urls] of Object.entries(external) as Array<[keyof AdDetails['tracking'], string[]]>) {
    joined[event] = [...(own[event] ?? []), ...urls].slice(0, 20);
  }
  return joined;
}

/**
 * The HLS interstitials asset list for one viewer at one break: the chosen creative's own ladder, or
 * the external tag's HLS media file, with what the player needs under X-SPHERECAST-AD. No ad (none
 * eligible, an external tag that failed or timed out) is an empty list: the content plays on.
 */
export async function assetListFor(
  services: DecisionServices,
  baseUrl: string,
  request: { contentId: string; position: AdPosition; viewer: Viewer },
  options: { externalDeadlineMs?: number } = {},
): Promise<AdAssetList> {
  const decision = await decideAd(services, request);
  if (!decision) return { ASSETS: [] };
  const details = ownDetails(services, baseUrl, decision);
  const { campaign } = decision;
  if (campaign.vastTagUrl) {
    const external = await readExternalVast(campaign.vastTagUrl, options.externalDeadlineMs);
    if (!external) return { ASSETS: [] };
    const asset = {
      URI: external.mediaUrl,
      DURATION: external.durationSeconds,
      'X-SPHERECAST-AD': {
        ...details,
        adId: external.adId,
        // The contract's mark of an ad from an external tag (our own beacons still count it for the campaign).
        campaignId: null,
        title: external.title,
        form: { kind: 'flat' as const },
        skipOffsetSeconds: external.skipOffsetSeconds ?? campaign.skipOffsetSeconds,
        clickThrough: external.clickThrough ?? campaign.clickThroughUrl,
        tracking: joinTracking(details.tracking, external.tracking),
      },
    };
    const parsed = adAssetListSchema.safeParse({ ASSETS: [asset] });
    return parsed.success ? parsed.data : { ASSETS: [] };
  }
  const creative = campaign.creative;
  const uri = creative ? creativeMasterUrl(services, baseUrl, creative) : null;
  if (!creative || !uri || !creative.durationSeconds) return { ASSETS: [] };
  const p2p = creativeP2P(services, baseUrl, creative);
  return { ASSETS: [{ URI: uri, DURATION: creative.durationSeconds, 'X-SPHERECAST-AD': p2p ? { ...details, p2p } : details }] };
}

/**
 * What lets viewers share a creative's segments over P2P: one swarm per creative ladder, named as
 * content swarms are (MediaLinks.swarmId: every viewer's URL carries its own signature, so the URL
 * itself would split them), and the hash list written beside its master at publish (signed like the master).
 */
export function creativeP2P(services: DecisionServices, baseUrl: string, creative: NonNullable<Candidate['creative']>): AdDetails['p2p'] {
  const links = new MediaLinks(baseUrl, services.mediaSigner);
  const segmentHashesUrl = links.url(creative.publishedPath, hashesFileFor(creative.masterFile), creative);
  const swarmId = links.swarmId(creative.publishedPath, creative.masterFile, creative);
  if (!segmentHashesUrl || !swarmId) return undefined;
  return { swarmId, segmentHashesUrl };
}
