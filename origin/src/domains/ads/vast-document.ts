import type { AdPosition, AdTracking } from '@spherecast/shared';
import type { OriginServices } from '../../core/services.ts';
import { creativeMasterUrl, decideAd, type Viewer } from './ad-decision.ts';
import { trackingOf } from './beacons.ts';

/**
 * The origin as a VAST 4 ad server for its own campaigns (IAB VAST 4.2): an InLine ad whose media
 * file is the creative's HLS ladder, with our signed beacons for the impression, the linear tracking
 * events, click tracking and errors; a campaign that names an external tag answers a Wrapper around
 * it (with our impression beacon). No ad is an empty `<VAST>`, which players treat as "no ad".
 */

const VERSION = '4.2';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
/** A URL as VAST carries it: in CDATA (`]]>` cannot occur in a URL we write, but is split anyway). */
const cdata = (text: string) => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** HH:MM:SS.mmm, VAST's time format. */
export function vastTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(rest, 3)}`;
}

export const EMPTY_VAST = `<?xml version="1.0" encoding="UTF-8"?>\n<VAST version="${VERSION}" xmlns="http://www.iab.com/VAST"/>\n`;

const LINEAR_EVENTS = ['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip'] as const;

function trackingEvents(tracking: AdTracking): string {
  return LINEAR_EVENTS.flatMap((event) => (tracking[event] ?? []).map((url) => `<Tracking event="${event}">${cdata(url)}</Tracking>`)).join('');
}

const impressions = (tracking: AdTracking) =>
  (tracking.impression ?? []).map((url, i) => `<Impression id="spherecast-${i}">${cdata(url)}</Impression>`).join('');
const errors = (tracking: AdTracking) => (tracking.error ?? []).map((url) => `<Error>${cdata(url)}</Error>`).join('');

/** A VAST document for one break of one content, for this viewer. */
export async function vastDocumentFor(
  services: Pick<OriginServices, 'prisma' | 'mediaSigner' | 'now'>,
  baseUrl: string,
  request: { contentId: string; position: AdPosition; viewer: Viewer },
): Promise<string> {
  const decision = await decideAd(services, request);
  if (!decision) return EMPTY_VAST;
  const { campaign, impressionId } = decision;
  const tracking = trackingOf(services, baseUrl, impressionId);
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<VAST version="${VERSION}" xmlns="http://www.iab.com/VAST"><Ad id="${escapeXml(impressionId)}">`;
  const system = '<AdSystem version="1">Spherecast</AdSystem>';
  if (campaign.vastTagUrl) {
    return `${head}<Wrapper followAdditionalWrappers="true">${system}<VASTAdTagURI>${cdata(campaign.vastTagUrl)}</VASTAdTagURI>${errors(tracking)}${impressions(tracking)}<Creatives><Creative><Linear><TrackingEvents>${trackingEvents(tracking)}</TrackingEvents><VideoClicks>${(tracking.clickTracking ?? []).map((url) => `<ClickTracking>${cdata(url)}</ClickTracking>`).join('')}</VideoClicks></Linear></Creative></Creatives></Wrapper></Ad></VAST>\n`;
  }
  const creative = campaign.creative;
  const media = creative ? creativeMasterUrl(services, baseUrl, creative) : null;
  if (!creative || !media || !creative.durationSeconds) return EMPTY_VAST;
  const skip = campaign.skipOffsetSeconds !== null ? ` skipoffset="${vastTime(campaign.skipOffsetSeconds)}"` : '';
  const clicks = [
    ...(campaign.clickThroughUrl ? [`<ClickThrough id="spherecast">${cdata(campaign.clickThroughUrl)}</ClickThrough>`] : []),
    ...(tracking.clickTracking ?? []).map((url) => `<ClickTracking id="spherecast">${cdata(url)}</ClickTracking>`),
  ].join('');
  const form = campaign.creativeForm === '360' ? '360' : 'flat';
  return (
    `${head}<InLine>${system}<AdServingId>${escapeXml(impressionId)}</AdServingId><AdTitle>${escapeXml(campaign.name)}</AdTitle>` +
    `${errors(tracking)}${impressions(tracking)}` +
    `<Creatives><Creative id="${escapeXml(creative.id)}" adId="${escapeXml(campaign.id)}"><Linear${skip}>` +
    `<Duration>${vastTime(creative.durationSeconds)}</Duration>` +
    `<TrackingEvents>${trackingEvents(tracking)}</TrackingEvents>` +
    `<VideoClicks>${clicks}</VideoClicks>` +
    `<MediaFiles><MediaFile delivery="streaming" type="application/x-mpegURL" width="1280" height="${form === '360' ? 640 : 720}" minBitrate="1" maxBitrate="8000" scalable="true" maintainAspectRatio="true">${cdata(media)}</MediaFile></MediaFiles>` +
    `</Linear></Creative></Creatives>` +
    `<Extensions><Extension type="spherecast-form"><Form kind="${form}" projection="${escapeXml(creative.projection)}"/></Extension></Extensions>` +
    `</InLine></Ad></VAST>\n`
  );
}
