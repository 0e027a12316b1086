import { HLS_INTERSTITIAL_CLASS, type AdPosition } from '@spherecast/shared';

/**
 * Ad breaks declared in a media playlist as HLS Interstitials (RFC 8216bis appendix D; hls.js 1.6+):
 * one `EXT-X-DATERANGE` per break with `CLASS="com.apple.hls.interstitial"` and `X-ASSET-LIST`
 * pointing at the origin's asset list, which decides per viewer. The playlist itself is the same
 * for every viewer, so it stays cacheable.
 *
 * Interstitials are placed on the playlist's date timeline: a VOD ladder has no
 * `EXT-X-PROGRAM-DATE-TIME`, so one (VOD_TIMELINE_START) is written before the first segment and
 * a mid-roll at t seconds starts at that date plus t. Live playlists carry dates on every segment.
 */

/** Where a content's breaks sit (its ad placement). */
export interface AdBreakPlan {
  preroll: boolean;
  /** VOD mid-rolls at these seconds of the content. */
  midrollSeconds: readonly number[];
  /** Live: a mid-roll every N minutes from the broadcast's start. */
  liveMidrollEveryMinutes: number | null;
  postroll: boolean;
}

export interface InterstitialOptions {
  contentId: string;
  /** The broadcast's start (live): the origin of its "every N minutes" mid-rolls and of its pre-roll's date. */
  broadcastStart?: Date | null;
  /** Root-relative path of the asset list endpoint. */
  assetListPath?: string;
}

/** The date timeline a VOD playlist gets, fixed so the playlist is the same on every request. */
export const VOD_TIMELINE_START = new Date('2000-01-01T00:00:00.000Z');
export const ASSET_LIST_PATH = '/api/ads/assets';
/** Live mid-rolls are declared this far past the newest segment, so players schedule them in time. */
const LIVE_LOOKAHEAD_MS = 60_000;

export interface AdBreak {
  id: string;
  position: AdPosition;
  start: Date;
  cue: 'PRE' | 'POST' | 'ONCE' | null;
  /** Seconds of content to skip after the break: 0 for VOD (resume where it paused); unset for live (back to the live edge). */
  resumeOffset: number | null;
}

const PDT = '#EXT-X-PROGRAM-DATE-TIME:';

/** The DATERANGE line of one break. */
export function dateRangeLine(adBreak: AdBreak, options: InterstitialOptions): string {
  const path = options.assetListPath ?? ASSET_LIST_PATH;
  const assetList = `${path}?contentId=${encodeURIComponent(options.contentId)}&position=${adBreak.position}&break=${encodeURIComponent(adBreak.id)}`;
  const attributes = [
    `ID="${adBreak.id}"`,
    `CLASS="${HLS_INTERSTITIAL_CLASS}"`,
    `START-DATE="${adBreak.start.toISOString()}"`,
    `X-ASSET-LIST="${assetList}"`,
    ...(adBreak.resumeOffset !== null ? [`X-RESUME-OFFSET=${adBreak.resumeOffset}`] : []),
    // No seeking over a break. Not SKIP: the playlist is the same for every viewer, and whether an ad may
    // be skipped is the chosen creative's skip offset (X-SPHERECAST-AD.skipOffsetSeconds, null: never).
    'X-RESTRICT="JUMP"',
    // CUE is the standard DATERANGE attribute (RFC 8216bis 4.4.5.1; hls.js also reads the older X-CUE).
    ...(adBreak.cue ? [`CUE="${adBreak.cue}"`] : []),
  ];
  return `#EXT-X-DATERANGE:${attributes.join(',')}`;
}

interface Timeline {
  /** Index of the line where the first segment's tags begin (where breaks are declared). */
  firstSegmentLine: number;
  /** Date of the first segment, or null when the playlist has none. */
  firstDate: Date | null;
  /** End date of the last segment (first date, or VOD_TIMELINE_START, plus every duration). */
  endMs: number;
  /** Total of the EXTINF durations. */
  durationSeconds: number;
  ended: boolean;
}

const SEGMENT_TAGS = ['#EXTINF:', PDT, '#EXT-X-MAP:', '#EXT-X-DISCONTINUITY', '#EXT-X-KEY:', '#EXT-X-BYTERANGE:', '#EXT-X-GAP', '#EXT-X-BITRATE:'];

function readTimeline(lines: readonly string[]): Timeline | null {
  let firstSegmentLine = -1;
  let firstDate: Date | null = null;
  let currentMs: number | null = null;
  let lastDateEndMs: number | null = null;
  let durationSeconds = 0;
  let pendingDuration = 0;
  let ended = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (firstSegmentLine === -1 && SEGMENT_TAGS.some((tag) => line.startsWith(tag))) firstSegmentLine = i;
    if (line.startsWith(PDT)) {
      const date = new Date(line.slice(PDT.length));
      if (Number.isNaN(date.getTime())) return null;
      firstDate ??= date;
      currentMs = date.getTime();
    } else if (line.startsWith('#EXTINF:')) {
      pendingDuration = Number.parseFloat(line.slice('#EXTINF:'.length));
      if (!Number.isFinite(pendingDuration)) return null;
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (line && !line.startsWith('#')) {
      durationSeconds += pendingDuration;
      if (currentMs !== null) {
        currentMs += pendingDuration * 1000;
        lastDateEndMs = currentMs;
      }
      pendingDuration = 0;
    }
  }
  if (firstSegmentLine === -1) return null;
  const endMs = lastDateEndMs ?? (firstDate ?? VOD_TIMELINE_START).getTime() + durationSeconds * 1000;
  return { firstSegmentLine, firstDate, endMs, durationSeconds, ended };
}

/** The breaks of one media playlist (its timeline) under a plan. */
export function breaksFor(
  plan: AdBreakPlan,
  timeline: Pick<Timeline, 'firstDate' | 'endMs' | 'durationSeconds' | 'ended'>,
  broadcastStart: Date | null = null,
): AdBreak[] {
  const breaks: AdBreak[] = [];
  const live = !timeline.ended;
  const start = timeline.firstDate ?? VOD_TIMELINE_START;
  if (plan.preroll) {
    // A live pre-roll keeps one date for the whole broadcast (a DATERANGE's attributes never change).
    breaks.push({ id: 'ad-pre', position: 'preroll', start: live && broadcastStart ? broadcastStart : start, cue: 'PRE', resumeOffset: live ? null : 0 });
  }
  if (!live) {
    for (const seconds of plan.midrollSeconds) {
      if (seconds <= 0 || seconds >= timeline.durationSeconds) continue;
      breaks.push({ id: `ad-mid-${seconds}`, position: 'midroll', start: new Date(start.getTime() + seconds * 1000), cue: null, resumeOffset: 0 });
    }
  } else if (plan.liveMidrollEveryMinutes && broadcastStart) {
    const every = plan.liveMidrollEveryMinutes * 60_000;
    const windowStart = start.getTime();
    const windowEnd = timeline.endMs + LIVE_LOOKAHEAD_MS;
    const first = Math.max(1, Math.ceil((windowStart - broadcastStart.getTime()) / every));
    for (let k = first; broadcastStart.getTime() + k * every <= windowEnd; k++) {
      // ONCE: a viewer going back in the DVR window is not served the same live break again. It also keeps
      // hls.js (1.7.4) from appending the ad in place: without a resume offset a live break qualifies, and
      // an asset list loaded ahead then buffers the creative at the break's time on the content's timeline;
      // when a later playlist makes hls.js play it in the ad's own MediaSource instead, the element sits
      // at 0 with nothing to play until the break leaves the window (origin/web/e2e/ads-live.test.ts).
      breaks.push({ id: `ad-live-${k}`, position: 'midroll', start: new Date(broadcastStart.getTime() + k * every), cue: 'ONCE', resumeOffset: null });
    }
  }
  if (plan.postroll && !live) breaks.push({ id: 'ad-post', position: 'postroll', start, cue: 'POST', resumeOffset: 0 });
  return breaks;
}

/**
 * The media playlist with the plan's breaks declared (and a date timeline if it had none). A master
 * playlist, a playlist without segments, or a plan with no break comes back unchanged.
 */
export function injectInterstitials(playlist: string, plan: AdBreakPlan, options: InterstitialOptions): string {
  if (!playlist.startsWith('#EXTM3U') || playlist.includes('#EXT-X-STREAM-INF')) return playlist;
  const newline = playlist.includes('\r\n') ? '\r\n' : '\n';
  const lines = playlist.split(/\r?\n/);
  const timeline = readTimeline(lines);
  if (!timeline) return playlist;
  const breaks = breaksFor(plan, timeline, options.broadcastStart ?? null);
  if (breaks.length === 0) return playlist;
  const added = breaks.map((adBreak) => dateRangeLine(adBreak, options));
  if (!timeline.firstDate) added.push(`${PDT}${VOD_TIMELINE_START.toISOString()}`);
  lines.splice(timeline.firstSegmentLine, 0, ...added);
  return lines.join(newline);
}
