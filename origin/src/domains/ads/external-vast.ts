import { DOMParser } from './xml-dom.ts';
import { VASTClient } from '@dailymotion/vast-client';
import { adTrackingSchema, type AdTracking, type AdTrackingEvent } from '@spherecast/shared';
import { z } from 'zod';

/** How long reading an external VAST tag may take, wrappers included: past it, no ad. */
export const EXTERNAL_VAST_DEADLINE_MS = 2000;
/** Wrappers followed before an InLine ad at most (VAST recommends a limit; 5 is the IAB's example). */
const WRAPPER_LIMIT = 5;
/** Largest VAST document read. */
const MAX_VAST_BYTES = 512 * 1024;

/** The ad an external tag answered: what an asset list needs. */
export interface ExternalAd {
  adId: string;
  title: string;
  /** The creative's HLS stream (hls.js interstitials play HLS only). */
  mediaUrl: string;
  durationSeconds: number;
  skipOffsetSeconds: number | null;
  clickThrough: string | null;
  tracking: AdTracking;
}

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const HLS_TYPES = new Set(['application/x-mpegurl', 'application/vnd.apple.mpegurl', 'audio/mpegurl']);

interface UrlTemplate {
  url?: unknown;
}
interface ParsedCreative {
  type?: string;
  id?: string | null;
  adId?: string | null;
  duration?: number;
  skipDelay?: number | null;
  mediaFiles?: Array<{ fileURL?: string | null; mimeType?: string | null }>;
  trackingEvents?: Record<string, unknown>;
  videoClickThroughURLTemplate?: UrlTemplate | null;
  videoClickTrackingURLTemplates?: UrlTemplate[];
}
interface ParsedAd {
  id?: string | null;
  title?: string | null;
  impressionURLTemplates?: UrlTemplate[];
  errorURLTemplates?: unknown[];
  creatives?: ParsedCreative[];
}

const urlsOf = (values: readonly unknown[] | undefined): string[] =>
  (values ?? [])
    .map((value) => (typeof value === 'string' ? value : typeof value === 'object' && value ? (value as UrlTemplate).url : undefined))
    .filter((url): url is string => typeof url === 'string' && httpUrl.safeParse(url.trim()).success)
    .map((url) => url.trim())
    .slice(0, 20);

/**
 * Fetches with one deadline for the whole chain (the library's own timeout throws from a timer in
 * Node, which would crash the process): an abort, an HTTP error or a body that is not XML is an
 * error result, which the client turns into "no ad".
 */
function deadlineHandler(signal: AbortSignal) {
  return {
    async get(url: string): Promise<{ xml?: unknown; details?: unknown; error?: Error; statusCode?: number | null }> {
      try {
        if (!httpUrl.safeParse(url).success) return { error: new Error(`not an http(s) URL: ${url}`), statusCode: null };
        const response = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'application/xml, text/xml' } });
        if (!response.ok) {
          await response.body?.cancel();
          return { error: new Error(`HTTP ${response.status}`), statusCode: response.status };
        }
        const text = await response.text();
        if (text.length > MAX_VAST_BYTES) return { error: new Error('VAST document too large'), statusCode: response.status };
        const xml = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined, fatalError: () => undefined } }).parseFromString(
          text,
          'text/xml',
        );
        return { xml, details: { byteLength: text.length, statusCode: response.status, rawXml: text } };
      } catch (error) {
        return { error: error instanceof Error ? error : new Error(String(error)), statusCode: signal.aborted ? 408 : null };
      }
    },
  };
}

/** The first linear ad with an HLS media file in a parsed VAST response, as an asset list needs it. */
export function externalAdOf(response: { ads?: ParsedAd[] }): ExternalAd | null {
  for (const ad of response.ads ?? []) {
    for (const creative of ad.creatives ?? []) {
      if (creative.type !== 'linear') continue;
      const media = (creative.mediaFiles ?? []).find(
        (file) =>
          file.fileURL &&
          httpUrl.safeParse(file.fileURL.trim()).success &&
          (HLS_TYPES.has((file.mimeType ?? '').toLowerCase()) || /\.m3u8(\?|$)/i.test(file.fileURL)),
      );
      const duration = creative.duration ?? 0;
      if (!media?.fileURL || !(duration > 0)) continue;
      const events = creative.trackingEvents ?? {};
      const fromEvents = (name: string) => urlsOf(Array.isArray(events[name]) ? (events[name] as unknown[]) : []);
      const tracking: Partial<Record<AdTrackingEvent, string[]>> = {
        impression: urlsOf(ad.impressionURLTemplates),
        start: fromEvents('start'),
        firstQuartile: fromEvents('firstQuartile'),
        midpoint: fromEvents('midpoint'),
        thirdQuartile: fromEvents('thirdQuartile'),
        complete: fromEvents('complete'),
        skip: fromEvents('skip'),
        clickTracking: urlsOf(creative.videoClickTrackingURLTemplates),
        error: urlsOf(ad.errorURLTemplates),
      };
      const clickThrough = urlsOf(creative.videoClickThroughURLTemplate ? [creative.videoClickThroughURLTemplate] : [])[0] ?? null;
      const parsedTracking = adTrackingSchema.safeParse(Object.fromEntries(Object.entries(tracking).filter(([, urls]) => urls.length > 0)));
      return {
        adId: String(ad.id ?? creative.adId ?? creative.id ?? media.fileURL).slice(0, 200),
        title: String(ad.title ?? 'Ad').slice(0, 200),
        mediaUrl: media.fileURL.trim(),
        durationSeconds: duration,
        skipOffsetSeconds: typeof creative.skipDelay === 'number' && creative.skipDelay >= 0 ? creative.skipDelay : null,
        clickThrough,
        tracking: parsedTracking.success ? parsedTracking.data : {},
      };
    }
  }
  return null;
}

/**
 * Reads an external VAST tag with @dailymotion/vast-client, following its wrappers (and merging
 * their tracking into the InLine ad's), within `deadlineMs` for the whole chain. Any failure
 * (timeout, HTTP error, broken XML, no playable ad) is null: the content plays on.
 */
export async function readExternalVast(tagUrl: string, deadlineMs = EXTERNAL_VAST_DEADLINE_MS): Promise<ExternalAd | null> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(null);
    }, deadlineMs);
  });
  const reading = (async () => {
    try {
      // A client per read: its capping state (free lunch, minimum interval) is for one browser's calls.
      const client = new VASTClient();
      const response = (await client.get(tagUrl, {
        urlHandler: deadlineHandler(controller.signal),
        wrapperLimit: WRAPPER_LIMIT,
        resolveAll: false,
        timeout: deadlineMs,
      })) as { ads?: ParsedAd[] };
      return externalAdOf(response);
    } catch {
      return null;
    }
  })();
  try {
    return await Promise.race([reading, deadline]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
