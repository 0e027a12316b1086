import { Events, PlaylistLevelType, type FragLoadingData } from 'hls.js';
import type { CoreConfig, DynamicCoreConfig } from 'p2p-media-loader-core';

/** p2p-media-loader-core 2.3's own default, for a config that leaves the window unset. */
const CORE_DEFAULT_HIGH_DEMAND_TIME_WINDOW = 15;
const CORE_DEFAULT_HTTP_DOWNLOAD_TIME_WINDOW = 3000;

/**
 * The main stream's high-demand window while later segments wait for peers, in seconds. While playing,
 * the core looks at its queue about once a second (on `timeupdate`, throttled to 1 s), so a segment
 * must enter the window that long plus its HTTP fetch before it is due, or playback stalls (and, stalled,
 * no `timeupdate` wakes the core again). 2 s leaves the next 4 s segment to peers at the start and
 * still fetches short (1–2 s) segments over HTTP in time.
 */
export const START_HIGH_DEMAND_SECONDS = 2;

type HlsEvents = {
  on(event: Events.FRAG_LOADING, listener: (event: Events.FRAG_LOADING, data: FragLoadingData) => void): void;
  off(event: Events.FRAG_LOADING, listener: (event: Events.FRAG_LOADING, data: FragLoadingData) => void): void;
};
type DynamicConfigTarget = { applyDynamicConfig(config: { core?: DynamicCoreConfig }): void };

/**
 * A viewer starts as fast with P2P on as off: the segment at the playhead goes over HTTP at once, and
 * only the segments after it wait for peers.
 *
 * p2p-media-loader's `httpDownloadInitialTimeoutMs` holds every HTTP fetch for that long after the
 * first segment request, the first segment's too. A lone viewer therefore started 1.2 s late, and a
 * joining one started only once a peer had connected over WebRTC and delivered (0.4–1.4 s measured in
 * `npm run bench -- offload`), while the first segment is needed at once and the next ones only a
 * segment duration later. So the core gets no such wait, and for the same time (`waitMs`, the config's
 * `httpDownloadInitialTimeoutMs`) the main stream's high-demand window (the segments that may go over
 * HTTP) reaches only START_HIGH_DEMAND_SECONDS beyond the playhead, i.e. the segment there; peers can
 * deliver the next ones meanwhile, and the core's random HTTP prefetch waits too (as it did in the core's
 * own wait). After the wait the configured window applies again. The separate audio stream (tiny
 * segments) keeps its window, so hls.js's buffer length, which the engine derives from the larger of
 * the two windows, stays as configured.
 *
 * The clock starts at the first media fragment request, as the core's own wait did. Live streams are
 * configured with no wait (DEFAULT_LIVE_P2P_CORE_CONFIG), so nothing changes for them.
 */
export class P2PStartWindow {
  /** The core config to construct the engine with (no initial HTTP wait; see the class). */
  readonly core: Partial<CoreConfig>;
  readonly #waitMs: number;
  readonly #highDemandTimeWindow: number;
  readonly #httpDownloadTimeWindow: number;
  #hls: HlsEvents | null = null;
  #engine: DynamicConfigTarget | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(config: Partial<CoreConfig>) {
    this.#waitMs = config.httpDownloadInitialTimeoutMs ?? 0;
    this.#highDemandTimeWindow = config.mainStream?.highDemandTimeWindow ?? config.highDemandTimeWindow ?? CORE_DEFAULT_HIGH_DEMAND_TIME_WINDOW;
    this.#httpDownloadTimeWindow = config.mainStream?.httpDownloadTimeWindow ?? config.httpDownloadTimeWindow ?? CORE_DEFAULT_HTTP_DOWNLOAD_TIME_WINDOW;
    const start = Math.min(this.#highDemandTimeWindow, START_HIGH_DEMAND_SECONDS);
    this.core =
      this.#waitMs > 0
        ? {
            ...config,
            httpDownloadInitialTimeoutMs: 0,
            // The HTTP window too: the core's random HTTP prefetch (segments no known peer has) would
            // otherwise pick segments before this viewer has heard from all its peers.
            mainStream: { ...config.mainStream, highDemandTimeWindow: start, httpDownloadTimeWindow: start },
          }
        : config;
  }

  /** Follows `hls`'s fragment requests and adjusts `engine`'s window. */
  start(hls: HlsEvents, engine: DynamicConfigTarget): void {
    if (this.#waitMs <= 0 || this.#hls) return;
    this.#hls = hls;
    this.#engine = engine;
    hls.on(Events.FRAG_LOADING, this.#onFragLoading);
  }

  destroy(): void {
    this.#hls?.off(Events.FRAG_LOADING, this.#onFragLoading);
    this.#hls = null;
    this.#engine = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #onFragLoading = (_: Events.FRAG_LOADING, data: FragLoadingData): void => {
    const { frag } = data;
    if (frag.sn === 'initSegment' || frag.type !== PlaylistLevelType.MAIN) return;
    this.#hls?.off(Events.FRAG_LOADING, this.#onFragLoading);
    this.#hls = null;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#engine?.applyDynamicConfig({
        core: { mainStream: { highDemandTimeWindow: this.#highDemandTimeWindow, httpDownloadTimeWindow: this.#httpDownloadTimeWindow } },
      });
      this.#engine = null;
    }, this.#waitMs);
  };
}
