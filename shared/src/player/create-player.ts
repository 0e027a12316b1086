// First: it must wrap RTCPeerConnection before p2p-media-loader's bundle captures it (see the module).
import { emptyConnectionCounts, PeerConnectionRegistry, selectedPairType, type ConnectionTypeCounts } from './peer-connections.ts';
import Hls, {
  ErrorDetails,
  ErrorTypes,
  Events,
  type ErrorData,
  type FragLoadedData,
  type HlsConfig,
  type LevelSwitchedData,
  type LevelUpdatedData,
} from 'hls.js';
import { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';
import type { CoreConfig, CoreEventMap, PeerDetails, SegmentErrorDetails, SegmentLoadDetails } from 'p2p-media-loader-core';
import type { RelayPolicy } from '../api/streaming.ts';
import { TypedEvents, type Listener } from '../events/index.ts';
import { DEFAULT_HLS_CONFIG, DEFAULT_LIVE_HLS_CONFIG, DEFAULT_LIVE_P2P_CORE_CONFIG, DEFAULT_P2P_CORE_CONFIG } from './config.ts';
import { playerError, type PlayerError } from './errors.ts';
import { iceServersExpireAt } from './ice-credentials.ts';
import { LiveSegmentHashes, loadSegmentHashes, type SegmentCheck } from './segment-hashes.ts';
import { PlayerCaptions } from './captions.ts';
import { P2PStartWindow } from './p2p-start-window.ts';
import { engineCore, LiveDueSegments } from './live-due-segments.ts';
import { AD_HLS_CONFIG, PlayerAds } from './ads/player-ads.ts';
import { withAssetListValidation } from './ads/asset-list-loader.ts';

export type PlayerOptions = {
  /** The element hls.js plays into (the SphereRenderer draws from it). */
  video: HTMLVideoElement;
  /** Master playlist URL, absolute or relative to the page. */
  masterUrl: string;
  /** WebTorrent tracker URLs (ws:// or wss://) for finding peers. */
  trackerUrls: string[];
  /** Peers with the same swarm ID share segments. @default the absolute master URL */
  swarmId?: string;
  /** `{ path: sha256 }` list; when given, every segment from a peer is checked against it before use. */
  segmentHashesUrl?: string;
  /** Share segments with other viewers over WebRTC. When false, plain hls.js over HTTP. */
  p2p: boolean;
  /** Where to start, in seconds (resume). @default 0 */
  startPosition?: number;
  /**
   * Start at this wall-clock time (ms since 1970, matched against EXT-X-PROGRAM-DATE-TIME), e.g. where
   * a viewer was in a broadcast that has just turned into its recording. Wins over `startPosition`.
   */
  startDate?: number;
  /**
   * The stream is a live broadcast (the playback payload's `live`): live hls.js and P2P timing, and
   * `segmentHashesUrl` is a list the origin keeps growing, looked up again for new segments.
   */
  live?: boolean;
  /** STUN/TURN servers for WebRTC. @default [] (host candidates only: same machine or LAN) */
  iceServers?: RTCIceServer[];
  /**
   * Peers through a TURN relay (the playback payload's `relayPolicy`): `fallback` lets ICE pick a relay
   * only where no direct or STUN-reflexive path works (it prefers those by priority); `off` hands no
   * TURN server to WebRTC and closes connections that still ended up relayed (through the other
   * peer's relay); `always` sends every connection through TURN (iceTransportPolicy `relay`).
   * @default 'fallback'
   */
  relayPolicy?: RelayPolicy;
  /**
   * Fresh ICE servers (e.g. `iceServers` of a new playback payload for the same session). TURN REST
   * credentials die at the expiry in their username (`<unix seconds>:<viewer>`, TURN_TTL_SECONDS after
   * they were made), after which coturn refuses them and a viewer could no longer reach peers through
   * a relay. With this callback the player asks for fresh ones when three quarters of that lifetime
   * have passed (retrying every 10 s on failure), and connections made after that use them.
   * @default none (the credentials handed in are used until they expire)
   */
  refreshIceServers?: () => Promise<RTCIceServer[]>;
  /**
   * Check peer segments against `segmentHashesUrl`. @default true
   * Only tests turn this off (to make a page that relays corrupted data).
   */
  validateSegments?: boolean;
  /** p2p-media-loader core overrides, merged onto DEFAULT_P2P_CORE_CONFIG. */
  core?: Partial<CoreConfig>;
  /** hls.js overrides, merged onto DEFAULT_HLS_CONFIG. */
  hlsConfig?: Partial<HlsConfig>;
};

/** Counters since `start()`. Bytes are media segment bytes that were used (init segments count as HTTP). */
export type PlayerStats = {
  httpBytes: number;
  p2pBytes: number;
  /** Bytes this viewer sent to others. */
  uploadedBytes: number;
  /** Other viewers connected right now (connections of the main stream). */
  peers: number;
  /**
   * Open WebRTC connections by the candidate type of their selected pair (getStats): `host` direct,
   * `srflx`/`prflx` through a NAT mapping (STUN or learnt during checks), `relay` through TURN. One
   * viewer may count twice when the stream has separate audio (a connection per stream).
   */
  connections: ConnectionTypeCounts;
  /** Segments from peers that failed the hash check (and were fetched again). */
  rejectedSegments: number;
  /** Milliseconds from `start()` to the first frame playing, or null before that. */
  startupMs: number | null;
  /** Times playback waited for data after it had started (seeks excluded). */
  stalls: number;
  /** Total milliseconds spent in those waits. */
  stalledMs: number;
  /**
   * While live: seconds between now and the EXT-X-PROGRAM-DATE-TIME of the frame at the playhead
   * (hls.js `playingDate`), i.e. how far behind the encoder's clock the picture is. Null when not live.
   */
  latencySeconds: number | null;
};

/** The live side of playback. */
export type PlayerLiveState = {
  /** The playlists are live (no EXT-X-ENDLIST yet). */
  live: boolean;
  /** The stream was live and its playlists now end (the broadcast ended; they are its recording). */
  ended: boolean;
  /** See PlayerStats.latencySeconds. */
  latencySeconds: number | null;
  /** Seconds between the playhead and the point hls.js holds to at the live edge (0 when at the edge). */
  behindLiveSeconds: number;
  /** The range (media seconds) one can seek within: the DVR window while live. */
  seekable: { start: number; end: number } | null;
};

export type PlayerLevel = {
  index: number;
  width: number;
  height: number;
  bitrate: number;
  /** A label for menus, e.g. "1080p". */
  label: string;
};

export type PlayerLevelState = { auto: boolean; index: number; level: PlayerLevel | null };

export type PlayerEventMap = {
  /** Counters changed (throttled to a few times a second). */
  stats: PlayerStats;
  error: PlayerError;
  /** The playing quality level changed, or auto/manual selection changed. */
  level: PlayerLevelState;
  /** The list of levels is known (after the master playlist loaded). */
  levels: PlayerLevel[];
  /** A peer segment failed the hash check and will be fetched over HTTP. */
  rejected: { url: string };
  /** Live state changed (about every second while live, and once when the broadcast ends). */
  live: PlayerLiveState;
};

export type Player = {
  /** Loads the hash list (if any), the master playlist and attaches to the video. Resolves once levels are known. */
  start(): Promise<void>;
  /** Detaches from the video, closes peer connections and timers. */
  destroy(): void;
  readonly stats: Readonly<PlayerStats>;
  readonly levels: readonly PlayerLevel[];
  readonly level: PlayerLevelState;
  /** Whether P2P is actually on (false when asked off, or when no hash list could be loaded). */
  readonly p2pActive: boolean;
  /** 'auto' for adaptive quality, or a level index for a fixed one. */
  setLevel(level: 'auto' | number): void;
  readonly live: PlayerLiveState;
  /** While live: seek to the live edge (where hls.js holds, latencyTarget behind the newest segment). */
  seekToLive(): void;
  /** The wall-clock time (ms since 1970) of the frame at the playhead, from EXT-X-PROGRAM-DATE-TIME; null when unknown. */
  playingDate(): number | null;
  /** Caption languages of the stream, the chosen one and the cue to show now. */
  readonly captions: PlayerCaptions;
  /** Ads declared as HLS Interstitials: the ad playing now, skip, click-through, VAST beacons. */
  readonly ads: PlayerAds;
  on<K extends keyof PlayerEventMap>(event: K, fn: Listener<PlayerEventMap[K]>): void;
  off<K extends keyof PlayerEventMap>(event: K, fn: Listener<PlayerEventMap[K]>): void;
};

export function createPlayer(options: PlayerOptions): Player {
  return new HlsPlayer(options);
}

const STATS_INTERVAL_MS = 250;
const LIVE_TICK_MS = 1000;
/** How often the connection types are read from getStats (only while there are connections). */
const CONNECTION_POLL_MS = 2000;

/** Share of a TURN credential's remaining lifetime after which fresh ones are asked for. */
const ICE_REFRESH_AT = 0.75;
const ICE_REFRESH_RETRY_MS = 10_000;

/** The ICE settings for a relay policy: without relays, TURN servers are left out. */
export function rtcConfigFor(iceServers: readonly RTCIceServer[], relayPolicy: RelayPolicy): RTCConfiguration {
  if (relayPolicy === 'always') return { iceServers: [...iceServers], iceTransportPolicy: 'relay' };
  if (relayPolicy === 'fallback') return { iceServers: [...iceServers], iceTransportPolicy: 'all' };
  const direct = iceServers
    .map((server) => ({ ...server, urls: (Array.isArray(server.urls) ? server.urls : [server.urls]).filter((url) => !/^turns?:/i.test(url)) }))
    .filter((server) => server.urls.length > 0);
  return { iceServers: direct, iceTransportPolicy: 'all' };
}
const HlsWithP2P = HlsJsP2PEngine.injectMixin(Hls);
type HlsInstance = Hls | InstanceType<typeof HlsWithP2P>;

function levelLabel(height: number, bitrate: number): string {
  return height > 0 ? `${height}p` : `${Math.round(bitrate / 1000)} kbit/s`;
}

/** Stats of a player that has loaded nothing yet. */
export function emptyPlayerStats(): PlayerStats {
  return {
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    peers: 0,
    connections: emptyConnectionCounts(),
    rejectedSegments: 0,
    startupMs: null,
    stalls: 0,
    stalledMs: 0,
    latencySeconds: null,
  };
}

class HlsPlayer implements Player {
  readonly #options: PlayerOptions;
  readonly #events = new TypedEvents<PlayerEventMap>();
  readonly #stats: PlayerStats = emptyPlayerStats();
  readonly #peers = new Set<string>();
  readonly #abort = new AbortController();
  readonly captions: PlayerCaptions;
  readonly ads: PlayerAds;
  #hls: HlsInstance | null = null;
  #levels: PlayerLevel[] = [];
  #level: PlayerLevelState = { auto: true, index: -1, level: null };
  #p2pActive = false;
  #startedAt = 0;
  #stallStartedAt: number | null = null;
  #statsTimer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;
  #lastTrackerErrorAt = 0;
  #unbindVideo: (() => void) | null = null;
  #unbindCore: (() => void) | null = null;
  #live: PlayerLiveState = { live: false, ended: false, latencySeconds: null, behindLiveSeconds: 0, seekable: null };
  #liveTimer: ReturnType<typeof setInterval> | null = null;
  #startDatePending: boolean;
  #connections: PeerConnectionRegistry | null = null;
  #connectionTimer: ReturnType<typeof setInterval> | null = null;
  #startWindow: P2PStartWindow | null = null;
  #liveDue: LiveDueSegments | null = null;
  #iceRefreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: PlayerOptions) {
    this.#options = options;
    this.captions = new PlayerCaptions(options.video);
    this.ads = new PlayerAds(options.video, {
      onError: (error) => this.#events.emit('error', error),
      onBytes: (bytes, source) => {
        if (source === 'p2p') this.#stats.p2pBytes += bytes;
        else this.#stats.httpBytes += bytes;
        this.#scheduleStats();
      },
      onUploaded: (bytes) => {
        this.#stats.uploadedBytes += bytes;
        this.#scheduleStats();
      },
      onRejected: (url) => this.#onRejected(url),
      // Ads share over P2P when the content does, with its trackers and ICE servers (each creative in its own swarm).
      p2p: () =>
        this.#p2pActive && this.#connections && !this.#destroyed
          ? { core: this.#sharedCoreConfig(this.#connections, false), checkSegments: this.#options.validateSegments !== false }
          : null,
    });
    this.#startDatePending = options.startDate !== undefined;
  }

  get live(): PlayerLiveState {
    return { ...this.#live };
  }

  seekToLive(): void {
    const sync = this.#hls?.liveSyncPosition;
    if (typeof sync === 'number' && Number.isFinite(sync)) this.#options.video.currentTime = sync;
  }

  playingDate(): number | null {
    return this.#hls?.playingDate?.getTime() ?? null;
  }

  get stats(): Readonly<PlayerStats> {
    return { ...this.#stats, connections: { ...this.#stats.connections } };
  }

  get levels(): readonly PlayerLevel[] {
    return this.#levels;
  }

  get level(): PlayerLevelState {
    return { ...this.#level };
  }

  get p2pActive(): boolean {
    return this.#p2pActive;
  }

  on<K extends keyof PlayerEventMap>(event: K, fn: Listener<PlayerEventMap[K]>): void {
    this.#events.on(event, fn);
  }

  off<K extends keyof PlayerEventMap>(event: K, fn: Listener<PlayerEventMap[K]>): void {
    this.#events.off(event, fn);
  }

  async start(): Promise<void> {
    if (this.#hls || this.#destroyed) return;
    const { video } = this.#options;
    const masterUrl = new URL(this.#options.masterUrl, location.href).href;
    this.#startedAt = performance.now();
    this.#unbindVideo = this.#watchVideo(video);

    if (!Hls.isSupported()) {
      // iOS Safari without MSE: its own HLS stack plays the stream, over HTTP only.
      if (video.canPlayType('application/vnd.apple.mpegurl')) {
        const start = this.#options.startPosition;
        // Seeking before the metadata is known is ignored by the element.
        if (start) video.addEventListener('loadedmetadata', () => (video.currentTime = start), { once: true });
        video.src = masterUrl;
        return;
      }
      const error = playerError('unsupported', 'This browser cannot play HLS video (no Media Source Extensions).', true);
      this.#events.emit('error', error);
      throw new Error(error.message);
    }

    const p2p = this.#options.p2p;
    // The hash list loads while hls.js starts (the first segments come over HTTP anyway): peer
    // segments wait for it. Without it peer data cannot be trusted, and P2P is switched off.
    let hashes: Promise<SegmentChecker | null> | null = null;
    if (p2p && this.#options.segmentHashesUrl && this.#options.validateSegments !== false) {
      const hashesUrl = new URL(this.#options.segmentHashesUrl, location.href).href;
      hashes = (
        this.#options.live ? LiveSegmentHashes.load(hashesUrl, masterUrl, this.#abort.signal) : loadSegmentHashes(hashesUrl, masterUrl, this.#abort.signal)
      ).catch((cause: unknown) => {
        if (!this.#destroyed) this.#turnOffP2P(cause);
        return null;
      });
    }
    this.#p2pActive = p2p;

    const hlsConfig: Partial<HlsConfig> = {
      ...DEFAULT_HLS_CONFIG,
      ...(this.#options.live ? DEFAULT_LIVE_HLS_CONFIG : {}),
      ...AD_HLS_CONFIG,
      // Asset lists (the per-viewer ad decision) are checked against the ad delivery contract.
      loader: withAssetListValidation(Hls.DefaultConfig.loader),
      startPosition: this.#options.startPosition ?? -1,
      ...this.#options.hlsConfig,
    };
    let hls: HlsInstance;
    if (p2p) {
      this.#connections = new PeerConnectionRegistry(this.#options.relayPolicy === 'off');
      this.#scheduleIceRefresh(this.#options.iceServers ?? []);
      // The segment at the playhead over HTTP at once, the later ones wait for peers (p2p-start-window.ts).
      this.#startWindow = new P2PStartWindow(this.#coreConfig(masterUrl, hashes, this.#connections));
      const withP2P = new HlsWithP2P({ ...hlsConfig, p2p: { core: this.#startWindow.core } });
      this.#startWindow.start(withP2P, withP2P.p2pEngine);
      // Live: what hls.js waits for while playback cannot go on goes over HTTP (live-due-segments.ts).
      const core = this.#options.live ? engineCore(withP2P.p2pEngine) : null;
      if (core) {
        this.#liveDue = new LiveDueSegments(video, core);
        this.#liveDue.start(withP2P);
      }
      this.#unbindCore = this.#watchCore(withP2P.p2pEngine);
      keepP2PCoreAcrossInterstitials(withP2P);
      this.#connectionTimer = setInterval(() => void this.#pollConnections(), CONNECTION_POLL_MS);
      hls = withP2P;
    } else {
      hls = new Hls(hlsConfig);
    }
    this.#hls = hls;
    this.captions.attach(hls);
    this.ads.attach(hls);

    await new Promise<void>((resolve, reject) => {
      const onParsed = (): void => {
        hls.off(Events.ERROR, onEarlyError);
        this.#updateLevels(hls);
        resolve();
      };
      const onEarlyError = (_: string, data: ErrorData): void => {
        if (!data.fatal) return;
        hls.off(Events.MANIFEST_PARSED, onParsed);
        hls.off(Events.ERROR, onEarlyError);
        reject(new Error(`could not load ${masterUrl}: ${data.details}`));
      };
      hls.once(Events.MANIFEST_PARSED, onParsed);
      hls.on(Events.ERROR, onEarlyError);
      hls.on(Events.ERROR, this.#onHlsError);
      hls.on(Events.LEVEL_SWITCHED, this.#onLevelSwitched);
      hls.on(Events.FRAG_LOADED, this.#onFragLoaded);
      hls.on(Events.LEVEL_UPDATED, this.#onLevelUpdated);
      hls.attachMedia(video);
      hls.loadSource(masterUrl);
    });
  }

  setLevel(level: 'auto' | number): void {
    const hls = this.#hls;
    if (!hls) return;
    if (level === 'auto') {
      hls.nextLevel = -1;
      hls.loadLevel = -1;
    } else {
      if (!this.#levels[level]) throw new RangeError(`no quality level ${level} (have ${this.#levels.length})`);
      // currentLevel flushes the buffer: the chosen quality shows at once.
      hls.currentLevel = level;
    }
    this.#level = { ...this.#level, auto: level === 'auto' };
    this.#events.emit('level', this.level);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#abort.abort();
    this.captions.destroy();
    this.ads.destroy();
    if (this.#statsTimer) clearTimeout(this.#statsTimer);
    if (this.#liveTimer) clearInterval(this.#liveTimer);
    if (this.#connectionTimer) clearInterval(this.#connectionTimer);
    this.#startWindow?.destroy();
    this.#liveDue?.destroy();
    if (this.#iceRefreshTimer) clearTimeout(this.#iceRefreshTimer);
    this.#unbindCore?.();
    this.#unbindVideo?.();
    const hls = this.#hls;
    this.#hls = null;
    if (hls) {
      hls.off(Events.ERROR, this.#onHlsError);
      hls.off(Events.LEVEL_SWITCHED, this.#onLevelSwitched);
      hls.off(Events.FRAG_LOADED, this.#onFragLoaded);
      hls.off(Events.LEVEL_UPDATED, this.#onLevelUpdated);
      hls.destroy();
    } else if (this.#options.video.src) {
      this.#options.video.removeAttribute('src');
      this.#options.video.load();
    }
    this.#events.removeAllListeners();
    this.#connections?.destroy();
  }

  /** Asks for fresh ICE servers before `servers`' TURN credentials expire (see PlayerOptions.refreshIceServers). */
  #scheduleIceRefresh(servers: readonly RTCIceServer[], retry = false): void {
    const refresh = this.#options.refreshIceServers;
    const expiresAt = iceServersExpireAt(servers);
    if (!refresh || this.#destroyed || (expiresAt === null && !retry)) return;
    const delay = retry || expiresAt === null ? ICE_REFRESH_RETRY_MS : Math.max(0, (expiresAt - Date.now()) * ICE_REFRESH_AT);
    this.#iceRefreshTimer = setTimeout(() => {
      this.#iceRefreshTimer = null;
      refresh().then(
        (fresh) => {
          if (this.#destroyed) return;
          this.#connections?.setIceServers(rtcConfigFor(fresh, this.#options.relayPolicy ?? 'fallback').iceServers ?? []);
          // Fresh servers that expire as soon (a clock off, a server that hands out the same) are asked for again after the retry delay.
          const next = iceServersExpireAt(fresh);
          this.#scheduleIceRefresh(fresh, next !== null && next <= (expiresAt ?? 0));
        },
        (cause: unknown) => {
          if (this.#destroyed) return;
          this.#events.emit(
            'error',
            playerError('ice-refresh', `Fresh TURN credentials could not be fetched (${String(cause)}); retrying in 10 s.`, false, cause),
          );
          this.#scheduleIceRefresh(servers, true);
        },
      );
    }, delay);
  }

  /** Counts the open connections by selected pair type; under relayPolicy `off`, closes relayed ones. */
  async #pollConnections(): Promise<void> {
    const registry = this.#connections;
    if (!registry || this.#destroyed) return;
    const counts = emptyConnectionCounts();
    const open = registry.open();
    const types = await Promise.all(open.map((pc) => selectedPairType(pc).catch(() => null)));
    if (this.#destroyed) return;
    open.forEach((pc, i) => {
      const type = types[i];
      if (!type) return;
      if (type === 'relay' && this.#options.relayPolicy === 'off') {
        // Relayed through the other viewer's TURN server: as costly as HTTP, and not allowed here.
        pc.close();
        return;
      }
      counts[type] += 1;
    });
    const before = this.#stats.connections;
    if (CANDIDATE_KEYS.some((key) => before[key] !== counts[key])) {
      this.#stats.connections = counts;
      this.#scheduleStats();
    }
  }

  /** Core settings the content and its ads share: timing, trackers, ICE (ad creatives are VOD whatever the content is). */
  #sharedCoreConfig(connections: PeerConnectionRegistry, live: boolean): Partial<CoreConfig> {
    return {
      ...DEFAULT_P2P_CORE_CONFIG,
      ...(live ? DEFAULT_LIVE_P2P_CORE_CONFIG : {}),
      announceTrackers: this.#options.trackerUrls,
      rtcConfig: connections.tagged(rtcConfigFor(this.#options.iceServers ?? [], this.#options.relayPolicy ?? 'fallback')),
      ...this.#options.core,
    };
  }

  #onRejected(url: string): void {
    this.#stats.rejectedSegments += 1;
    this.#events.emit('rejected', { url });
    this.#scheduleStats();
  }

  /** The hash list could not be loaded: peers are no longer asked, and what they sent is not used. */
  #turnOffP2P(cause: unknown): void {
    this.#p2pActive = false;
    const hls = this.#hls;
    if (hls && 'p2pEngine' in hls) hls.p2pEngine.applyDynamicConfig({ core: { isP2PDisabled: true } });
    this.#events.emit(
      'error',
      playerError('hashes-unavailable', `Peer sharing is off: the segment hash list could not be loaded (${String(cause)}).`, false, cause),
    );
  }

  #coreConfig(masterUrl: string, hashes: Promise<SegmentChecker | null> | null, connections: PeerConnectionRegistry): Partial<CoreConfig> {
    const config: Partial<CoreConfig> = {
      ...this.#sharedCoreConfig(connections, this.#options.live === true),
      swarmId: this.#options.core?.swarmId ?? this.#options.swarmId ?? masterUrl,
    };
    if (hashes) {
      config.validateP2PSegment = async (url, byteRange, data) => {
        const checker = await hashes;
        // No hash list (P2P is being switched off): fetched again over HTTP, not counted as a bad peer.
        if (!checker) return false;
        const result = await checker.check(url, data, byteRange !== undefined);
        if (result === 'valid') return true;
        this.#onRejected(url);
        return false;
      };
    }
    return config;
  }

  #watchCore(engine: HlsJsP2PEngine): () => void {
    // Counted per finished segment (after the hash check), so rejected peer data never counts as delivered.
    const onLoaded = ({ bytesLength, downloadSource }: SegmentLoadDetails): void => {
      if (downloadSource === 'p2p') this.#stats.p2pBytes += bytesLength;
      else this.#stats.httpBytes += bytesLength;
      this.#scheduleStats();
    };
    const onUploaded: CoreEventMap['onChunkUploaded'] = (bytes: number) => {
      this.#stats.uploadedBytes += bytes;
      this.#scheduleStats();
    };
    // Each stream (video, separate audio) has its own connections; count other viewers once, by the main stream.
    const onPeerConnect = ({ peerId, streamType }: PeerDetails): void => {
      if (streamType !== 'main') return;
      this.#peers.add(peerId);
      this.#stats.peers = this.#peers.size;
      this.#scheduleStats();
    };
    const onPeerClose = ({ peerId, streamType }: PeerDetails): void => {
      if (streamType !== 'main') return;
      this.#peers.delete(peerId);
      this.#stats.peers = this.#peers.size;
      this.#scheduleStats();
    };
    const onSegmentError = (details: SegmentErrorDetails): void => {
      // A rejected or broken peer segment is refetched by the core; nothing for the caller to do but know.
      if (details.downloadSource === 'p2p') return;
      this.#events.emit('error', playerError('segment', `Segment ${details.segment.url} failed over HTTP (${details.error.type}); retrying.`, false));
    };
    const onTrackerError: CoreEventMap['onTrackerError'] = ({ error }) => {
      // The tracker retries on its own; report at most every 10 s so a dead tracker does not flood.
      const now = performance.now();
      if (now - this.#lastTrackerErrorAt < 10_000) return;
      this.#lastTrackerErrorAt = now;
      const reason = error instanceof Error ? error.message : 'the tracker cannot be reached';
      this.#events.emit('error', playerError('tracker', `Peer discovery failed (${reason}); playing from the origin.`, false, error));
    };
    engine.addEventListener('onSegmentLoaded', onLoaded);
    engine.addEventListener('onChunkUploaded', onUploaded);
    engine.addEventListener('onPeerConnect', onPeerConnect);
    engine.addEventListener('onPeerClose', onPeerClose);
    engine.addEventListener('onSegmentError', onSegmentError);
    engine.addEventListener('onTrackerError', onTrackerError);
    return () => {
      engine.removeEventListener('onSegmentLoaded', onLoaded);
      engine.removeEventListener('onChunkUploaded', onUploaded);
      engine.removeEventListener('onPeerConnect', onPeerConnect);
      engine.removeEventListener('onPeerClose', onPeerClose);
      engine.removeEventListener('onSegmentError', onSegmentError);
      engine.removeEventListener('onTrackerError', onTrackerError);
    };
  }

  #watchVideo(video: HTMLVideoElement): () => void {
    const onPlaying = (): void => {
      if (this.#stats.startupMs === null) this.#stats.startupMs = Math.round(performance.now() - this.#startedAt);
      this.#endStall();
      this.#scheduleStats();
    };
    const onWaiting = (): void => {
      if (this.#stats.startupMs === null || video.seeking || this.#stallStartedAt !== null) return;
      this.#stallStartedAt = performance.now();
      this.#stats.stalls += 1;
      this.#scheduleStats();
    };
    const onProgressing = (): void => {
      if (this.#stallStartedAt !== null && !video.paused && video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) this.#endStall();
    };
    const onSeeking = (): void => this.#endStall();
    video.addEventListener('playing', onPlaying);
    video.addEventListener('waiting', onWaiting);
    video.addEventListener('timeupdate', onProgressing);
    video.addEventListener('seeking', onSeeking);
    return () => {
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('waiting', onWaiting);
      video.removeEventListener('timeupdate', onProgressing);
      video.removeEventListener('seeking', onSeeking);
    };
  }

  #endStall(): void {
    if (this.#stallStartedAt === null) return;
    this.#stats.stalledMs += Math.round(performance.now() - this.#stallStartedAt);
    this.#stallStartedAt = null;
  }

  #onFragLoaded = (_: string, data: FragLoadedData): void => {
    // Init segments (and everything in HTTP-only mode) bypass the P2P core's byte events.
    if (this.#p2pActive && data.frag.sn !== 'initSegment') return;
    this.#stats.httpBytes += data.frag.stats.loaded;
    this.#scheduleStats();
  };

  #onLevelUpdated = (_: string, data: LevelUpdatedData): void => {
    const { details } = data;
    if (this.#startDatePending && details.fragments.length > 0) {
      this.#startDatePending = false;
      const position = positionOfDate(details.fragments, this.#options.startDate ?? 0);
      if (position !== null) this.#options.video.currentTime = position;
    }
    if (details.live && !this.#live.live) {
      this.#live = { ...this.#live, live: true, ended: false };
      this.#liveTimer ??= setInterval(this.#liveTick, LIVE_TICK_MS);
      this.#liveTick();
    } else if (!details.live && this.#live.live) {
      // EXT-X-ENDLIST: the broadcast ended and the same playlists are now its whole recording.
      if (this.#liveTimer) clearInterval(this.#liveTimer);
      this.#liveTimer = null;
      this.#stats.latencySeconds = null;
      this.#live = { ...this.#live, live: false, ended: true, latencySeconds: null, behindLiveSeconds: 0 };
      this.#events.emit('live', this.live);
      this.#scheduleStats();
    }
  };

  #liveTick = (): void => {
    const hls = this.#hls;
    if (!hls || !this.#live.live) return;
    const { video } = this.#options;
    // Latency from EXT-X-PROGRAM-DATE-TIME: hls.js `playingDate` is the PDT of the fragment at the
    // playhead plus the offset into it. (hls.js `latency` is measured against the playlist's edge, not
    // the clock, so it leaves out the encode and upload delay; it is not used.)
    const playing = hls.playingDate;
    const latency = playing && video.readyState > 0 ? Math.max(0, (Date.now() - playing.getTime()) / 1000) : null;
    const sync = hls.liveSyncPosition;
    const behind = typeof sync === 'number' && Number.isFinite(sync) ? Math.max(0, sync - video.currentTime) : 0;
    const ranges = video.seekable;
    const seekable = ranges.length > 0 ? { start: ranges.start(0), end: ranges.end(ranges.length - 1) } : null;
    this.#stats.latencySeconds = latency === null ? null : Math.round(latency * 100) / 100;
    this.#live = { live: true, ended: false, latencySeconds: this.#stats.latencySeconds, behindLiveSeconds: Math.round(behind * 10) / 10, seekable };
    this.#events.emit('live', this.live);
    this.#scheduleStats();
  };

  #onLevelSwitched = (_: string, data: LevelSwitchedData): void => {
    const hls = this.#hls;
    this.#level = { auto: hls ? hls.autoLevelEnabled : true, index: data.level, level: this.#levels[data.level] ?? null };
    this.#events.emit('level', this.level);
  };

  #onHlsError = (_: string, data: ErrorData): void => {
    const hls = this.#hls;
    if (!data.fatal || !hls) return;
    if (data.type === ErrorTypes.NETWORK_ERROR && data.details !== ErrorDetails.MANIFEST_LOAD_ERROR) {
      this.#events.emit('error', playerError('network', `Network error (${data.details}); retrying.`, false));
      hls.startLoad();
    } else if (data.type === ErrorTypes.MEDIA_ERROR) {
      this.#events.emit('error', playerError('media', `Media error (${data.details}); recovering.`, false));
      hls.recoverMediaError();
    } else {
      this.#events.emit('error', playerError('playback', `Playback stopped: ${data.details}. Reload the page to try again.`, true));
    }
  };

  #updateLevels(hls: HlsInstance): void {
    this.#levels = hls.levels.map((level, index) => ({
      index,
      width: level.width,
      height: level.height,
      bitrate: level.bitrate,
      label: levelLabel(level.height, level.bitrate),
    }));
    this.#events.emit('levels', this.#levels);
  }

  #scheduleStats(): void {
    if (this.#statsTimer || this.#destroyed) return;
    this.#statsTimer = setTimeout(() => {
      this.#statsTimer = null;
      this.#events.emit('stats', this.stats);
    }, STATS_INTERVAL_MS);
  }
}

const CANDIDATE_KEYS = ['host', 'srflx', 'prflx', 'relay'] as const;

/**
 * p2p-media-loader-hlsjs 2.3 empties its core (the streams it knows, its peers, its cache) on every
 * MEDIA_ATTACHING, meant for a new source in the same element. hls.js interstitials detach the content
 * from the <video> for an ad and attach it again afterwards, with the same playlists that are not loaded
 * again (VOD): after a pre-roll or a mid-roll the core knew no segment, so the content came over HTTP
 * only, from no peer, and its bytes were not counted. A player never changes the source of its hls.js
 * instance (a new source is a new player), so once the engine listens (it starts with the manifest
 * request), its reset on attach is removed.
 */
function keepP2PCoreAcrossInterstitials(hls: InstanceType<typeof HlsWithP2P>): void {
  hls.once(Events.MANIFEST_LOADED, () => {
    const destroyCore = (hls.p2pEngine as unknown as { destroyCore?: unknown }).destroyCore;
    if (typeof destroyCore === 'function') hls.off(Events.MEDIA_ATTACHING, destroyCore as () => void);
  });
}

type SegmentChecker = { check(url: string, data: ArrayBuffer, isByteRange?: boolean): Promise<SegmentCheck> };

/** The media position of a wall-clock time within a playlist's fragments (by EXT-X-PROGRAM-DATE-TIME), or null. */
function positionOfDate(fragments: ReadonlyArray<{ start: number; duration: number; programDateTime: number | null }>, date: number): number | null {
  for (const fragment of fragments) {
    if (fragment.programDateTime === null) continue;
    const offset = (date - fragment.programDateTime) / 1000;
    if (offset >= 0 && offset < fragment.duration) return fragment.start + offset;
  }
  return null;
}
