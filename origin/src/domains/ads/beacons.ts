import type { AdTracking, AdTrackingEvent } from '@spherecast/shared';
import { AD_TRACKING_EVENTS } from '@spherecast/shared';
import type { OriginServices } from '../../core/services.ts';

/** Path of the beacon endpoint (served by the edge). */
export const BEACON_PATH = '/api/ads/beacon';

/**
 * Tracking beacons of the origin's own impressions. Each URL carries a signature over the impression
 * and the event (the media URL signer's HMAC, with its expiry), so a viewer cannot make up beacons,
 * and each event counts at most once per impression, so replaying one inflates nothing.
 */
function folderOf(impressionId: string, event: AdTrackingEvent): string {
  return `ads-beacon/${impressionId}/${event}`;
}

export function beaconUrl(services: Pick<OriginServices, 'mediaSigner'>, baseUrl: string, impressionId: string, event: AdTrackingEvent): string {
  const signature = services.mediaSigner.sign(folderOf(impressionId, event), 0);
  const query = new URLSearchParams({ i: impressionId, e: event, s: signature });
  // VAST's macro for the error code: the player fills it in (or leaves it).
  return `${baseUrl}${BEACON_PATH}?${query.toString()}${event === 'error' ? '&code=[ERRORCODE]' : ''}`;
}

/** Every event's beacon of one impression. */
export function trackingOf(services: Pick<OriginServices, 'mediaSigner'>, baseUrl: string, impressionId: string): AdTracking {
  return Object.fromEntries(AD_TRACKING_EVENTS.map((event) => [event, [beaconUrl(services, baseUrl, impressionId, event)]]));
}

export type BeaconOutcome = 'recorded' | 'repeated' | { refused: 'signature' | 'expired' | 'unknown' };

/** Records one beacon: the impression counts against the campaign's budget and the viewer's daily cap. */
export async function recordBeacon(
  services: Pick<OriginServices, 'mediaSigner' | 'prisma' | 'now'>,
  beacon: { impressionId: string; event: AdTrackingEvent; signature: string },
): Promise<BeaconOutcome> {
  const check = services.mediaSigner.verify(beacon.signature, folderOf(beacon.impressionId, beacon.event));
  if (!check.ok) return { refused: check.reason === 'expired' ? 'expired' : 'signature' };
  const impression = await services.prisma.adImpression.findUnique({ where: { id: beacon.impressionId }, select: { id: true, campaignId: true } });
  if (!impression) return { refused: 'unknown' };
  const now = services.now();
  return services.prisma.$transaction(async (tx) => {
    const { count } = await tx.adEvent.createMany({
      data: [{ impressionId: impression.id, campaignId: impression.campaignId, event: beacon.event, createdAt: now }],
      skipDuplicates: true,
    });
    if (count === 0) return 'repeated' as const;
    if (beacon.event === 'impression') {
      await tx.adImpression.update({ where: { id: impression.id }, data: { impressedAt: now } });
      await tx.adCampaign.update({ where: { id: impression.campaignId }, data: { impressions: { increment: 1 } } });
    }
    return 'recorded' as const;
  });
}
