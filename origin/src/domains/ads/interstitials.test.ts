import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HLS_INTERSTITIAL_CLASS } from '@spherecast/shared';
import { injectInterstitials, VOD_TIMELINE_START, type AdBreakPlan } from './interstitials.ts';

const CONTENT = '0190f000-0000-7000-8000-000000000001';

const VOD = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-TARGETDURATION:4',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-MAP:URI="init.mp4"',
  '#EXTINF:4.000,',
  'seg_0.m4s',
  '#EXTINF:4.000,',
  'seg_1.m4s',
  '#EXTINF:2.000,',
  'seg_2.m4s',
  '#EXT-X-ENDLIST',
  '',
].join('\n');

const none: AdBreakPlan = { preroll: false, midrollSeconds: [], liveMidrollEveryMinutes: null, postroll: false };

/** The DATERANGE tags of a playlist as attribute maps (quoted values unquoted). */
function dateRanges(playlist: string): Array<Record<string, string>> {
  return playlist
    .split('\n')
    .filter((line) => line.startsWith('#EXT-X-DATERANGE:'))
    .map((line) => {
      const attributes: Record<string, string> = {};
      const list = line.slice('#EXT-X-DATERANGE:'.length);
      const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)(?:,|$)/y;
      let match;
      while (pattern.lastIndex < list.length && (match = pattern.exec(list))) {
        attributes[match[1]!] = match[2]!.replace(/^"|"$/g, '');
      }
      assert.equal(pattern.lastIndex, list.length, `the attribute list parses to its end: ${line}`);
      return attributes;
    });
}

function liveWindow(first: Date, count: number, seconds = 2, ended = false): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${seconds}`, '#EXT-X-MEDIA-SEQUENCE:100', '#EXT-X-MAP:URI="init_0.mp4"'];
  for (let i = 0; i < count; i++) {
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(first.getTime() + i * seconds * 1000).toISOString()}`, `#EXTINF:${seconds}.000,`, `seg_${100 + i}.m4s`);
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

describe('HLS interstitials in media playlists', () => {
  test('a VOD gets a date timeline and a pre-roll, mid-rolls at their seconds and a post-roll, each pointing at the asset list', () => {
    const out = injectInterstitials(VOD, { preroll: true, midrollSeconds: [5, 30], liveMidrollEveryMinutes: null, postroll: true }, { contentId: CONTENT });
    const ranges = dateRanges(out);
    // 30 s is past the 10 s of content: no break there.
    assert.deepEqual(
      ranges.map((r) => [r.ID, r['START-DATE'], r.CUE ?? null]),
      [
        ['ad-pre', VOD_TIMELINE_START.toISOString(), 'PRE'],
        ['ad-mid-5', new Date(VOD_TIMELINE_START.getTime() + 5000).toISOString(), null],
        ['ad-post', VOD_TIMELINE_START.toISOString(), 'POST'],
      ],
    );
    for (const range of ranges) {
      assert.equal(range.CLASS, HLS_INTERSTITIAL_CLASS);
      assert.equal(range['X-RESTRICT'], 'JUMP', 'no seeking over a break; skipping follows the skip offset of the ad');
      assert.equal(range['X-RESUME-OFFSET'], '0', 'a VOD resumes where it paused');
      const list = new URL(range['X-ASSET-LIST']!, 'http://origin.test');
      assert.equal(list.pathname, '/api/ads/assets');
      assert.equal(list.searchParams.get('contentId'), CONTENT);
      assert.equal(list.searchParams.get('break'), range.ID);
    }
    assert.deepEqual(
      ranges.map((r) => new URL(r['X-ASSET-LIST']!, 'http://o').searchParams.get('position')),
      ['preroll', 'midroll', 'postroll'],
    );
    // hls.js maps DATERANGEs to the media timeline through PROGRAM-DATE-TIME: one before the first segment.
    const lines = out.split('\n');
    const pdt = lines.indexOf(`#EXT-X-PROGRAM-DATE-TIME:${VOD_TIMELINE_START.toISOString()}`);
    assert.ok(pdt > 0 && pdt < lines.indexOf('#EXTINF:4.000,'));
    // Everything else is kept as it was, in order.
    assert.deepEqual(
      lines.filter((line) => !line.startsWith('#EXT-X-DATERANGE') && !line.startsWith('#EXT-X-PROGRAM-DATE-TIME')),
      VOD.split('\n'),
    );
  });

  test('the same playlist and plan give the same bytes (cacheable, per-viewer decisions live in the asset list)', () => {
    const plan: AdBreakPlan = { ...none, preroll: true, midrollSeconds: [4] };
    assert.equal(injectInterstitials(VOD, plan, { contentId: CONTENT }), injectInterstitials(VOD, plan, { contentId: CONTENT }));
  });

  test('a master playlist, a plan without breaks and a playlist without segments are left alone', () => {
    const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=256x128\n256x128/index.m3u8\n';
    assert.equal(injectInterstitials(master, { ...none, preroll: true }, { contentId: CONTENT }), master);
    assert.equal(injectInterstitials(VOD, none, { contentId: CONTENT }), VOD);
    const empty = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n';
    assert.equal(injectInterstitials(empty, { ...none, preroll: true }, { contentId: CONTENT }), empty);
  });

  test('live: a mid-roll every N minutes from the broadcast start, within the window (and a minute ahead), with stable ids and dates', () => {
    const started = new Date('2026-12-01T10:00:00.000Z');
    const plan: AdBreakPlan = { ...none, preroll: true, liveMidrollEveryMinutes: 1 };
    // Window 10:01:50 - 10:02:20 (15 segments of 2 s): the 10:02 break is in it, 10:03 within the look-ahead.
    const first = injectInterstitials(liveWindow(new Date('2026-12-01T10:01:50.000Z'), 15), plan, { contentId: CONTENT, broadcastStart: started });
    const ranges = dateRanges(first);
    assert.deepEqual(
      ranges.map((r) => [r.ID, r['START-DATE'], r.CUE ?? null, r['X-RESUME-OFFSET'] ?? null]),
      [
        ['ad-pre', started.toISOString(), 'PRE', null],
        ['ad-live-2', '2026-12-01T10:02:00.000Z', 'ONCE', null],
        ['ad-live-3', '2026-12-01T10:03:00.000Z', 'ONCE', null],
      ],
    );
    assert.ok(!first.includes(`#EXT-X-PROGRAM-DATE-TIME:${VOD_TIMELINE_START.toISOString()}`), 'live playlists keep their own dates');
    // Ten seconds later the window has moved: the same breaks keep the same attributes (RFC 8216bis 4.4.5.1).
    const later = dateRanges(injectInterstitials(liveWindow(new Date('2026-12-01T10:02:00.000Z'), 15), plan, { contentId: CONTENT, broadcastStart: started }));
    for (const range of later) {
      const before = ranges.find((r) => r.ID === range.ID);
      if (before) assert.deepEqual(range, before);
    }
    // No post-roll while live.
    const withPost = injectInterstitials(
      liveWindow(new Date('2026-12-01T10:01:50.000Z'), 3),
      { ...plan, postroll: true },
      { contentId: CONTENT, broadcastStart: started },
    );
    assert.ok(!withPost.includes('CUE="POST"'));
  });

  test('an ended broadcast (its recording) is a VOD on its own dates: mid-rolls from its first segment, and a post-roll', () => {
    const first = new Date('2026-12-01T10:00:00.000Z');
    const out = injectInterstitials(
      liveWindow(first, 10, 2, true),
      { ...none, midrollSeconds: [6], postroll: true },
      { contentId: CONTENT, broadcastStart: first },
    );
    assert.deepEqual(
      dateRanges(out).map((r) => [r.ID, r['START-DATE']]),
      [
        ['ad-mid-6', '2026-12-01T10:00:06.000Z'],
        ['ad-post', first.toISOString()],
      ],
    );
  });
});
