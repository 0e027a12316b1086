import type { CoreConfig } from 'p2p-media-loader-core';
import { LIVE_HOLD_BACK_SECONDS } from '../api/streaming.ts';

/**
 * P2P timing for VOD 360° streams with short (1–4 s) segments. Merged under the caller's `core` overrides.
 *
 * p2p-media-loader loads "high demand" segments (the next `highDemandTimeWindow` seconds) over HTTP
 * whenever an HTTP slot is free, and everything further ahead only from peers (plus a random share
 * over HTTP that the swarm spreads between its members). So the window decides the split between a
 * safe buffer from the origin and the share peers can take over.
 */
export const DEFAULT_P2P_CORE_CONFIG = {
  /** Seconds ahead of the playhead that must arrive in time; these go over HTTP if no peer delivered them yet. @default 6 */
  highDemandTimeWindow: 6,
  /** Seconds ahead the swarm may fetch over HTTP at random, so that together it holds each segment once. @default 60 */
  httpDownloadTimeWindow: 60,
  /** Seconds ahead that may be fetched from peers. @default 120 */
  p2pDownloadTimeWindow: 120,
  /**
   * For this long after the first segment request, segments beyond the one at the playhead wait for peers
   * (a joining viewer gets them from the swarm); the segment at the playhead goes over HTTP at once, so
   * start-up costs the same with P2P on and off. The player applies it (P2PStartWindow) and hands the
   * core 0, whose own wait would hold the first segment too. @default 1200
   */
  httpDownloadInitialTimeoutMs: 1200,
  /** A silent peer is dropped after this long and the segment refetched (over HTTP if in high demand). @default 1500 */
  p2pNotReceivingBytesTimeoutMs: 1500,
  /** @default 3000 */
  httpNotReceivingBytesTimeoutMs: 3000,
  /** @default 2 */
  simultaneousHttpDownloads: 2,
  /** @default 3 */
  simultaneousP2PDownloads: 3,
  /** @default 3 */
  httpErrorRetries: 3,
  /** @default 3 */
  p2pErrorRetries: 3,
} as const satisfies Partial<CoreConfig>;

/**
 * hls.js settings the player applies before the caller's `hlsConfig`. `maxBufferLength` is left unset
 * on purpose: the P2P engine then sizes hls.js's buffer to the high-demand window and prefetches the
 * rest itself (from peers).
 */
export const DEFAULT_HLS_CONFIG = {
  /** Pick no level larger than the video element shows (360° frames are shown magnified, so only cap at 2x). @default false */
  capLevelToPlayerSize: false,
  /** @default true */
  enableWorker: true,
} as const;

/**
 * Vite `resolve.conditions` entry that makes p2p-media-loader-core resolve to its self-contained ES
 * bundle (its `lib/` build imports Node-flavoured bittorrent-tracker code that needs polyfills).
 */
export const P2P_BUNDLE_CONDITION = 'p2pml:core-as-bundle';

/**
 * hls.js settings for a live broadcast (the playback payload says `live`). Chosen by measurement
 * (`npm run bench -- live`, figures in bench/RESULTS.md):
 *
 * - `liveSyncDuration`: how far behind the live edge playback holds, in seconds, the same for 1 s and
 *   2 s segments: 3.75 plus a random 0–1 drawn for each player (LIVE_SYNC). Viewers at the edge all
 *   hold at the same point, so each new segment entered everyone's high-demand window at once and all
 *   fetched it over HTTP at the same moment; spread, the viewer in front fetches it (or one of the
 *   core's random HTTP prefetches does) and those behind take it from that one. The share from peers
 *   grows with the hold-back (the time between a segment reaching the playlist and its high demand,
 *   in which peers can relay it), the latency with it: 3.75 s lies between 3.5 s (65% at 4.6 s) and
 *   4 s (81% at 6.5 s) at 1 s segments; the full run then measured 62% at 5.3 s (bench/RESULTS.md).
 *   In seconds rather than target durations because the relay time
 *   does not grow with the segment length: 3 target durations were 6-8 s at 2 s segments. Set
 *   explicitly also because p2p-media-loader otherwise raises the hold-back to up to 120 s. Read
 *   through a getter, so every player that spreads this object draws its own value.
 * - `lowLatencyMode` + `maxLiveSyncPlaybackRate` 1.15: hls.js plays up to 15% faster while a viewer is
 *   behind its hold-back (by less than the hold-back plus one target duration; further back is DVR
 *   and plays at 1x). Without it the time a page takes to start, and every stall, stayed in the
 *   latency for good: the same hold-back measured 3.8 s in one run and 8.2 s in another on the loaded
 *   2-core machine. With it each viewer returns to its own hold-back, which also keeps the order
 *   (seeder in front, the others behind) that P2P relies on. lowLatencyMode is what enables the
 *   catch-up in hls.js; LL-HLS parts and blocking reloads only apply when the origin advertises them,
 *   which it does not.
 * - `liveMaxLatencyDuration`: Infinity (hls.js's default, but hls.js refuses a count next to
 *   seconds). Any finite value makes hls.js jump back to the sync point whenever the playhead is that
 *   far behind, which undoes a viewer's DVR seek (8 s with 1 s segments broke seeking back in the
 *   window). A viewer
 *   who fell behind (a stall, a hidden tab) sees "Jump to live" instead.
 * - `maxBufferLength`: hls.js asks for segments at most this far ahead, i.e. only when they are due
 *   (the P2P core prefetches the newer ones from peers meanwhile).
 *
 * Measured with `npm run bench -- live` (N = 8 light viewers, P2P on, 1 run each, load average
 * 16-33 on the shared 2-core machine, so single runs differ by a second or more and tens of percent).
 * Hold-back in target durations (count) as it was tried, catch-up 1.15 or none:
 *
 * | hold-back | catch-up | 1 s segments: latency median, from peers | 2 s segments |
 * | --- | --- | --- | --- |
 * | 3 + 0–1 (before) | no | 5.1 s 69%, 5.2 s 79%, 5.9 s 86% | 8.1 s 88%, 9.6 s 81% |
 * | 3 + 0–1 | yes | 4.4 s 43% | 7.9 s 82% |
 * | 3.5 + 0–1 | yes | 4.6 s 65% | |
 * | 4 + 0–1 | yes | 6.5 s 81% | |
 * | 2.5 + 0–0.5 | no | 4.2 s 55% | 8.9 s 83% |
 * | 2.5 + 0–0.5 | yes | 3.0 s 83%, 4.0 s 54% (full run) | 6.6 s 73%, 6.8 s 72% 5 stalls (full run) |
 * | 2.5 + 0–1 / 0–1.5 | yes | 3.6 s 51% / 4.0 s 49% | |
 * | 2 + 0–0.5 | no | 5.4 s 61% | 3.8 s 82%, 5.7 s 57%, 8.2 s 85% |
 * | 2 + 0–0.5 | yes | 2.0 s 22% (7 of 8 on HTTP) | 12.8 s, 8 stalls (113 s) |
 * | 1.5 + 0–0.5 / 0–1 | no | | 5.8 s 81% 4 stalls / 2.9 s 72% |
 *
 * Those runs shared the machine with a defect that stalled viewers for 20 s (a live playlist served
 * with a stale content-length, fixed in origin/src/edges/media-routes.ts). Re-measured after it at
 * load average 3-12 (bench/live-bench.ts TUNING_TRIALS): 3.75 + 0-1 stays; lower hold-backs stalled
 * more, higher ones only added latency, and 2 s segments (now the default, LIVE_SEGMENT_SECONDS) took
 * 72-82% from peers at 5.1-5.6 s where 1 s segments took 42-65% at 4.4-4.8 s. The final figures are
 * in bench/RESULTS.md.
 */
/** Live hold-back in seconds: `base` plus a random share of `spread`, drawn per player (also the origin's latency target). */
export const LIVE_SYNC = LIVE_HOLD_BACK_SECONDS;

export const DEFAULT_LIVE_HLS_CONFIG = {
  /** LIVE_SYNC.base + random × LIVE_SYNC.spread seconds (3.75 to 4.75), a new draw on every read. */
  get liveSyncDuration(): number {
    return LIVE_SYNC.base + Math.random() * LIVE_SYNC.spread;
  },
  liveMaxLatencyDuration: Number.POSITIVE_INFINITY,
  /** Enables hls.js's latency catch-up (maxLiveSyncPlaybackRate); no LL-HLS parts are published. */
  lowLatencyMode: true,
  /** Play up to this much faster while behind the hold-back (within one target duration of it). */
  maxLiveSyncPlaybackRate: 1.15,
  maxBufferLength: 2,
  maxMaxBufferLength: 4,
  /** DVR: keep what was played so seeking back within the window needs no new download. @default Infinity */
  backBufferLength: 60,
} as const;

/**
 * p2p-media-loader timing for a live broadcast, on top of DEFAULT_P2P_CORE_CONFIG (the core also
 * learns `isLive` from the playlist by itself). A new segment appears at the live edge, about the
 * latency target ahead of the playhead; peers can trade it until it enters the high-demand window,
 * after which whoever does not have it fetches it over HTTP. So a small high-demand window (one 1 s
 * segment) leaves most of the latency for P2P.
 */
/*
 * Why these values (p2p-media-loader-core 2.3 reads): a segment is high demand once its start is within
 * `highDemandTimeWindow` of the playhead, and then whoever does not have it fetches it over HTTP, even
 * aborting a peer download in progress. Before that, a viewer takes it only from a peer that has it or
 * is loading it. The random HTTP seeding runs every 1 s + random × (peers) s per viewer (not
 * configurable) and takes a segment nobody has with probability 1/(peers + 1): slow at N = 8, yet
 * it still fetches many new segments before anyone's high demand (measured below). At hold-back 3 a new 1 s segment is about
 * 2 s ahead of the playhead when a viewer's playlist names it (after a refresh of up to 1 s), so the
 * earlier 1.5 s window left peers almost no time: 59% from peers at N = 8. With the window at 1 s and
 * the hold-back spread per viewer (DEFAULT_LIVE_HLS_CONFIG), the viewer in front fetches each segment
 * and the others take it from peers.
 *
 * Light viewers (bench/lib/offload-page), N = 8, 1 s segments, one run each at load average 20-26:
 * `highDemandTimeWindow` 0.5 (with the HTTP window 0.5) stalled 16 times (72 s) against 1 with 1 s;
 * `httpDownloadTimeWindow` 1 (no random HTTP prefetch ahead of high demand) took 60% from peers with
 * 5 of 8 viewers mostly on HTTP and 5 stalls, against 69% and 1 stall with 6: the core's random
 * prefetch of a new segment by one viewer, a second or two before anyone needs it, is what the
 * others copy. Both stay. Simultaneous downloads, peer timeouts and the initial HTTP wait were not
 * varied in this round.
 *
 * Earlier (full watch pages, bench/RESULTS.md of that day, 2-core machine shared with other work, N pages
 * joining 1 s apart, 20 s windows; load average 15-27, so latencies are the machine's as much as the
 * settings'): 1 s segments, N = 8: 80% of bytes from peers (origin 7.40 -> 1.65 MB), 6 stalls against
 * 13 HTTP-only, but 11.0 s median latency against 5.7 s HTTP-only; N = 4: 54% at 5.1 s (off: 6.8 s).
 * Before (hold-back 3, window 1.5, load 8-11): N = 8 59% at 4.2 s. An earlier trial of hold-back 4
 * and window 1.0 (no spread) reached 72% at 5.4 s once and stalled 11 times on its repeat. The 6 s
 * target at N = 8 needs a run on a quiet machine to confirm or refute.
 */
export const DEFAULT_LIVE_P2P_CORE_CONFIG = {
  highDemandTimeWindow: 1,
  /** Everything newer than the high-demand window is ahead of the playhead by less than the latency target. */
  httpDownloadTimeWindow: 6,
  p2pDownloadTimeWindow: 8,
  /** Wait for peers only briefly at start: a viewer joining a broadcast wants the picture now. */
  httpDownloadInitialTimeoutMs: 0,
  /** Give up on a silent peer quickly: the segment is due within a second or two. */
  p2pNotReceivingBytesTimeoutMs: 1000,
  simultaneousHttpDownloads: 1,
  simultaneousP2PDownloads: 3,
} as const satisfies Partial<CoreConfig>;
