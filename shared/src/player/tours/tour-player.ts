// Plays a guided tour (#15) on a SphereRenderer: one scene at a time with the 360 player, its hotspots
// in the scene (HotspotLayer), the next scenes' first segments loaded ahead so a jump shows a picture at
// once, narration and info cards, and in guided mode the scenes advancing on their own.
import type { HlsConfig } from 'hls.js';
import type { Playback } from '../../api/streaming.ts';
import { GUIDED_DEFAULT_SECONDS, type Hotspot, type TourDetail, type TourSceneView } from '../../api/tours.ts';
import { TypedEvents, type Listener } from '../../events/index.ts';
import { HotspotLayer, type HotspotSelectVia, type HotspotSelection } from '../../renderer/hotspots.ts';
import { InfoCardOverlay } from '../../renderer/info-card-panel.ts';
import type { SphereRenderer } from '../../renderer/sphere-renderer.ts';
import { createPlayer, type Player } from '../create-player.ts';
import { GUIDED_TIMING, guideTurnDue } from './guided-clock.ts';
import { headingThrough, openingHeading, type Heading } from './tour-heading.ts';

/** Defaults of the tour player; each can be overridden in TourPlayerOptions. */
export const TOUR_PLAYER_DEFAULTS = {
  ...GUIDED_TIMING,
  /** Scenes loaded ahead (hotspot targets of the current scene, and the next one in a guided tour). */
  prefetchScenes: 3,
  /**
   * hls.js buffer of a scene loaded ahead: its first segments only (a scene may never be entered); the P2P
   * engine, when on, sizes hls.js's buffer itself once the scene plays.
   */
  prefetchBufferSeconds: 2,
  /** Guided: how long the turn towards the next point of interest takes on screen. */
  turnDurationMs: 1200,
  /** Gaze moves larger than this (degrees between two ticks) that the tour did not make count as looking away. */
  lookAwayDegrees: 2,
  /** Tick of the guided clock. */
  tickMs: 200,
} as const;

export type TourPlayerOptions = {
  tour: Pick<TourDetail, 'id' | 'mode' | 'scenes'>;
  renderer: SphereRenderer;
  /** Where the hotspot buttons go: an element over the renderer's canvas, of its size (positioned). */
  overlayContainer: HTMLElement;
  /** Where the scenes' hidden <video> elements live (they are drawn by the renderer, never shown). */
  mediaContainer: HTMLElement;
  /** The playback payload of a content (`streaming.start`). */
  playback(contentId: string): Promise<Playback>;
  /** Share segments with other viewers (when the payload has a tracker and hashes). @default true */
  p2p?: boolean;
  /** @default TOUR_PLAYER_DEFAULTS.prefetchScenes */
  prefetchScenes?: number;
  /** Gaze dwell time, ms. @default HOTSPOT_MARKER.dwellMs */
  dwellMs?: number;
  /** hls.js overrides for every scene. */
  hlsConfig?: Partial<HlsConfig>;
};

/** How the viewer came into a scene. */
export type SceneEntryVia = 'start' | 'guided' | 'link' | HotspotSelectVia;

export type TourSceneEvent = {
  index: number;
  scene: TourSceneView;
  via: SceneEntryVia;
  /** The heading the scene opened with (picture degrees). */
  heading: Heading;
  /** The hotspot gone through, if any. */
  throughHotspotId: string | null;
  /** Whether the scene's picture was loaded ahead (a jump without waiting). */
  prefetched: boolean;
  /** Milliseconds from the request to the new picture on the sphere. */
  switchMs: number;
  /** The scene content's viewing session (`streaming.start`), for heartbeats; null when it has none. */
  sessionId: string | null;
  /** The content's duration (seconds), when known. */
  durationSeconds: number | null;
};

export type TourNarration = { text: string | null; audioUrl: string | null; from: 'scene' | 'hotspot'; hotspotId: string | null };
export type TourInfoCard = { hotspotId: string; title: string; text: string; imageUrl: string | null };

export type TourPlayerEventMap = {
  scene: TourSceneEvent;
  /** The narration shown (text) and played (audio) now; null when it ended or the scene changed. */
  narration: TourNarration | null;
  /** The info card to show; null when closed. */
  info: TourInfoCard | null;
  /** Guided: the view turned towards the next point of interest. */
  guide: { hotspotId: string; yaw: number; pitch: number };
  /** Guided: the last scene's time is over. */
  ended: { sceneId: string };
  /** A scene could not be loaded (it stays on the current one). */
  error: { sceneId: string; message: string };
  /** Scenes loaded ahead changed: their ids, and which have their first frame. */
  prefetch: { sceneIds: string[]; ready: string[] };
};

type SceneMedia = {
  sceneId: string;
  contentId: string;
  element: HTMLVideoElement | HTMLImageElement;
  player: Player | null;
  playback: Playback | null;
  /** Resolves once the first picture can be drawn. */
  ready: Promise<void>;
  isReady: boolean;
  destroy(): void;
};

function angle(a: Heading, b: Heading): number {
  const rad = Math.PI / 180;
  const dot =
    Math.sin(a.yaw * rad) * Math.cos(a.pitch * rad) * Math.sin(b.yaw * rad) * Math.cos(b.pitch * rad) +
    Math.sin(a.pitch * rad) * Math.sin(b.pitch * rad) +
    Math.cos(a.yaw * rad) * Math.cos(a.pitch * rad) * Math.cos(b.yaw * rad) * Math.cos(b.pitch * rad);
  return Math.acos(Math.min(1, Math.max(-1, dot))) / rad;
}

/** The hotspot of `scene` that leads to `nextId` (the doorway a guided step goes through), if any. */
export function doorwayTo(scene: TourSceneView, nextId: string): Hotspot | null {
  return scene.hotspots.find((hotspot) => hotspot.action.kind === 'scene' && hotspot.action.targetSceneId === nextId) ?? null;
}

/** Guided: the point of interest the view turns to before advancing: the doorway to the next scene, else the first hotspot. */
export function pointOfInterest(scene: TourSceneView, next: TourSceneView | null): Hotspot | null {
  return (next ? doorwayTo(scene, next.id) : null) ?? scene.hotspots[0] ?? null;
}

/**
 * One tour on one renderer. `start()` opens the first scene (call it from a click, so narration and
 * video may play with sound); `destroy()` stops everything and removes what it added.
 */
export class TourPlayer {
  readonly hotspots: HotspotLayer;
  readonly infoPanel: InfoCardOverlay;
  readonly #options: TourPlayerOptions;
  readonly #events = new TypedEvents<TourPlayerEventMap>();
  readonly #media = new Map<string, SceneMedia>();
  readonly #audio: HTMLAudioElement;
  #removeInfoPanel: (() => void) | null = null;
  #current: { index: number; media: SceneMedia } | null = null;
  #entering = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #destroyed = false;
  #paused = false;
  // Guided clock of the current scene.
  #elapsedMs = 0;
  #lastTick = 0;
  #narrationPlaying = false;
  #turned = false;
  #turningUntil = 0;
  #lastLookAwayAt = Number.NEGATIVE_INFINITY;
  #lastGaze: Heading | null = null;
  #info: TourInfoCard | null = null;

  constructor(options: TourPlayerOptions) {
    this.#options = options;
    // The info card panel goes first: while it shows, a select in the headset closes it rather than choosing a hotspot behind it.
    this.infoPanel = new InfoCardOverlay(() => this.closeInfo());
    this.hotspots = new HotspotLayer(options.renderer, options.overlayContainer, options.dwellMs !== undefined ? { dwellMs: options.dwellMs } : {});
    this.#audio = document.createElement('audio');
    this.#audio.preload = 'auto';
    this.#audio.addEventListener('ended', this.#onNarrationEnd);
    this.#audio.addEventListener('error', this.#onNarrationEnd);
  }

  on<K extends keyof TourPlayerEventMap>(event: K, fn: Listener<TourPlayerEventMap[K]>): void {
    this.#events.on(event, fn);
  }

  off<K extends keyof TourPlayerEventMap>(event: K, fn: Listener<TourPlayerEventMap[K]>): void {
    this.#events.off(event, fn);
  }

  get sceneIndex(): number {
    return this.#current?.index ?? -1;
  }

  get scene(): TourSceneView | null {
    return this.#current ? (this.#options.tour.scenes[this.#current.index] ?? null) : null;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Opens the first scene (or `sceneId`, e.g. from a link) and starts the guided clock. */
  async start(sceneId?: string): Promise<void> {
    if (this.#timer || this.#destroyed) return;
    this.#removeInfoPanel = this.#options.renderer.addOverlay(this.infoPanel);
    this.hotspots.start();
    this.hotspots.on('select', this.#onSelect);
    this.#lastTick = performance.now();
    this.#timer = setInterval(this.#tick, TOUR_PLAYER_DEFAULTS.tickMs);
    const first = sceneId ? this.#options.tour.scenes.findIndex((scene) => scene.id === sceneId) : 0;
    const index = Math.max(0, first);
    const scene = this.#options.tour.scenes[index];
    if (scene) await this.#enter(index, openingHeading(scene), sceneId ? 'link' : 'start', null);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.hotspots.off('select', this.#onSelect);
    this.hotspots.destroy();
    this.#removeInfoPanel?.();
    this.infoPanel.dispose();
    this.#options.renderer.setCaption(null);
    if (this.#current && this.#options.renderer.getSource() === this.#current.media.element) this.#options.renderer.setSource(null);
    for (const media of this.#media.values()) media.destroy();
    this.#media.clear();
    this.#audio.removeEventListener('ended', this.#onNarrationEnd);
    this.#audio.removeEventListener('error', this.#onNarrationEnd);
    this.#audio.pause();
    this.#audio.removeAttribute('src');
    this.#events.removeAllListeners();
  }

  /** Guided: holds the clock (and the video and narration); `resume()` goes on. */
  pause(): void {
    this.#paused = true;
    const element = this.#current?.media.element;
    if (element instanceof HTMLVideoElement) element.pause();
    if (this.#narrationPlaying) this.#audio.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#lastTick = performance.now();
    const element = this.#current?.media.element;
    if (element instanceof HTMLVideoElement) void element.play().catch(() => undefined);
    if (this.#narrationPlaying) void this.#audio.play().catch(() => undefined);
  }

  /** Goes to a scene by id, facing its start (a table of contents, a link). */
  async goTo(sceneId: string): Promise<void> {
    const index = this.#options.tour.scenes.findIndex((scene) => scene.id === sceneId);
    const scene = this.#options.tour.scenes[index];
    if (scene) await this.#enter(index, openingHeading(scene), 'link', null);
  }

  closeInfo(): void {
    if (!this.#info) return;
    this.#info = null;
    this.infoPanel.setCard(null);
    this.#events.emit('info', null);
  }

  /** Scenes loaded ahead now, and whether each has its first picture. */
  prefetched(): { sceneId: string; ready: boolean }[] {
    return [...this.#media.values()].filter((media) => media !== this.#current?.media).map((media) => ({ sceneId: media.sceneId, ready: media.isReady }));
  }

  #onSelect = (selection: HotspotSelection): void => {
    const scene = this.scene;
    const hotspot = scene?.hotspots.find((h) => h.id === selection.id);
    if (!scene || !hotspot) return;
    const action = hotspot.action;
    if (action.kind === 'scene') {
      const index = this.#options.tour.scenes.findIndex((s) => s.id === action.targetSceneId);
      const next = this.#options.tour.scenes[index];
      if (!next) return;
      void this.#enter(index, headingThrough(hotspot, selection.gaze, next), selection.via, hotspot.id);
    } else if (action.kind === 'info') {
      this.#info = { hotspotId: hotspot.id, title: action.title, text: action.text, imageUrl: action.imageUrl };
      let image: HTMLImageElement | null = null;
      if (action.imageUrl) {
        image = new Image();
        image.crossOrigin = 'anonymous';
        image.src = action.imageUrl;
        const card = { id: hotspot.id, title: action.title, text: action.text, image };
        image.onload = () => {
          if (this.#info?.hotspotId === hotspot.id) this.infoPanel.setCard(card);
        };
      }
      this.infoPanel.setCard({ id: hotspot.id, title: action.title, text: action.text, image });
      this.#events.emit('info', this.#info);
    } else {
      this.#narrate({ text: action.text, audioUrl: action.audioUrl, from: 'hotspot', hotspotId: hotspot.id });
    }
  };

  async #enter(index: number, heading: Heading, via: SceneEntryVia, throughHotspotId: string | null): Promise<void> {
    const scene = this.#options.tour.scenes[index];
    if (!scene || this.#destroyed) return;
    const requestedAt = performance.now();
    const attempt = ++this.#entering;
    const media = this.#media.get(scene.id) ?? this.#load(scene, false);
    const prefetched = media.isReady;
    try {
      await media.ready;
    } catch (error) {
      if (attempt === this.#entering) this.#events.emit('error', { sceneId: scene.id, message: error instanceof Error ? error.message : String(error) });
      this.#media.delete(scene.id);
      media.destroy();
      return;
    }
    // A later choice won while this one loaded.
    if (attempt !== this.#entering || this.#destroyed) return;
    const renderer = this.#options.renderer;
    const previous = this.#current;
    if (previous?.media.element instanceof HTMLVideoElement && previous.media !== media) previous.media.element.pause();
    if (media.playback) renderer.setProjection(media.playback.projection);
    // The new picture replaces the old one in the same frame: it is drawn from its first decoded frame.
    renderer.setSource(media.element);
    renderer.faceDirection(heading.yaw, heading.pitch);
    this.#current = { index, media };
    this.hotspots.setHotspots(
      scene.hotspots.map((hotspot) => ({
        id: hotspot.id,
        label: hotspot.label || this.#labelOf(hotspot),
        yaw: hotspot.yaw,
        pitch: hotspot.pitch,
        kind: hotspot.action.kind,
      })),
    );
    if (media.element instanceof HTMLVideoElement) {
      // Back to the start when coming back to a scene; a scene loaded ahead is there already (no seek, no flash).
      if (media.element.currentTime > 0) media.element.currentTime = 0;
      if (!this.#paused) void media.element.play().catch(() => undefined);
    }
    this.closeInfo();
    this.#elapsedMs = 0;
    this.#turned = false;
    this.#turningUntil = 0;
    this.#lastGaze = null;
    this.#narrate(scene.narration ? { text: scene.narration.text, audioUrl: scene.narration.audioUrl, from: 'scene', hotspotId: null } : null);
    this.#events.emit('scene', {
      index,
      scene,
      via,
      heading,
      throughHotspotId,
      prefetched,
      switchMs: Math.round(performance.now() - requestedAt),
      sessionId: media.playback?.sessionId ?? null,
      durationSeconds: media.playback?.durationSeconds ?? scene.content?.durationSeconds ?? null,
    });
    this.#prefetchAround(index);
  }

  #labelOf(hotspot: Hotspot): string {
    const action = hotspot.action;
    if (action.kind === 'scene') {
      const target = this.#options.tour.scenes.find((scene) => scene.id === action.targetSceneId);
      return target ? `Go to ${target.title}` : 'Go';
    }
    return action.kind === 'info' ? action.title : 'Play narration';
  }

  /** Loads the scenes a viewer can go to next and drops those no longer near. */
  #prefetchAround(index: number): void {
    const scenes = this.#options.tour.scenes;
    const scene = scenes[index];
    if (!scene) return;
    const wanted: string[] = [];
    const next = scenes[index + 1];
    if (this.#options.tour.mode === 'guided' && next) wanted.push(next.id);
    for (const hotspot of scene.hotspots) {
      if (hotspot.action.kind === 'scene' && hotspot.action.targetSceneId !== scene.id && !wanted.includes(hotspot.action.targetSceneId)) {
        wanted.push(hotspot.action.targetSceneId);
      }
    }
    const keep = new Set(wanted.slice(0, this.#options.prefetchScenes ?? TOUR_PLAYER_DEFAULTS.prefetchScenes));
    for (const [id, media] of this.#media) {
      if (id === scene.id || keep.has(id)) continue;
      media.destroy();
      this.#media.delete(id);
    }
    for (const id of keep) {
      const target = scenes.find((s) => s.id === id);
      if (target && !this.#media.has(id)) this.#load(target, true);
    }
    this.#emitPrefetch();
  }

  #emitPrefetch(): void {
    const ahead = this.prefetched();
    this.#events.emit('prefetch', { sceneIds: ahead.map((m) => m.sceneId), ready: ahead.filter((m) => m.ready).map((m) => m.sceneId) });
  }

  /** Starts loading a scene's picture: a photo, or the video's first segments through the 360 player (with P2P where on). */
  #load(scene: TourSceneView, ahead: boolean): SceneMedia {
    const options = this.#options;
    let player: Player | null = null;
    let destroyed = false;
    let element: HTMLVideoElement | HTMLImageElement;
    if ((scene.content?.kind ?? 'video') === 'photo') {
      const image = new Image();
      image.crossOrigin = 'anonymous';
      image.decoding = 'async';
      element = image;
    } else {
      const video = document.createElement('video');
      video.crossOrigin = 'anonymous';
      video.playsInline = true;
      video.preload = 'auto';
      video.loop = true;
      video.dataset.tourSceneVideo = scene.id;
      video.className = 'tour-scene-video';
      // Drawn by WebGL; kept in the page but invisible (some browsers stop decoding hidden or detached videos).
      Object.assign(video.style, { position: 'absolute', left: '0', top: '0', width: '2px', height: '2px', opacity: '0', pointerEvents: 'none' });
      options.mediaContainer.appendChild(video);
      element = video;
    }
    const media: SceneMedia = {
      sceneId: scene.id,
      contentId: scene.contentId,
      element,
      player: null,
      playback: null,
      isReady: false,
      ready: Promise.resolve(),
      destroy: () => {
        destroyed = true;
        player?.destroy();
        if (element instanceof HTMLVideoElement) {
          element.pause();
          element.removeAttribute('src');
          element.load();
          element.remove();
        }
      },
    };
    media.ready = (async () => {
      const playback = await options.playback(scene.contentId);
      media.playback = playback;
      if (destroyed) throw new Error('The scene was dropped while it loaded.');
      if (element instanceof HTMLImageElement) {
        element.src = playback.masterUrl;
        await element.decode();
      } else {
        const video = element;
        player = createPlayer({
          video,
          masterUrl: playback.masterUrl,
          trackerUrls: playback.trackerUrl ? [playback.trackerUrl] : [],
          // Peer data is only used when it can be checked against the published hashes.
          p2p: (options.p2p ?? true) && playback.trackerUrl !== null && playback.segmentHashesUrl !== null,
          swarmId: playback.swarmId ?? new URL(playback.masterUrl, location.href).pathname,
          startPosition: 0,
          iceServers: playback.iceServers,
          relayPolicy: playback.relayPolicy,
          ...(playback.segmentHashesUrl ? { segmentHashesUrl: playback.segmentHashesUrl } : {}),
          hlsConfig: {
            ...(ahead
              ? { maxBufferLength: TOUR_PLAYER_DEFAULTS.prefetchBufferSeconds, maxMaxBufferLength: 2 * TOUR_PLAYER_DEFAULTS.prefetchBufferSeconds }
              : {}),
            ...options.hlsConfig,
          },
        });
        media.player = player;
        await player.start();
        await firstFrame(video);
      }
      media.isReady = true;
      if (!destroyed && media !== this.#current?.media) this.#emitPrefetch();
    })();
    // A failure is reported when the scene is entered; one loaded ahead and never entered fails silently.
    media.ready.catch(() => undefined);
    this.#media.set(scene.id, media);
    return media;
  }

  #narrate(narration: TourNarration | null): void {
    const renderer = this.#options.renderer;
    this.#audio.pause();
    this.#narrationPlaying = false;
    if (!narration || (!narration.audioUrl && !narration.text)) {
      this.#audio.removeAttribute('src');
      renderer.setCaption(null);
      this.#events.emit('narration', null);
      return;
    }
    if (narration.audioUrl) {
      this.#audio.src = narration.audioUrl;
      this.#narrationPlaying = true;
      if (!this.#paused) void this.#audio.play().catch(() => this.#onNarrationEnd());
    }
    // The text is the caption: on the page over the picture, in a headset on the caption panel.
    renderer.setCaption(narration.text);
    this.#events.emit('narration', narration);
  }

  #onNarrationEnd = (): void => {
    if (!this.#narrationPlaying) return;
    this.#narrationPlaying = false;
  };

  /** Seconds the current scene stays in a guided tour. */
  #sceneSeconds(scene: TourSceneView, media: SceneMedia): number {
    if (scene.durationSeconds !== null) return scene.durationSeconds;
    const element = media.element;
    if (element instanceof HTMLVideoElement) {
      const duration = media.playback?.durationSeconds ?? scene.content?.durationSeconds ?? element.duration;
      if (Number.isFinite(duration) && duration > 0) return duration;
    }
    return scene.narration?.audioUrl ? 0 : GUIDED_DEFAULT_SECONDS;
  }

  #tick = (): void => {
    const now = performance.now();
    const dt = now - this.#lastTick;
    this.#lastTick = now;
    const current = this.#current;
    const scene = this.scene;
    if (!current || !scene || this.#destroyed) return;
    const renderer = this.#options.renderer;
    const gaze = renderer.getGaze();
    if (this.#lastGaze && now > this.#turningUntil && angle(gaze, this.#lastGaze) > TOUR_PLAYER_DEFAULTS.lookAwayDegrees) this.#lastLookAwayAt = now;
    this.#lastGaze = gaze;
    if (this.#options.tour.mode !== 'guided' || this.#paused) return;
    this.#elapsedMs += dt;
    const seconds = this.#sceneSeconds(scene, current.media);
    const next = this.#options.tour.scenes[current.index + 1] ?? null;
    const poi = pointOfInterest(scene, next);
    const due = guideTurnDue({
      elapsedMs: this.#elapsedMs,
      sceneSeconds: seconds,
      msSinceLookAway: now - this.#lastLookAwayAt,
      presenting: renderer.xr.presenting,
      turned: this.#turned,
      hasPointOfInterest: poi !== null,
    });
    if (poi && due) {
      this.#turned = true;
      this.#turningUntil = now + TOUR_PLAYER_DEFAULTS.turnDurationMs + 2 * TOUR_PLAYER_DEFAULTS.tickMs;
      this.hotspots.dwell.suspend(poi.id);
      renderer.faceDirection(poi.yaw, poi.pitch, { durationMs: TOUR_PLAYER_DEFAULTS.turnDurationMs });
      this.#events.emit('guide', { hotspotId: poi.id, yaw: poi.yaw, pitch: poi.pitch });
    }
    if (this.#elapsedMs < seconds * 1000 || this.#narrationPlaying) return;
    if (!next) {
      this.#elapsedMs = Number.NEGATIVE_INFINITY;
      this.#events.emit('ended', { sceneId: scene.id });
      return;
    }
    const doorway = doorwayTo(scene, next.id);
    const heading = doorway ? headingThrough(doorway, gaze, next) : openingHeading(next);
    this.#elapsedMs = Number.NEGATIVE_INFINITY;
    void this.#enter(current.index + 1, heading, 'guided', doorway?.id ?? null);
  };
}

/** Resolves when the video has its first frame decoded (what the renderer draws), rejects on a media error. */
function firstFrame(video: HTMLVideoElement): Promise<void> {
  if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (): void => {
      video.removeEventListener('loadeddata', onData);
      video.removeEventListener('error', onError);
    };
    const onData = (): void => {
      done();
      resolve();
    };
    const onError = (): void => {
      done();
      reject(new Error(video.error?.message || 'The scene video could not be loaded.'));
    };
    video.addEventListener('loadeddata', onData);
    video.addEventListener('error', onError);
  });
}
