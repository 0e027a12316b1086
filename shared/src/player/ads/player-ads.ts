import Hls, {
  ErrorDetails,
  Events,
  type ErrorData,
  type InterstitialAssetEndedData,
  type InterstitialAssetErrorData,
  type InterstitialAssetPlayerCreatedData,
  type InterstitialAssetStartedData,
  type InterstitialEndedData,
  type InterstitialEvent,
} from 'hls.js';
import { adDetailsSchema, type AdCreativeForm, type AdDetails } from '../../api/ad-delivery.ts';
import { TypedEvents, type Listener } from '../../events/index.ts';
import { playerError, type PlayerError } from '../errors.ts';
import { AdBeacons, sendBeacon, VAST_ERROR_CODES, type BeaconSender, type VastErrorCode } from './ad-beacons.ts';
import { AdSegmentSharing, type AdP2PSettings, type AdSegmentLoaded } from './ad-p2p.ts';

/** The ad playing now, as the page and the renderer show it. */
export type AdState = {
  adId: string;
  campaignId: string | null;
  title: string;
  /** 360: drawn on the sphere (with its projection); flat: on a virtual screen in front of the viewer. */
  form: AdCreativeForm;
  /** 1-based place of this ad in its break, and how many ads the break has. */
  index: number;
  count: number;
  durationSeconds: number;
  elapsedSeconds: number;
  /** Seconds left in this ad (what "Ad · 0:12" shows). */
  remainingSeconds: number;
  /** The first frame played (impression and start were fired). */
  started: boolean;
  /** Seconds until the viewer may skip (0 once they may); null when this ad cannot be skipped. */
  skipInSeconds: number | null;
  canSkip: boolean;
  clickThrough: string | null;
};

export type PlayerAdsEventMap = {
  /** The ad playing changed or advanced (about 4 times a second during an ad); null when content plays. */
  ad: AdState | null;
  /** A VAST tracking event was fired (its beacon URLs sent). */
  beacon: { adId: string; event: string };
  /** An ad's segment (or init segment) was loaded, over HTTP or from a peer. */
  segment: AdSegmentLoaded;
};

export type PlayerAdsOptions = {
  /** Where beacons go. @default a keepalive GET (fetch) per URL */
  send?: BeaconSender;
  /** Non-fatal errors (a break or an ad skipped because it failed), for the player's `error` event. */
  onError?: (error: PlayerError) => void;
  /** Bytes of ad segments used, by where they came from, for the player's stats. */
  onBytes?: (bytes: number, source: 'http' | 'p2p') => void;
  /** Bytes of ad segments this viewer sent to others. */
  onUploaded?: (bytes: number) => void;
  /** An ad segment from a peer failed its hash check (and is fetched again). */
  onRejected?: (url: string) => void;
  /**
   * The content's P2P settings when it shares over P2P, asked for each ad; null (or absent): ads load
   * over HTTP only. Ads the asset list gives a `p2p` swarm and hash list are then shared between
   * viewers in the creative's own swarm.
   */
  p2p?: () => AdP2PSettings | null;
};

/**
 * hls.js interstitial settings for ads. The asset list is the per-viewer ad decision and holds up a
 * pre-roll (the content waits for it), so its wait is bounded: after `AD_ASSET_LIST_TIMEOUT_MS` the
 * break is dropped and the content plays.
 */
export const AD_ASSET_LIST_TIMEOUT_MS = 3000;
export const AD_HLS_CONFIG = {
  interstitialAssetListLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: AD_ASSET_LIST_TIMEOUT_MS,
      maxLoadTimeMs: AD_ASSET_LIST_TIMEOUT_MS,
      timeoutRetry: null,
      errorRetry: null,
    },
  },
} as const;

const TICK_MS = 250;
/** How long after a failed break the content must have started moving again (see #watchResume). */
const RESUME_CHECK_MS = 1000;

type Current = {
  assetId: string;
  details: AdDetails;
  beacons: AdBeacons;
  event: InterstitialEvent;
  player: InterstitialAssetStartedData['player'];
  index: number;
  count: number;
  duration: number;
};

/**
 * Follows hls.js's interstitials (HLS Interstitials, played by hls.js in the same <video>) for the
 * player: which ad plays and how far, its VAST beacons (impression and start at the first frame,
 * quartiles, complete, skip, click, error), skip after the creative's offset, and the click-through.
 * A failing break or ad never stops the content: hls.js falls back to it, and this reports the error.
 */
export class PlayerAds {
  readonly #video: HTMLVideoElement;
  readonly #events = new TypedEvents<PlayerAdsEventMap>();
  readonly #send: BeaconSender;
  readonly #onError: (error: PlayerError) => void;
  readonly #p2p: () => AdP2PSettings | null;
  readonly #sharing: AdSegmentSharing;
  /** One beacon sequence per asset (by hls.js asset identifier), so each event goes once per ad. */
  readonly #beacons = new Map<string, AdBeacons>();
  #hls: Hls | null = null;
  #current: Current | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #resumeTimer: ReturnType<typeof setTimeout> | null = null;
  /** The content played to its end (not paused by the viewer): a post-roll then plays on its own. */
  #contentEnded = false;
  /** A pre-roll ended: the content is to start at the player's start position (resume), see #onPrimaryResumed. */
  #startAfterPreroll = false;
  #state: AdState | null = null;
  /** How many of each ad's fired events were emitted as `beacon`. */
  readonly #reported = new WeakMap<AdBeacons, number>();

  constructor(video: HTMLVideoElement, options: PlayerAdsOptions = {}) {
    this.#video = video;
    const send = options.send ?? sendBeacon;
    this.#send = send;
    this.#onError = options.onError ?? (() => undefined);
    this.#p2p = options.p2p ?? (() => null);
    const onBytes = options.onBytes ?? (() => undefined);
    this.#sharing = new AdSegmentSharing({
      onSegment: (loaded) => {
        onBytes(loaded.bytes, loaded.source);
        this.#events.emit('segment', loaded);
      },
      onUploaded: options.onUploaded ?? (() => undefined),
      onRejected: options.onRejected ?? (() => undefined),
    });
  }

  /** The ad playing now, or null. */
  get state(): AdState | null {
    return this.#state ? { ...this.#state } : null;
  }

  /**
   * An ad break is playing: the <video> shows an ad, so its `currentTime`, `duration` and `ended`
   * are the ad's (hls.js plays each ad in the same element). Position reports should wait.
   */
  get inBreak(): boolean {
    return this.#current !== null || Boolean(this.#hls?.interstitialsManager?.playingItem?.event);
  }

  /** Where the content is, in seconds: the <video>'s time, or during a break the content's position at it. */
  contentTime(): number {
    const manager = this.#hls?.interstitialsManager;
    if (manager && this.inBreak) return manager.primary.currentTime;
    return this.#video.currentTime;
  }

  on<K extends keyof PlayerAdsEventMap>(event: K, fn: Listener<PlayerAdsEventMap[K]>): void {
    this.#events.on(event, fn);
  }

  off<K extends keyof PlayerAdsEventMap>(event: K, fn: Listener<PlayerAdsEventMap[K]>): void {
    this.#events.off(event, fn);
  }

  /** Starts following `hls` (called by the player once it made it). */
  attach(hls: Hls): void {
    this.detach();
    this.#hls = hls;
    hls.on(Events.INTERSTITIAL_ASSET_PLAYER_CREATED, this.#onAssetPlayerCreated);
    hls.on(Events.INTERSTITIAL_ASSET_STARTED, this.#onAssetStarted);
    hls.on(Events.INTERSTITIAL_ASSET_ENDED, this.#onAssetEnded);
    hls.on(Events.INTERSTITIAL_ASSET_ERROR, this.#onAssetError);
    hls.on(Events.INTERSTITIAL_ENDED, this.#onBreakEnded);
    hls.on(Events.INTERSTITIALS_PRIMARY_RESUMED, this.#onPrimaryResumed);
    hls.on(Events.ERROR, this.#onHlsError);
    this.#video.addEventListener('timeupdate', this.#tick);
    this.#video.addEventListener('playing', this.#tick);
    this.#video.addEventListener('ended', this.#onVideoEnded);
  }

  /** Stops following hls.js; the ad state goes back to null. */
  detach(): void {
    const hls = this.#hls;
    if (hls) {
      hls.off(Events.INTERSTITIAL_ASSET_PLAYER_CREATED, this.#onAssetPlayerCreated);
      hls.off(Events.INTERSTITIAL_ASSET_STARTED, this.#onAssetStarted);
      hls.off(Events.INTERSTITIAL_ASSET_ENDED, this.#onAssetEnded);
      hls.off(Events.INTERSTITIAL_ASSET_ERROR, this.#onAssetError);
      hls.off(Events.INTERSTITIAL_ENDED, this.#onBreakEnded);
      hls.off(Events.INTERSTITIALS_PRIMARY_RESUMED, this.#onPrimaryResumed);
      hls.off(Events.ERROR, this.#onHlsError);
    }
    this.#video.removeEventListener('timeupdate', this.#tick);
    this.#video.removeEventListener('playing', this.#tick);
    this.#video.removeEventListener('ended', this.#onVideoEnded);
    this.#hls = null;
    this.#sharing.destroy();
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    this.#resumeTimer = null;
    this.#setCurrent(null);
  }

  destroy(): void {
    this.detach();
    this.#events.removeAllListeners();
  }

  /** Skips the ad playing now, if its skip offset has passed (and the break allows skipping). Returns whether it did. */
  skip(): boolean {
    const current = this.#current;
    const manager = this.#hls?.interstitialsManager;
    if (!current || !manager || !this.#state?.canSkip) return false;
    current.beacons.skip(this.#elapsed(current));
    this.#emitBeacons(current.details.adId, current.beacons);
    this.#setCurrent(null);
    // hls.js skips the rest of the break (its `skip()` acts on the whole interstitial).
    manager.skip();
    return true;
  }

  /**
   * The viewer clicked the ad: fires clickTracking and returns the click-through URL for the caller
   * to open (a new tab; outside the headset view in XR). Null when the ad has no click-through.
   */
  click(): string | null {
    const current = this.#current;
    if (!current?.details.clickThrough) return null;
    current.beacons.click(this.#elapsed(current));
    this.#emitBeacons(current.details.adId, current.beacons);
    return current.details.clickThrough;
  }

  #detailsOf(event: InterstitialEvent | null, assetListIndex: number): AdDetails | null {
    // The list was checked against adAssetListSchema when it loaded (withAssetListValidation); parsed again for the types.
    const assets: unknown = event?.assetListResponse?.ASSETS;
    if (!Array.isArray(assets)) return null;
    const asset: unknown = assets[assetListIndex];
    const details = adDetailsSchema.safeParse(asset && typeof asset === 'object' ? (asset as Record<string, unknown>)['X-SPHERECAST-AD'] : undefined);
    return details.success ? details.data : null;
  }

  #beaconsFor(assetId: string, details: AdDetails): AdBeacons {
    let beacons = this.#beacons.get(assetId);
    if (!beacons) {
      beacons = new AdBeacons(details.tracking, this.#send);
      this.#beacons.set(assetId, beacons);
    }
    return beacons;
  }

  #onAssetPlayerCreated = (_: string, data: InterstitialAssetPlayerCreatedData): void => {
    const child = data.player.hls;
    if (!child) return;
    // Made with the parent's config, the asset player would get the content's P2P loaders: it gets
    // the creative's own swarm and hash list instead, or plain HTTP (see AdSegmentSharing).
    this.#sharing.attach(child, data.asset.uri, this.#detailsOf(data.event, data.assetListIndex), this.#p2p());
  };

  #onAssetStarted = (_: string, data: InterstitialAssetStartedData): void => {
    const details = this.#detailsOf(data.event, data.assetListIndex);
    if (!details) {
      this.#setCurrent(null);
      return;
    }
    const assetId = data.asset.identifier;
    const video = this.#video;
    // hls.js moves the element to the ad's MediaSource after this event, which pauses it: an ad that
    // takes the place of playing content (a live pre-roll starts after the page's autoplay) plays on
    // once it can. At the end of the content the element is paused (it ended), and hls.js takes that as
    // the viewer's pause: the post-roll would wait, paused, forever. It plays on as the content did.
    if (!video.paused || (data.event.cue.post && this.#contentEnded)) {
      video.addEventListener(
        'canplay',
        () => {
          if (video.paused && this.#current?.assetId === assetId) void video.play().catch(() => undefined);
        },
        { once: true },
      );
    }
    this.#contentEnded = false;
    this.#setCurrent({
      assetId,
      details,
      beacons: this.#beaconsFor(assetId, details),
      event: data.event,
      player: data.player,
      index: data.assetListIndex + 1,
      count: data.event.assetList.length,
      duration: data.asset.duration ?? 0,
    });
  };

  #onAssetEnded = (_: string, data: InterstitialAssetEndedData): void => {
    const current = this.#current;
    if (!current || current.assetId !== data.asset.identifier) return;
    // Ended by playing to its end (a skip has cleared `current` already).
    if (current.beacons.has('start')) current.beacons.progress('complete', this.#elapsed(current));
    this.#emitBeacons(current.details.adId, current.beacons);
    this.#setCurrent(null);
  };

  #onAssetError = (_: string, data: InterstitialAssetErrorData): void => {
    const asset = data.asset;
    if (!asset) return;
    // Read now: hls.js resets the break (and drops its asset list) when it gives up on it.
    const details = this.#detailsOf(data.event, data.assetListIndex);
    const elapsed = this.#current?.assetId === asset.identifier ? this.#elapsed(this.#current) : undefined;
    // hls.js reports every asset-player error here as non-fatal; the asset is given up (and skipped)
    // when hls.js marks it with `error`, right after this event.
    queueMicrotask(() => {
      if (!asset.error) return;
      if (details) {
        const beacons = this.#beaconsFor(asset.identifier, details);
        beacons.error(vastErrorCode(data), elapsed);
        this.#emitBeacons(details.adId, beacons);
      }
      if (this.#current?.assetId === asset.identifier) this.#setCurrent(null);
      this.#onError(playerError('ad', `An ad could not be played (${data.details}); it was skipped.`, false, data.error));
    });
  };

  #onVideoEnded = (): void => {
    // The element also ends at the end of every ad (each in its own MediaSource): only the content's end counts.
    if (!this.inBreak) this.#contentEnded = true;
  };

  #onBreakEnded = (_: string, data: InterstitialEndedData): void => {
    if (data.event.cue.pre) this.#startAfterPreroll = true;
    this.#setCurrent(null);
  };

  /**
   * hls.js 1.7.4 starts the content at 0 after a pre-roll whatever its `startPosition` (a viewer's
   * resume point): the content is moved there once it is back in the element. (A mid-roll with
   * X-RESTRICT JUMP before that point is then played first, as for any seek over it.)
   */
  #onPrimaryResumed = (): void => {
    this.#setCurrent(null);
    if (!this.#startAfterPreroll) return;
    this.#startAfterPreroll = false;
    const start = this.#hls?.config.startPosition ?? -1;
    if (start > 0 && this.#video.currentTime < start - 0.5) this.#video.currentTime = start;
  };

  #onHlsError = (_: string, data: ErrorData): void => {
    if (
      data.details === ErrorDetails.ASSET_LIST_LOAD_ERROR ||
      data.details === ErrorDetails.ASSET_LIST_LOAD_TIMEOUT ||
      data.details === ErrorDetails.ASSET_LIST_PARSING_ERROR
    ) {
      this.#onError(playerError('ad', `An ad break was skipped: ${data.error.message}`, false, data.error));
      this.#watchResume();
    }
  };

  /**
   * hls.js 1.7.4 falls back to the content when a break's asset list fails, but when that break is a
   * pre-roll and another break follows, it resumes the content without loading it (the stream
   * controller stays idle at 0 with "Start loading primary @0 … has enough false"), and playback hangs.
   * If the content has not moved a short while after such a failure, loading is started again at the
   * playhead.
   */
  #watchResume(): void {
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    const video = this.#video;
    const at = video.currentTime;
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = null;
      const hls = this.#hls;
      if (!hls || hls.media !== video || this.#current || video.ended) return;
      if (video.currentTime === at && video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) hls.startLoad(video.currentTime);
    }, RESUME_CHECK_MS);
  }

  #setCurrent(current: Current | null): void {
    this.#current = current;
    if (current && !this.#timer) this.#timer = setInterval(this.#tick, TICK_MS);
    if (!current && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    this.#tick();
  }

  #elapsed(current: Current): number {
    const t = current.player.currentTime;
    return Number.isFinite(t) ? Math.max(0, Math.min(t, this.#duration(current))) : 0;
  }

  #duration(current: Current): number {
    const d = current.player.duration;
    return d > 0 ? d : current.duration;
  }

  #tick = (): void => {
    const current = this.#current;
    if (!current) {
      if (this.#state !== null) {
        this.#state = null;
        this.#events.emit('ad', null);
      }
      return;
    }
    const elapsed = this.#elapsed(current);
    const duration = this.#duration(current);
    const video = this.#video;
    const { beacons } = current;
    // VAST: impression and start when the first frame shows, i.e. once the ad's time moves while playing.
    if (!beacons.has('start') && !video.paused && elapsed > 0 && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
      beacons.progress('start', elapsed);
    }
    if (beacons.has('start') && duration > 0) {
      const share = elapsed / duration;
      if (share >= 0.75) beacons.progress('thirdQuartile', elapsed);
      else if (share >= 0.5) beacons.progress('midpoint', elapsed);
      else if (share >= 0.25) beacons.progress('firstQuartile', elapsed);
    }
    this.#emitBeacons(current.details.adId, current.beacons);
    const offset = current.details.skipOffsetSeconds;
    const skippable = offset !== null && !current.event.restrictions.skip;
    const skipIn = skippable ? Math.max(0, offset - elapsed) : null;
    const state: AdState = {
      adId: current.details.adId,
      campaignId: current.details.campaignId,
      title: current.details.title,
      form: current.details.form,
      index: current.index,
      count: current.count,
      durationSeconds: duration,
      elapsedSeconds: elapsed,
      remainingSeconds: Math.max(0, duration - elapsed),
      started: beacons.has('start'),
      skipInSeconds: skipIn,
      canSkip: skipIn === 0 && beacons.has('start'),
      clickThrough: current.details.clickThrough,
    };
    this.#state = state;
    this.#events.emit('ad', { ...state });
  };

  /** Emits `beacon` for the events of `beacons` fired since the last call. */
  #emitBeacons(adId: string, beacons: AdBeacons): void {
    const reported = this.#reported.get(beacons) ?? 0;
    const fired = beacons.fired;
    this.#reported.set(beacons, fired.length);
    for (const event of fired.slice(reported)) this.#events.emit('beacon', { adId, event });
  }
}

/** The VAST error code for an asset player's error. */
function vastErrorCode(data: ErrorData): VastErrorCode {
  const code = (data.response as { code?: number } | undefined)?.code;
  if (data.details.endsWith('Timeout') || data.details === ErrorDetails.MANIFEST_LOAD_TIMEOUT) return VAST_ERROR_CODES.timeout;
  if (data.details === ErrorDetails.MANIFEST_LOAD_ERROR || code === 404 || code === 410) return VAST_ERROR_CODES.fileNotFound;
  return VAST_ERROR_CODES.cannotPlay;
}
