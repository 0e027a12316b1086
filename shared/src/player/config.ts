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
   * Hold HTTP for the very first segments this long so a viewer joining a busy swarm can get them from peers.
   * A lone viewer's start-up is delayed by at most this much. @default 1200
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
 * - `liveSyncDurationCount`: how many target durations behind the live edge playback holds. It is the
 *   time a new segment has to travel between viewers before the playhead needs it: 3 (hls.js's
 *   default, the origin's `latencyTargetSeconds`) leaves about one segment of slack for peers.
 *   Set explicitly also because p2p-media-loader otherwise raises it to up to 120 s behind the edge.
 * - `liveMaxLatencyDurationCount`: left at hls.js's default (Infinity). Any finite value makes hls.js
 *   jump back to the sync point whenever the playhead is that far behind, which undoes a viewer's
 *   DVR seek (8 target durations = 8 s with 1 s segments broke seeking back in the window). A viewer
 *   who fell behind (a stall, a hidden tab) sees "Jump to live" instead.
 * - `lowLatencyMode`: false. It only matters for LL-HLS partial segments, which the origin does not
 *   publish, and it would make hls.js reload playlists more eagerly for nothing.
 * - `maxBufferLength`: hls.js asks for segments at most this far ahead, i.e. only when they are due
 *   (the P2P core prefetches the newer ones from peers meanwhile).
 */
export const DEFAULT_LIVE_HLS_CONFIG = {
  liveSyncDurationCount: 3,
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
 * after which whoever does not have it fetches it over HTTP. So a small high-demand window (a bit over
 * one 1 s segment) leaves most of the latency for P2P, while the random HTTP window seeds each new
 * segment into the swarm early (one viewer fetches it, the others take it from that one).
 */
/*
 * Measured with these settings (bench/RESULTS.md, `npm run bench -- live`, 2-core machine, N pages
 * joining 1 s apart, 15 s windows): 1 s segments, N = 4: 66% of bytes from peers at 4.1 s median
 * latency (P2P off: 4.9 s), origin bytes 3.30 -> 1.00 MB, no stalls; 2 s segments, N = 4: 72% at
 * 7.0 s (off: 7.8 s). N = 2: 39% (1 s) and 50% (2 s, the most two viewers can share). The trade-off:
 * the time a segment can travel between peers is the latency target minus the high-demand window,
 * so 2 s segments share more but double the latency; 1 s segments with a 1.5 s window keep latency
 * near 4 s. N = 8: 59% at 4.2 s (1 s segments, no stalls) and 74% at 7.4 s (2 s, 2 stalls against 0
 * HTTP-only), so neither meets the 70%-under-6 s target yet. Other window sizes were not measured.
 */
export const DEFAULT_LIVE_P2P_CORE_CONFIG = {
  highDemandTimeWindow: 1.5,
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
