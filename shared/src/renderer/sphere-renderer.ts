import {
  CanvasTexture,
  ClampToEdgeWrapping,
  LinearFilter,
  Mesh,
  NoColorSpace,
  PerspectiveCamera,
  RepeatWrapping,
  Scene,
  SphereGeometry,
  Texture,
  VideoTexture,
  WebGLRenderer,
  Group,
  MathUtils,
  Quaternion,
  Vector3,
} from 'three';
import type { Projection } from '../projection.ts';
import { AnnouncementPanel, type PanelAnnouncement } from './announcement-panel.ts';
import { CaptionPanel } from './caption-panel.ts';
import { AlertPanel, type PanelAlert } from './alert-panel.ts';
import { createSphereMaterial, eyeRegion, type SphereUniforms } from './sphere-material.ts';
import { TypedEvents, type Listener } from '../events/index.ts';
import { SphereXr } from './xr.ts';
import { gazeOnPicture, xrSelectRay, type PictureDirection, type SphereOverlay } from './scene-overlay.ts';
import { AdScreen, type AdTarget, type RendererAd } from './ad-screen.ts';

/** Where the viewer looks, in degrees. */
export type View = {
  /** Horizontal angle: 0 = centre of the equirectangular frame, positive = looking right. Normalised to (-180, 180]. */
  yaw: number;
  /** Vertical angle: +90 = zenith (top of the frame), -90 = nadir. */
  pitch: number;
  /** Vertical field of view. */
  fov: number;
};

/** Anything the browser can draw from: a playing video, a 360 photo, or a canvas the caller draws into. */
export type SphereSource = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;

export type SphereRendererOptions = {
  canvas: HTMLCanvasElement;
  projection: Projection;
  source?: SphereSource;
  /** Initial vertical field of view in degrees. @default 75 */
  fov?: number;
  /** Allow WebXR immersive sessions through `renderer.xr`. @default false */
  xr?: boolean;
};

/** Field-of-view and pitch limits applied by `setView` (and so by the look controls). */
export const VIEW_LIMITS = { minFov: 30, maxFov: 100, minPitch: -90, maxPitch: 90 } as const;
export const DEFAULT_FOV = 75;

export type SphereRendererEventMap = {
  /** The view changed (drag, wheel, device orientation, setView, lookAt). */
  view: View;
  /** An immersive WebXR session started or ended. */
  xr: { presenting: boolean };
  /** The viewer dismissed the announcement panel in XR (select: trigger or pinch); the panel is gone. */
  announcementdismiss: PanelAnnouncement;
  /** In a headset, the viewer selected the ad's skip control (shown only once the ad may be skipped). */
  adskip: Record<string, never>;
  /**
   * In a headset, the viewer selected the ad's virtual screen (an ad with a click-through). The page
   * cannot be seen from inside the headset: the handler opens the advertiser's page outside of it.
   */
  adclick: Record<string, never>;
  /** The WebGL context was lost (GPU reset, too many contexts); the renderer shows nothing until restored. */
  contextlost: { message: string };
};

// Radius is arbitrary for a view from the centre; large enough that small head movement in XR
// causes no visible parallax.
const SPHERE_RADIUS = 50;

/** Normalises an angle in degrees to (-180, 180]. */
export function normalizeYaw(yaw: number): number {
  const r = ((((yaw + 180) % 360) + 360) % 360) - 180;
  return r === -180 ? 180 : r;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

type Tween = { from: View; to: View; start: number; duration: number };

/**
 * Draws a 360° picture on the inside of a sphere with three.js and renders the current view to a canvas.
 * Mono frames fill the sphere; stereo frames show the left eye on screen and each eye its own half in XR.
 */
export class SphereRenderer {
  /** "Enter VR" support; `xr.isSupported()` is false unless the renderer was created with `xr: true`. */
  readonly xr: SphereXr;

  readonly #canvas: HTMLCanvasElement;
  readonly #gl: WebGLRenderer;
  readonly #scene = new Scene();
  readonly #camera: PerspectiveCamera;
  readonly #sphere = new Group();
  readonly #geometry = new SphereGeometry(SPHERE_RADIUS, 64, 32);
  readonly #left = createSphereMaterial();
  readonly #right = createSphereMaterial();
  readonly #leftMesh: Mesh;
  readonly #rightMesh: Mesh;
  readonly #events = new TypedEvents<SphereRendererEventMap>();
  readonly #resizeObserver: ResizeObserver | null;
  #projection: Projection;
  #source: SphereSource | null = null;
  #texture: Texture | null = null;
  #view: View;
  #tween: Tween | null = null;
  #dirty = true;
  #running = false;
  #destroyed = false;
  #detachSource: (() => void) | null = null;
  #announcement: AnnouncementPanel | null = null;
  #caption: CaptionPanel | null = null;
  #alert: AlertPanel | null = null;
  #lastFrameAt: number | null = null;
  #xrSession: EventTarget | null = null;
  readonly #overlays = new Set<SphereOverlay>();
  #ad: AdScreen | null = null;
  /** The projection of a 360 ad playing now (the content's stays in #projection). */
  #adProjection: Projection | null = null;

  constructor(options: SphereRendererOptions) {
    this.#canvas = options.canvas;
    this.#projection = options.projection;
    this.#view = { yaw: 0, pitch: 0, fov: clamp(options.fov ?? DEFAULT_FOV, VIEW_LIMITS.minFov, VIEW_LIMITS.maxFov) };
    this.#gl = new WebGLRenderer({ canvas: this.#canvas, antialias: false, alpha: false, powerPreference: 'high-performance' });
    this.#gl.setPixelRatio(Math.min(globalThis.devicePixelRatio || 1, 2));
    this.#gl.xr.enabled = options.xr === true;
    this.#camera = new PerspectiveCamera(this.#view.fov, 1, 0.1, SPHERE_RADIUS * 4);
    this.#camera.rotation.order = 'YXZ';
    this.#leftMesh = new Mesh(this.#geometry, this.#left);
    this.#rightMesh = new Mesh(this.#geometry, this.#right);
    this.#leftMesh.frustumCulled = false;
    this.#rightMesh.frustumCulled = false;
    this.#sphere.add(this.#leftMesh, this.#rightMesh);
    this.#scene.add(this.#sphere);
    this.#applyProjection();
    this.#applyView();

    this.xr = new SphereXr({
      gl: this.#gl,
      enabled: options.xr === true,
      onSessionStart: () => {
        // The headset's forward direction becomes whatever the viewer was looking at on screen.
        this.#sphere.rotation.y = MathUtils.degToRad(this.#view.yaw);
        this.#xrSession = this.#gl.xr.getSession();
        this.#xrSession?.addEventListener('select', this.#onXrSelect);
        this.#showAnnouncement();
        this.#events.emit('xr', { presenting: true });
      },
      onSessionEnd: () => {
        this.#sphere.rotation.y = 0;
        this.#xrSession?.removeEventListener('select', this.#onXrSelect);
        this.#xrSession = null;
        this.#showAnnouncement();
        this.#dirty = true;
        this.#resize();
        this.#events.emit('xr', { presenting: false });
      },
    });

    this.#canvas.addEventListener('webglcontextlost', this.#onContextLost);
    this.#canvas.addEventListener('webglcontextrestored', this.#onContextRestored);
    this.#resizeObserver = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.#resize());
    this.#resizeObserver?.observe(this.#canvas);
    this.#resize();
    if (options.source) this.setSource(options.source);
  }

  on<K extends keyof SphereRendererEventMap>(event: K, fn: Listener<SphereRendererEventMap[K]>): void {
    this.#events.on(event, fn);
  }

  off<K extends keyof SphereRendererEventMap>(event: K, fn: Listener<SphereRendererEventMap[K]>): void {
    this.#events.off(event, fn);
  }

  /** Shows a new picture (or nothing with `null`). The old texture is released; the element itself is not touched. */
  setSource(source: SphereSource | null): void {
    this.#detachSource?.();
    this.#detachSource = null;
    this.#texture?.dispose();
    this.#texture = null;
    this.#source = source;
    if (source) {
      const texture = createTexture(source);
      // Colours pass through: the shader writes the frame's bytes unchanged.
      texture.colorSpace = NoColorSpace;
      texture.generateMipmaps = false;
      texture.minFilter = LinearFilter;
      texture.magFilter = LinearFilter;
      this.#texture = texture;
      const detach = watchSource(source, texture, () => {
        this.#dirty = true;
      });
      // The render resolution follows the picture's (see #pixelRatio): recomputed once its size is known.
      const sized = ['loadedmetadata', 'resize', 'load'] as const;
      const onSized = (): void => this.#resize();
      for (const e of sized) source.addEventListener(e, onSized);
      this.#detachSource = () => {
        detach();
        for (const e of sized) source.removeEventListener(e, onSized);
      };
    }
    this.#applyProjection();
    this.#resize();
  }

  getSource(): SphereSource | null {
    return this.#source;
  }

  setProjection(projection: Projection): void {
    this.#projection = projection;
    this.#applyProjection();
  }

  getProjection(): Projection {
    return this.#projection;
  }

  /** Changes any of yaw, pitch and fov (degrees); values are normalised and clamped to VIEW_LIMITS. */
  setView(view: Partial<View>): void {
    this.#tween = null;
    this.#setViewNow(view);
  }

  getView(): View {
    return { ...this.#view };
  }

  /**
   * Turns to a direction (e.g. a stitch-check finding). With `durationMs` > 0 the turn is animated
   * along the shorter way round.
   */
  lookAt(yaw: number, pitch: number, options: { durationMs?: number } = {}): void {
    const duration = options.durationMs ?? 0;
    if (duration <= 0 || !this.#running) {
      this.setView({ yaw, pitch });
      return;
    }
    const from = this.getView();
    const delta = normalizeYaw(yaw - from.yaw);
    this.#tween = {
      from,
      to: { yaw: from.yaw + delta, pitch: clamp(pitch, VIEW_LIMITS.minPitch, VIEW_LIMITS.maxPitch), fov: from.fov },
      start: performance.now(),
      duration,
    };
  }

  /** Draws a thin line along the 0/360° wrap of the frame (yaw 180), where stitching seams usually sit. */
  setSeamOverlay(on: boolean): void {
    this.#left.uniforms.seam.value = on ? 1 : 0;
    this.#right.uniforms.seam.value = on ? 1 : 0;
    this.#dirty = true;
  }

  /**
   * Shows an announcement on a panel in front of the viewer while an immersive (WebXR) session runs,
   * where page overlays cannot be seen; `null` removes the panel. On screen the page shows its own.
   */
  setAnnouncement(announcement: PanelAnnouncement | null): void {
    const current = this.#announcement?.announcement;
    if (current && announcement && current.id === announcement.id && current.title === announcement.title && current.body === announcement.body) return;
    this.#announcement?.dispose();
    this.#announcement = announcement ? new AnnouncementPanel(announcement) : null;
    if (this.#announcement) this.#scene.add(this.#announcement.mesh);
    this.#showAnnouncement();
  }

  /** The announcement panel in the scene, and whether it is drawn now (only while presenting); null when there is none. */
  getAnnouncement(): (PanelAnnouncement & { visible: boolean }) | null {
    const panel = this.#announcement;
    if (!panel || panel.mesh.parent !== this.#scene) return null;
    return { ...panel.announcement, visible: panel.mesh.visible };
  }

  /**
   * The caption to show while an immersive (WebXR) session runs (plain text, lines separated by
   * `\n`), on a panel that follows the viewer's gaze; null for none. On screen the page draws captions itself.
   */
  setCaption(text: string | null): void {
    if (!this.#caption) {
      if (text === null) return;
      this.#caption = new CaptionPanel();
      this.#scene.add(this.#caption.mesh);
    }
    this.#caption.setText(text);
    this.#dirty = true;
  }

  /** The caption panel: its text, whether it is drawn now (only while presenting) and where it is (unit vector from the head). */
  getCaption(): { text: string; visible: boolean; direction: { x: number; y: number; z: number } } | null {
    const panel = this.#caption;
    if (!panel?.text) return null;
    const { x, y, z } = panel.direction;
    return { text: panel.text, visible: panel.mesh.visible, direction: { x, y, z } };
  }

  /**
   * The emergency alert to show while an immersive (WebXR) session runs, on a panel that follows the
   * viewer's gaze (above it, above captions); null for none. On screen the page shows alerts itself.
   */
  setAlert(alert: PanelAlert | null): void {
    const current = this.#alert?.alert;
    if (
      current &&
      alert &&
      current.id === alert.id &&
      current.severity === alert.severity &&
      current.headline === alert.headline &&
      current.body === alert.body
    )
      return;
    this.#alert?.dispose();
    this.#alert = alert ? new AlertPanel(alert) : null;
    if (this.#alert) this.#scene.add(this.#alert.mesh);
    this.#dirty = true;
  }

  /** The alert panel in the scene: which alert, whether it is drawn now (only while presenting), where (unit vector from the head). */
  getAlert(): (PanelAlert & { visible: boolean; direction: { x: number; y: number; z: number } }) | null {
    const panel = this.#alert;
    if (!panel || panel.mesh.parent !== this.#scene) return null;
    const { x, y, z } = panel.direction;
    return { ...panel.alert, visible: panel.mesh.visible, direction: { x, y, z } };
  }

  /**
   * Shows an ad that plays in the source video: a 360 ad on the sphere (in its own `projection`), a
   * flat one on a virtual screen in front of the viewer with the sphere dark, and in a headset a
   * label bar with `label` and the skip control (select there emits `adskip`, on the screen
   * `adclick`). Null goes back to the content (and its projection).
   */
  setAd(ad: (RendererAd & { projection?: Projection }) | null): void {
    const projection = ad?.form === '360' ? (ad.projection ?? this.#projection) : null;
    if (projection !== this.#adProjection) {
      this.#adProjection = projection;
      this.#applyProjection();
    }
    if (!ad) {
      this.#ad?.dispose();
      this.#ad = null;
    } else if (this.#ad) {
      this.#ad.update(ad);
    } else {
      this.#ad = new AdScreen(ad);
      this.#scene.add(this.#ad.group);
    }
    this.#sphere.visible = ad?.form !== 'flat';
    this.#dirty = true;
  }

  /** The ad shown now: its form, whether the virtual screen and the sphere are drawn, the screen's aspect ratio; null without an ad. */
  getAd():
    | (RendererAd & {
        screenVisible: boolean;
        sphereVisible: boolean;
        labelVisible: boolean;
        aspect: number;
        projection: Projection;
        /** World positions (the XR reference space while presenting) of the screen's centre and the skip control. */
        targets: { screen: { x: number; y: number; z: number }; skip: { x: number; y: number; z: number } };
      })
    | null {
    const ad = this.#ad;
    if (!ad) return null;
    const { screen, skip } = ad.targets();
    return {
      targets: { screen: { x: screen.x, y: screen.y, z: screen.z }, skip: { x: skip.x, y: skip.y, z: skip.z } },
      ...ad.ad,
      screenVisible: ad.screen.visible,
      sphereVisible: this.#sphere.visible,
      labelVisible: ad.label.visible,
      aspect: ad.aspect,
      projection: this.#adProjection ?? this.#projection,
    };
  }

  /**
   * Draws `overlay.object` with the picture (a child of the sphere, so picture directions stay put in a
   * headset too), runs its `frame` every rendered frame and offers it WebXR selects first. Returns the
   * function that removes it (the overlay disposes its own resources).
   */
  addOverlay(overlay: SphereOverlay): () => void {
    this.#overlays.add(overlay);
    this.#sphere.add(overlay.object);
    this.#dirty = true;
    return () => {
      this.#overlays.delete(overlay);
      overlay.object.removeFromParent();
      this.#dirty = true;
    };
  }

  /** Where the centre of the view points on the picture: the view on screen, the head's forward direction in a headset. */
  getGaze(): PictureDirection {
    if (!this.#gl.xr.isPresenting) return { yaw: this.#view.yaw, pitch: this.#view.pitch };
    return gazeOnPicture(this.#gl.xr.getCamera(), this.#sphere);
  }

  /**
   * Makes the viewer face a picture direction. On screen the view turns there (animated with
   * `durationMs`); in a headset the picture is turned about the vertical at once so that `yaw` lies
   * where the head points (the head's pitch is the viewer's own).
   */
  faceDirection(yaw: number, pitch: number, options: { durationMs?: number } = {}): void {
    if (!this.#gl.xr.isPresenting) {
      this.lookAt(yaw, pitch, options);
      return;
    }
    this.#sphere.rotation.y += MathUtils.degToRad(normalizeYaw(yaw - this.getGaze().yaw));
    this.#sphere.updateMatrixWorld();
    this.#dirty = true;
  }

  /** Starts the render loop (needed for video, look controls and XR). Idempotent. */
  start(): void {
    if (this.#running || this.#destroyed) return;
    this.#running = true;
    this.#dirty = true;
    this.#gl.setAnimationLoop(this.#frame);
  }

  /** Stops the render loop; the last frame stays on the canvas. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#gl.setAnimationLoop(null);
  }

  /** Renders one frame now (also without `start()`), e.g. for a still or before reading pixels. */
  render(): void {
    if (this.#destroyed) return;
    this.#refreshLiveTexture();
    this.#placeAd();
    this.#gl.render(this.#scene, this.#camera);
    this.#dirty = false;
  }

  /** Stops rendering, ends any XR session, releases GPU resources and listeners. The canvas stays. */
  destroy(): void {
    if (this.#destroyed) return;
    void this.xr.exit();
    this.stop();
    this.#destroyed = true;
    this.#resizeObserver?.disconnect();
    this.#canvas.removeEventListener('webglcontextlost', this.#onContextLost);
    this.#canvas.removeEventListener('webglcontextrestored', this.#onContextRestored);
    this.#detachSource?.();
    this.#texture?.dispose();
    this.#announcement?.dispose();
    this.#announcement = null;
    this.#caption?.dispose();
    this.#caption = null;
    this.#alert?.dispose();
    this.#alert = null;
    this.#ad?.dispose();
    this.#ad = null;
    for (const overlay of this.#overlays) overlay.object.removeFromParent();
    this.#overlays.clear();
    this.#geometry.dispose();
    this.#left.dispose();
    this.#right.dispose();
    this.#gl.dispose();
    this.#events.removeAllListeners();
  }

  #frame = (time: number): void => {
    if (this.#tween) {
      const t = clamp((time - this.#tween.start) / this.#tween.duration, 0, 1);
      const e = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      const { from, to } = this.#tween;
      this.#setViewNow({ yaw: from.yaw + (to.yaw - from.yaw) * e, pitch: from.pitch + (to.pitch - from.pitch) * e });
      if (t >= 1) this.#tween = null;
    }
    const dt = this.#lastFrameAt === null ? 0 : (time - this.#lastFrameAt) / 1000;
    this.#lastFrameAt = time;
    // The XR camera holds the head pose of the last frame: the panel trails the gaze by one frame, unseen at headset rates.
    this.#caption?.follow(this.#gl.xr.getCamera(), dt, this.#gl.xr.isPresenting);
    this.#alert?.follow(this.#gl.xr.getCamera(), dt, this.#gl.xr.isPresenting);
    if (this.#overlays.size > 0) {
      const presenting = this.#gl.xr.isPresenting;
      const frame = { camera: presenting ? this.#gl.xr.getCamera() : this.#camera, presenting, dtSeconds: dt, gaze: this.getGaze() };
      for (const overlay of this.#overlays) if (overlay.frame?.(frame)) this.#dirty = true;
    }
    if (this.#dirty || this.#isLive() || this.#gl.xr.isPresenting) this.render();
  };

  #showAnnouncement(): void {
    if (this.#announcement) this.#announcement.mesh.visible = this.xr.presenting;
    this.#dirty = true;
  }

  #onXrSelect = (event: Event): void => {
    if (this.#selectOverlay(event)) return;
    const target = this.#adTarget(event);
    if (target === 'skip') {
      this.#events.emit('adskip', {});
      return;
    }
    if (target === 'screen') {
      this.#events.emit('adclick', {});
      return;
    }
    const panel = this.#announcement;
    if (!panel?.mesh.visible) return;
    this.setAnnouncement(null);
    this.#events.emit('announcementdismiss', panel.announcement);
  };

  #placeAd(): void {
    const ad = this.#ad;
    if (!ad) return;
    const source = this.#source;
    const width = source instanceof HTMLVideoElement ? source.videoWidth : (source?.width ?? 0);
    const height = source instanceof HTMLVideoElement ? source.videoHeight : (source?.height ?? 0);
    ad.setPicture(this.#texture, width, height);
    const presenting = this.#gl.xr.isPresenting;
    ad.place(presenting ? this.#gl.xr.getCamera() : this.#camera, presenting);
  }

  /** What the select ray of an XR select event hits of the ad (its controller's target ray in the reference space). */
  #adTarget(event: Event): AdTarget {
    const ad = this.#ad;
    const { frame, inputSource } = event as Event & { frame?: XrFrameLike; inputSource?: { targetRaySpace: unknown } };
    const space = this.#gl.xr.getReferenceSpace();
    if (!ad || !frame || !inputSource || !space) return null;
    const pose = frame.getPose(inputSource.targetRaySpace, space);
    if (!pose) return null;
    const { position: p, orientation: o } = pose.transform;
    const origin = new Vector3(p.x, p.y, p.z);
    const direction = new Vector3(0, 0, -1).applyQuaternion(new Quaternion(o.x, o.y, o.z, o.w));
    return ad.hit(origin, direction);
  }

  /** Offers a WebXR select to the overlays (tour hotspots), newest last; true when one took it. */
  #selectOverlay(event: Event): boolean {
    if (this.#overlays.size === 0) return false;
    const ray = xrSelectRay(event, this.#gl.xr);
    if (!ray) return false;
    for (const overlay of this.#overlays) if (overlay.select?.(ray)) return true;
    return false;
  }

  /** Sources that must be redrawn every display frame (their changes are not signalled). */
  #isLive(): boolean {
    const source = this.#source;
    if (source instanceof HTMLCanvasElement) return true;
    // Videos signal each new frame through requestVideoFrameCallback (see watchSource) where supported.
    if (!(source instanceof HTMLVideoElement) || source.paused || source.ended) return false;
    return typeof (source as { requestVideoFrameCallback?: unknown }).requestVideoFrameCallback !== 'function';
  }

  #refreshLiveTexture(): void {
    if (this.#texture && this.#source instanceof HTMLCanvasElement) this.#texture.needsUpdate = true;
  }

  #setViewNow(view: Partial<View>): void {
    const next: View = {
      yaw: normalizeYaw(view.yaw ?? this.#view.yaw),
      pitch: clamp(view.pitch ?? this.#view.pitch, VIEW_LIMITS.minPitch, VIEW_LIMITS.maxPitch),
      fov: clamp(view.fov ?? this.#view.fov, VIEW_LIMITS.minFov, VIEW_LIMITS.maxFov),
    };
    if (next.yaw === this.#view.yaw && next.pitch === this.#view.pitch && next.fov === this.#view.fov) return;
    this.#view = next;
    this.#applyView();
    this.#events.emit('view', this.getView());
  }

  #applyView(): void {
    // Camera looks down -Z; turning right (positive yaw) is a negative rotation about +Y.
    this.#camera.rotation.set(MathUtils.degToRad(this.#view.pitch), -MathUtils.degToRad(this.#view.yaw), 0);
    this.#camera.fov = this.#view.fov;
    this.#camera.updateProjectionMatrix();
    this.#dirty = true;
  }

  #applyProjection(): void {
    const projection = this.#adProjection ?? this.#projection;
    const stereo = projection !== 'equirectangular-mono';
    const texture = this.#texture;
    if (texture) {
      // Mono frames wrap around horizontally, so filtering may blend across the seam; a stereo
      // half must not bleed into the other eye's half.
      texture.wrapS = stereo ? ClampToEdgeWrapping : RepeatWrapping;
      texture.wrapT = ClampToEdgeWrapping;
      if (this.#source && hasPixels(this.#source)) texture.needsUpdate = true;
    }
    for (const [material, eye] of [
      [this.#left, 'left'],
      [this.#right, 'right'],
    ] as const) {
      const u: SphereUniforms = material.uniforms;
      u.map.value = texture;
      u.hasMap.value = texture ? 1 : 0;
      u.region.value.copy(eyeRegion(projection, eye));
    }
    // three.js XR cameras: the left eye sees layer 1, the right eye layer 2, both see layer 0.
    // On screen the camera sees layer 0 and (enabled below) layer 1, i.e. the left eye.
    if (stereo) {
      this.#leftMesh.layers.set(1);
      this.#rightMesh.layers.set(2);
      this.#rightMesh.visible = true;
    } else {
      this.#leftMesh.layers.set(0);
      this.#rightMesh.visible = false;
    }
    this.#camera.layers.enable(1);
    this.#dirty = true;
  }

  #resize(): void {
    if (this.#destroyed || this.#gl.xr.isPresenting) return;
    const width = this.#canvas.clientWidth || this.#canvas.width || 1;
    const height = this.#canvas.clientHeight || this.#canvas.height || 1;
    const ratio = this.#pixelRatio(width, height);
    if (ratio !== this.#gl.getPixelRatio()) this.#gl.setPixelRatio(ratio);
    this.#gl.setSize(width, height, false);
    this.#camera.aspect = width / height;
    this.#camera.updateProjectionMatrix();
    this.#dirty = true;
    if (!this.#running) this.render();
  }

  /**
   * Device pixels per CSS pixel to render at: no finer than the picture itself. A 360° frame is
   * magnified (a 3840 px wide video shows about 450 of its pixels across a portrait phone), so
   * rendering every device pixel of a 1.75x or 2x screen draws 3-4 times the fragments for no more
   * detail; phones (and software GL) spend that time on the main thread. From 1 up to the screen's
   * ratio (at most 2), where the source has more pixels across the view than the canvas has CSS pixels.
   */
  #pixelRatio(cssWidth: number, cssHeight: number): number {
    const screen = Math.min(globalThis.devicePixelRatio || 1, 2);
    const source = this.#source;
    const sourceWidth =
      source instanceof HTMLVideoElement ? source.videoWidth : source instanceof HTMLImageElement ? source.naturalWidth : (source?.width ?? 0);
    if (!sourceWidth) return 1;
    const eyeWidth = this.#projection === 'stereo-left-right' ? sourceWidth / 2 : sourceWidth;
    const verticalFov = MathUtils.degToRad(this.#view.fov);
    const horizontalFov = 2 * Math.atan(Math.tan(verticalFov / 2) * (cssWidth / cssHeight));
    const sourcePixelsAcross = (eyeWidth * horizontalFov) / (2 * Math.PI);
    return Math.min(screen, Math.max(1, Math.round((sourcePixelsAcross / cssWidth) * 4) / 4));
  }

  #onContextLost = (event: Event): void => {
    // preventDefault tells the browser we want the context back.
    event.preventDefault();
    this.#events.emit('contextlost', { message: 'The WebGL context was lost; the view resumes when the browser restores it.' });
  };

  #onContextRestored = (): void => {
    this.#applyProjection();
    this.#dirty = true;
  };
}

/** The part of an XRFrame the ad's select ray needs. */
type XrFrameLike = {
  getPose(
    space: unknown,
    base: unknown,
  ): { transform: { position: { x: number; y: number; z: number }; orientation: { x: number; y: number; z: number; w: number } } } | null | undefined;
};

function createTexture(source: SphereSource): Texture {
  if (source instanceof HTMLVideoElement) return new VideoTexture(source);
  if (source instanceof HTMLCanvasElement) return new CanvasTexture(source);
  const texture = new Texture(source);
  if (hasPixels(source)) texture.needsUpdate = true;
  return texture;
}

/** Whether the source has a frame to upload (uploading an empty video or a loading image only logs warnings). */
function hasPixels(source: SphereSource): boolean {
  if (source instanceof HTMLVideoElement) return source.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA;
  if (source instanceof HTMLImageElement) return source.complete && source.naturalWidth > 0;
  return source.width > 0 && source.height > 0;
}

/** Redraw triggers a still source needs: an image finishing loading, a paused video seeking. */
function watchSource(source: SphereSource, texture: Texture, invalidate: () => void): () => void {
  if (source instanceof HTMLImageElement) {
    const onLoad = (): void => {
      texture.needsUpdate = true;
      invalidate();
    };
    source.addEventListener('load', onLoad);
    return () => source.removeEventListener('load', onLoad);
  }
  if (source instanceof HTMLVideoElement) {
    const events = ['loadeddata', 'seeked', 'play', 'pause', 'resize'] as const;
    const onChange = (): void => {
      if (hasPixels(source)) texture.needsUpdate = true;
      invalidate();
    };
    for (const e of events) source.addEventListener(e, onChange);
    // Redraw once per decoded video frame (24–60 a second) rather than on every display frame.
    let frameRequest = 0;
    const onFrame = (): void => {
      invalidate();
      frameRequest = source.requestVideoFrameCallback(onFrame);
    };
    if (typeof (source as { requestVideoFrameCallback?: unknown }).requestVideoFrameCallback === 'function') {
      frameRequest = source.requestVideoFrameCallback(onFrame);
    }
    return () => {
      for (const e of events) source.removeEventListener(e, onChange);
      if (frameRequest) source.cancelVideoFrameCallback(frameRequest);
    };
  }
  return () => undefined;
}
