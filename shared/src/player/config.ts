import type { CoreConfig } from 'p2p-media-loader-core';

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
 * - `liveSyncDurationCount`: how many target durations behind the live edge playback holds: 3 (the
 *   origin's `latencyTargetSeconds`) plus a random 0–1 drawn for each player (LIVE_SYNC). Viewers at
 *   the edge all hold at the same point, so each new segment entered everyone's high-demand window at
 *   once and all fetched it over HTTP at the same moment; spread over one target duration, the
 *   viewer in front fetches it and those a few hundred ms behind take it from that one. It costs half
 *   a segment of latency on average. Set explicitly also because p2p-media-loader otherwise raises it
 *   to up to 120 s behind the edge. Read through a getter, so every player that spreads this object
 *   draws its own value.
 * - `liveMaxLatencyDurationCount`: left at hls.js's default (Infinity). Any finite value makes hls.js
 *   jump back to the sync point whenever the playhead is that far behind, which undoes a viewer's
 *   DVR seek (8 target durations = 8 s with 1 s segments broke seeking back in the window). A viewer
 *   who fell behind (a stall, a hidden tab) sees "Jump to live" instead.
 * - `lowLatencyMode`: false. It only matters for LL-HLS partial segments, which the origin does not
 *   publish, and it would make hls.js reload playlists more eagerly for nothing.
 * - `maxBufferLength`: hls.js asks for segments at most this far ahead, i.e. only when they are due
 *   (the P2P core prefetches the newer ones from peers meanwhile).
 */
/** Live hold-back in target durations: `base` plus a random share of `spread`, drawn per player. */
export const LIVE_SYNC = { base: 3, spread: 1 } as const;

export const DEFAULT_LIVE_HLS_CONFIG = {
  /** LIVE_SYNC.base + random × LIVE_SYNC.spread (3 to 4), a new draw on every read. */
  get liveSyncDurationCount(): number {
    return LIVE_SYNC.base + Math.random() * LIVE_SYNC.spread;
  },
  liveMaxLatencyDurationCount: Number.POSITIVE_INFINITY,
  lowLatencyMode: false,
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
 * configurable), far too slowly for 1 s segments at N = 8. At hold-back 3 a new 1 s segment is about
 * 2 s ahead of the playhead when a viewer's playlist names it (after a refresh of up to 1 s), so the
 * earlier 1.5 s window left peers almost no time: 59% from peers at N = 8. With the window at 1 s and
 * the hold-back spread per viewer (DEFAULT_LIVE_HLS_CONFIG), the viewer in front fetches each segment
 * and the others take it from peers.
 *
 * Measured (bench/RESULTS.md, `npm run bench -- live`, 2-core machine shared with other work, N pages
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
