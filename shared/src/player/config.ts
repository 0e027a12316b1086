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
