import { Events, type FragLoadedData } from 'hls.js';
import type Hls from 'hls.js';
import { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';
import type { CoreConfig, CoreEventMap, SegmentLoadDetails } from 'p2p-media-loader-core';
import type { AdDetails } from '../../api/ad-delivery.ts';
import { P2PStartWindow } from '../p2p-start-window.ts';
import { loadSegmentHashes, type SegmentHashIndex } from '../segment-hashes.ts';

/** What the content's player lends the ads for P2P: its core settings (trackers, ICE, timing). */
export type AdP2PSettings = {
  /** The content's core settings; the swarm and the segment check are each creative's own. */
  core: Partial<CoreConfig>;
  /** Check peer segments against the creative's hash list. Only tests turn this off (a page that relays corrupted data). */
  checkSegments: boolean;
};

/** One ad segment (or init segment) that was used, and where it came from. */
export type AdSegmentLoaded = { adId: string; url: string; bytes: number; source: 'http' | 'p2p' };

export type AdSegmentSharingOptions = {
  onSegment: (loaded: AdSegmentLoaded) => void;
  onUploaded: (bytes: number) => void;
  /** A peer segment failed its hash check; the core fetches it again (over HTTP when in high demand). */
  onRejected: (url: string) => void;
};

/** Creatives this viewer keeps sharing after their ad played, at most (the oldest stops first). */
export const AD_SEEDING_LIMIT = 3;

/** The swarm a creative's segments are shared in: its own, apart from any content's. */
export function adSwarmId(p2p: NonNullable<AdDetails['p2p']>): string {
  return `spherecast-ad:${p2p.swarmId}`;
}

type Swarm = { swarmId: string; engine: HlsJsP2PEngine; startWindow: P2PStartWindow; loaded: boolean; done: boolean; detach: () => void };

/**
 * P2P for ad creatives. hls.js plays each interstitial asset in its own `Hls` (the base class, made
 * from the primary's user config, so it would inherit the content's P2P loaders, bound to the
 * content's core and swarm). Each asset player gets instead a P2P engine of its own: the creative's
 * swarm (`adSwarmId`), the content's trackers and ICE servers, and every peer segment checked against
 * the creative's hash list (a mismatch is fetched again over HTTP). A creative without `p2p` in its
 * details, or with P2P off, loads over HTTP with hls.js's own loaders. After the ad, the engine keeps
 * sharing the creative with the viewers who get the same ad later (`AD_SEEDING_LIMIT` creatives).
 */
export class AdSegmentSharing {
  readonly #options: AdSegmentSharingOptions;
  /** Engines of asset players still playing, and of creatives kept for sharing (oldest first). */
  readonly #swarms: Swarm[] = [];

  constructor(options: AdSegmentSharingOptions) {
    this.#options = options;
  }

  /**
   * Sets up the loaders of a new asset player (before it loads anything: hls.js fires
   * INTERSTITIAL_ASSET_PLAYER_CREATED before `loadSource`). `assetUri` is the creative's master URL.
   */
  attach(child: Hls, assetUri: string, details: AdDetails | null, settings: AdP2PSettings | null): void {
    const adId = details?.adId ?? assetUri;
    if (!details?.p2p || !settings) {
      // hls.js's own loaders: the content's P2P loaders would look the ad up in the content's core.
      child.config.fLoader = undefined;
      child.config.pLoader = undefined;
      child.on(Events.FRAG_LOADED, (_event: string, loaded: FragLoadedData) =>
        this.#options.onSegment({ adId, url: loaded.frag.url, bytes: loaded.frag.stats.loaded, source: 'http' }),
      );
      return;
    }
    const swarmId = adSwarmId(details.p2p);
    // One core per creative and viewer: a creative still shared from an earlier break makes way.
    for (const old of this.#swarms.filter((swarm) => swarm.swarmId === swarmId)) this.#drop(old);

    const hashes: Promise<SegmentHashIndex | null> | null = settings.checkSegments
      ? loadSegmentHashes(details.p2p.segmentHashesUrl, assetUri).catch(() => null)
      : null;
    const core: Partial<CoreConfig> = { ...settings.core, swarmId };
    if (hashes) {
      core.validateP2PSegment = async (url, byteRange, data) => {
        const index = await hashes;
        if (index && (await index.check(url, data, byteRange !== undefined)) === 'valid') return true;
        this.#options.onRejected(url);
        return false;
      };
    }
    // As the content does: the creative's first segment goes over HTTP at once, only the later ones wait
    // for peers (the core's own initial wait would hold the first one too, and so start the ad later
    // with P2P on than off).
    const startWindow = new P2PStartWindow(core);
    const engine = new HlsJsP2PEngine({ core: startWindow.core });
    if (hashes) {
      // Without its hash list no peer data can be trusted: the creative comes over HTTP only.
      void hashes.then((index) => {
        if (!index) engine.applyDynamicConfig({ core: { isP2PDisabled: true } });
      });
    }
    const { fLoader, pLoader } = engine.getConfigForHlsJs() as Pick<typeof child.config, 'fLoader' | 'pLoader'>;
    child.config.fLoader = fLoader;
    child.config.pLoader = pLoader;
    // As the content's engine does (it sizes the buffer to the high-demand window): hls.js asks only
    // for the next seconds, and the engine fetches what lies further ahead from peers. hls.js gives
    // asset players their own maxMaxBufferLength, which keeps the engine from doing it.
    const ahead = Math.max(core.highDemandTimeWindow ?? 0, 2);
    child.config.maxBufferLength = Math.min(child.config.maxBufferLength, ahead);
    child.config.maxMaxBufferLength = Math.min(child.config.maxMaxBufferLength, ahead);
    engine.bindHls(child);
    startWindow.start(child, engine);

    /** Segments the core delivered (over HTTP or from peers); hls.js loads the others itself (init segments, and all once P2P is off). */
    const throughCore = new Set<string>();
    const onLoaded = ({ segmentUrl, bytesLength, downloadSource }: SegmentLoadDetails): void => {
      swarm.loaded = true;
      throughCore.add(segmentUrl);
      this.#options.onSegment({ adId, url: segmentUrl, bytes: bytesLength, source: downloadSource === 'p2p' ? 'p2p' : 'http' });
    };
    const onUploaded: CoreEventMap['onChunkUploaded'] = (bytes) => this.#options.onUploaded(bytes);
    // The core reports what it delivered before hls.js has it (a prefetched segment: long before).
    const onFragLoaded = (_event: string, loaded: FragLoadedData): void => {
      const { frag } = loaded;
      if (frag.sn === 'initSegment' || !throughCore.has(frag.url)) this.#options.onSegment({ adId, url: frag.url, bytes: frag.stats.loaded, source: 'http' });
    };
    engine.addEventListener('onSegmentLoaded', onLoaded);
    engine.addEventListener('onChunkUploaded', onUploaded);
    child.on(Events.FRAG_LOADED, onFragLoaded);
    const swarm: Swarm = {
      swarmId,
      engine,
      startWindow,
      loaded: false,
      done: false,
      detach: () => {
        engine.removeEventListener('onSegmentLoaded', onLoaded);
        engine.removeEventListener('onChunkUploaded', onUploaded);
      },
    };
    this.#swarms.push(swarm);

    // The engine listens to the asset player once it requests its first playlist.
    child.once(Events.MANIFEST_LOADED, () => {
      const internals = engine as unknown as { destroyCore?: unknown };
      // p2p-media-loader-hlsjs 2.3 empties its core on MEDIA_ATTACHING (hls.js attaches an asset
      // player after it loaded its playlists, and again after a detach), and destroys it with the
      // asset player: neither is wanted here, the core is kept for sharing and dropped by `#drop`.
      if (typeof internals.destroyCore === 'function') child.off(Events.MEDIA_ATTACHING, internals.destroyCore as () => void);
      child.off(Events.DESTROYING, engine.destroy);
    });
    child.once(Events.DESTROYING, () => {
      child.off(Events.FRAG_LOADED, onFragLoaded);
      swarm.done = true;
      // Nothing to share (it failed, or was skipped before a segment came): stop at once.
      if (!swarm.loaded) this.#drop(swarm);
      this.#trim();
    });
  }

  /** Stops sharing every creative (the player goes away, or stops following hls.js). */
  destroy(): void {
    for (const swarm of [...this.#swarms]) this.#drop(swarm);
  }

  /** Keeps sharing the newest `AD_SEEDING_LIMIT` creatives whose ad has played. */
  #trim(): void {
    const done = this.#swarms.filter((swarm) => swarm.done);
    for (const swarm of done.slice(0, Math.max(0, done.length - AD_SEEDING_LIMIT))) this.#drop(swarm);
  }

  #drop(swarm: Swarm): void {
    const at = this.#swarms.indexOf(swarm);
    if (at >= 0) this.#swarms.splice(at, 1);
    swarm.detach();
    swarm.startWindow.destroy();
    swarm.engine.destroy();
  }
}
