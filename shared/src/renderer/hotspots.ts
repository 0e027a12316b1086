// Tour hotspots (#15) drawn in the 360 scene at a direction on the picture, selected by a click or a
// tap (a button over the canvas, also reached with the keyboard), by gaze dwell (the centre of the view
// stays on one for HOTSPOT_MARKER.dwellMs), or in a headset by a controller's ray (a WebXR select).
import { CanvasTexture, CircleGeometry, Group, LinearFilter, Mesh, MeshBasicMaterial, SRGBColorSpace, Vector3, type Ray } from 'three';
import { TypedEvents, type Listener } from '../events/index.ts';
import { directionVector, type OverlayFrame, type PictureDirection, type SphereOverlay } from './scene-overlay.ts';
import type { SphereRenderer, View } from './sphere-renderer.ts';
import { placeDirection } from './view-markers.ts';

/** Hotspot marker size, placement and selection, in metres, degrees and milliseconds. */
export const HOTSPOT_MARKER = {
  /** From the centre of the sphere (radius 50): in front of the picture, far enough to look flat on it. */
  distance: 10,
  /** Angular diameter of the marker. */
  diameterDegrees: 7,
  /** How long the centre of the view must stay on a hotspot to select it. */
  dwellMs: 1500,
  /** How near (degrees from the hotspot's direction) the centre of the view must be to count as on it. */
  dwellRadiusDegrees: 5,
  /** A controller ray this near (degrees, seen from the head) selects the hotspot: larger than the marker, as hands shake. */
  rayRadiusDegrees: 6,
} as const;

export const HOTSPOT_KINDS = ['scene', 'info', 'narration'] as const;

/** A hotspot as the renderer draws it: where (degrees on the picture) and what it does (its glyph). */
export type RendererHotspot = { id: string; label: string; yaw: number; pitch: number; kind: (typeof HOTSPOT_KINDS)[number] };

/** How a hotspot was selected. `pointer`: click or tap on screen; `gaze`: dwell; `ray`: a WebXR controller's select. */
export type HotspotSelectVia = 'pointer' | 'keyboard' | 'gaze' | 'ray';

export type HotspotSelection = {
  id: string;
  via: HotspotSelectVia;
  /** Where the centre of the view pointed on the picture when it was selected (the tour keeps the heading from it). */
  gaze: PictureDirection;
};

export type HotspotLayerEventMap = {
  select: HotspotSelection;
  /** The hotspot under the centre of the view and how far its dwell has come (0..1); id null when none. */
  dwell: { id: string | null; progress: number };
};

/** A hotspot as last drawn: on screen (CSS px in the layer), and in the 3D scene (three.js world = the WebXR reference space). */
export type PlacedHotspot = RendererHotspot & {
  x: number;
  y: number;
  onScreen: boolean;
  /** 0..1: how far the gaze dwell on it has come. */
  dwell: number;
  /** The marker's centre in world space (metres). In a headset, a controller ray from near the head aimed there selects it. */
  worldPosition: { x: number; y: number; z: number };
};

function angleBetween(a: PictureDirection, b: PictureDirection): number {
  const va = directionVector(a.yaw, a.pitch);
  const vb = directionVector(b.yaw, b.pitch);
  return (Math.acos(Math.min(1, Math.max(-1, va.dot(vb)))) * 180) / Math.PI;
}

/**
 * Gaze dwell: the hotspot nearest the centre of the view (within `radiusDegrees`) fires after the
 * centre has stayed on it for `dwellMs`. A hotspot fires once per visit (the gaze must leave it to fire
 * again), and `suspend(id)` ignores one until the gaze has left it (the view was turned onto it for the
 * viewer, as a guided tour does, or the scene opened looking at it). No DOM, no clock: testable in Node.
 */
export class GazeDwell {
  #current: string | null = null;
  #since = 0;
  #fired = false;
  /** Ignored hotspots, and whether the gaze has been on each since (it is released once the gaze leaves it). */
  readonly #suspended = new Map<string, boolean>();

  constructor(
    readonly dwellMs: number = HOTSPOT_MARKER.dwellMs,
    readonly radiusDegrees: number = HOTSPOT_MARKER.dwellRadiusDegrees,
  ) {}

  /** Ignore `id` until the gaze has been on it and left it (or, if the gaze is on it now, until it leaves). */
  suspend(id: string): void {
    this.#suspended.set(id, this.#current === id);
    if (this.#current === id) this.#fired = true;
  }

  /** Whether a direction is on a hotspot (within the dwell radius). */
  isOn(gaze: PictureDirection, hotspot: PictureDirection): boolean {
    return angleBetween(gaze, hotspot) <= this.radiusDegrees;
  }

  reset(): void {
    this.#current = null;
    this.#fired = false;
    this.#suspended.clear();
  }

  /** The hotspot under `gaze` now, its dwell progress, and the id that fires at this update (else null). */
  update(gaze: PictureDirection, hotspots: readonly RendererHotspot[], nowMs: number): { id: string | null; progress: number; fired: string | null } {
    let nearest: string | null = null;
    let best = this.radiusDegrees;
    for (const hotspot of hotspots) {
      const angle = angleBetween(gaze, hotspot);
      if (angle <= best) {
        best = angle;
        nearest = hotspot.id;
      }
    }
    for (const [id, seen] of this.#suspended) {
      if (id === nearest) this.#suspended.set(id, true);
      else if (seen) this.#suspended.delete(id);
    }
    if (nearest !== this.#current) {
      this.#current = nearest;
      this.#since = nowMs;
      this.#fired = nearest !== null && this.#suspended.has(nearest);
    }
    if (nearest === null || this.#fired) return { id: nearest, progress: 0, fired: null };
    const progress = Math.min(1, (nowMs - this.#since) / this.dwellMs);
    if (progress < 1) return { id: nearest, progress, fired: null };
    this.#fired = true;
    return { id: nearest, progress: 1, fired: nearest };
  }
}

const GLYPHS = { scene: '➜', info: 'i', narration: '♪' } as const;

function markerTexture(kind: RendererHotspot['kind']): CanvasTexture {
  const canvas = document.createElement('canvas');
  canvas.width = 128;
  canvas.height = 128;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw on a 2D canvas.');
  context.fillStyle = 'rgba(10, 10, 10, 0.55)';
  context.beginPath();
  context.arc(64, 64, 58, 0, 2 * Math.PI);
  context.fill();
  context.lineWidth = 9;
  context.strokeStyle = '#ffffff';
  context.beginPath();
  context.arc(64, 64, 54, 0, 2 * Math.PI);
  context.stroke();
  context.fillStyle = '#ffffff';
  context.font = `700 ${kind === 'info' ? 72 : 64}px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(GLYPHS[kind], 64, 68);
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  texture.minFilter = LinearFilter;
  texture.generateMipmaps = false;
  return texture;
}

type Marker = { hotspot: RendererHotspot; mesh: Mesh<CircleGeometry, MeshBasicMaterial>; button: HTMLButtonElement; placedKey: string };

const world = new Vector3();
const toMarker = new Vector3();

/**
 * The hotspots of one scene, in the scene and over it. `setHotspots` replaces them (a new scene);
 * `select` events say which was chosen and how. `start()` adds the markers to the renderer's scene and
 * the buttons to `container` (over the canvas, same size); `destroy()` removes both.
 *
 * For tests and assistive technology each button carries `data-testid="tour-hotspot"`,
 * `data-hotspot-id`, `data-kind`, `data-yaw`, `data-pitch`, `data-on-screen`, `data-dwell` (0..1) and
 * `data-world` (the marker's world position, "x,y,z" in metres, the WebXR reference space while a headset
 * presents); each marker mesh is named `hotspot:<id>` with `userData.hotspotId`. `getHotspots()` returns the same.
 */
export class HotspotLayer implements SphereOverlay {
  readonly object = new Group();
  readonly element: HTMLDivElement;
  readonly dwell: GazeDwell;
  readonly #renderer: SphereRenderer;
  readonly #container: HTMLElement;
  readonly #events = new TypedEvents<HotspotLayerEventMap>();
  readonly #textures = new Map<RendererHotspot['kind'], CanvasTexture>();
  readonly #geometry: CircleGeometry;
  #markers: Marker[] = [];
  #removeOverlay: (() => void) | null = null;
  #lastDwell: { id: string | null; progress: number } = { id: null, progress: 0 };
  #placed: PlacedHotspot[] = [];
  #presenting = false;
  /** Set by setHotspots: the first frame suspends the hotspots the scene opens looking at, so they do not fire unasked. */
  #suspendUnderGaze = false;
  /** Gaze dwell can be turned off (a viewer who finds it distracting, or while the tour turns the view). */
  dwellEnabled = true;

  constructor(renderer: SphereRenderer, container: HTMLElement, options: { dwellMs?: number } = {}) {
    this.#renderer = renderer;
    this.#container = container;
    this.dwell = new GazeDwell(options.dwellMs ?? HOTSPOT_MARKER.dwellMs);
    const radius = HOTSPOT_MARKER.distance * Math.tan(((HOTSPOT_MARKER.diameterDegrees / 2) * Math.PI) / 180);
    this.#geometry = new CircleGeometry(radius, 40);
    this.object.name = 'tour-hotspots';
    this.element = document.createElement('div');
    this.element.className = 'tour-hotspots';
    this.element.dataset.testid = 'tour-hotspots';
    Object.assign(this.element.style, { position: 'absolute', inset: '0', pointerEvents: 'none', overflow: 'hidden' });
  }

  on<K extends keyof HotspotLayerEventMap>(event: K, fn: Listener<HotspotLayerEventMap[K]>): void {
    this.#events.on(event, fn);
  }

  off<K extends keyof HotspotLayerEventMap>(event: K, fn: Listener<HotspotLayerEventMap[K]>): void {
    this.#events.off(event, fn);
  }

  start(): void {
    if (this.#removeOverlay) return;
    this.#container.appendChild(this.element);
    this.#removeOverlay = this.#renderer.addOverlay(this);
  }

  destroy(): void {
    this.#removeOverlay?.();
    this.#removeOverlay = null;
    this.#clear();
    this.element.remove();
    for (const texture of this.#textures.values()) texture.dispose();
    this.#textures.clear();
    this.#geometry.dispose();
    this.#events.removeAllListeners();
  }

  /** Shows these hotspots instead of the current ones; the dwell starts over. */
  setHotspots(hotspots: readonly RendererHotspot[]): void {
    this.#clear();
    this.dwell.reset();
    this.#markers = hotspots.map((hotspot) => this.#marker(hotspot));
    this.#suspendUnderGaze = true;
    this.#place(this.#renderer.getView());
  }

  /** The hotspots as last placed (screen position, dwell, world position). */
  getHotspots(): readonly PlacedHotspot[] {
    return this.#placed;
  }

  /** Selects a hotspot as if the viewer had (keyboard shortcuts). */
  choose(id: string, via: HotspotSelectVia): void {
    if (!this.#markers.some((marker) => marker.hotspot.id === id)) return;
    this.#events.emit('select', { id, via, gaze: this.#renderer.getGaze() });
  }

  // SphereOverlay: every rendered frame.
  frame(frame: OverlayFrame): boolean {
    let changed = false;
    if (frame.presenting !== this.#presenting) {
      this.#presenting = frame.presenting;
      this.element.hidden = frame.presenting;
      changed = true;
    }
    const hotspots = this.#markers.map((marker) => marker.hotspot);
    if (this.#suspendUnderGaze) {
      this.#suspendUnderGaze = false;
      for (const hotspot of hotspots) if (this.dwell.isOn(frame.gaze, hotspot)) this.dwell.suspend(hotspot.id);
    }
    const dwell = this.dwellEnabled ? this.dwell.update(frame.gaze, hotspots, performance.now()) : { id: null, progress: 0, fired: null };
    if (
      dwell.id !== this.#lastDwell.id ||
      Math.abs(dwell.progress - this.#lastDwell.progress) >= 0.02 ||
      (dwell.progress === 0) !== (this.#lastDwell.progress === 0)
    ) {
      this.#lastDwell = { id: dwell.id, progress: dwell.progress };
      this.#events.emit('dwell', this.#lastDwell);
      changed = true;
    }
    if (this.#place(this.#renderer.getView())) changed = true;
    if (dwell.fired) this.#events.emit('select', { id: dwell.fired, via: 'gaze', gaze: frame.gaze });
    return changed;
  }

  /** The hotspot a ray (world space) points at: within HOTSPOT_MARKER.rayRadiusDegrees of its marker, the nearest; else null. */
  hotspotAlong(ray: Ray): string | null {
    let best: string | null = null;
    let bestAngle: number = HOTSPOT_MARKER.rayRadiusDegrees;
    for (const marker of this.#markers) {
      marker.mesh.getWorldPosition(world);
      toMarker.copy(world).sub(ray.origin).normalize();
      const angle = (toMarker.angleTo(ray.direction) * 180) / Math.PI;
      if (angle <= bestAngle) {
        bestAngle = angle;
        best = marker.hotspot.id;
      }
    }
    return best;
  }

  // SphereOverlay: a WebXR select with its controller's ray in world space.
  select(ray: Ray): boolean {
    const id = this.hotspotAlong(ray);
    if (id === null) return false;
    this.#events.emit('select', { id, via: 'ray', gaze: this.#renderer.getGaze() });
    return true;
  }

  #marker(hotspot: RendererHotspot): Marker {
    let texture = this.#textures.get(hotspot.kind);
    if (!texture) {
      texture = markerTexture(hotspot.kind);
      this.#textures.set(hotspot.kind, texture);
    }
    const mesh = new Mesh(this.#geometry, new MeshBasicMaterial({ map: texture, transparent: true, depthTest: false, depthWrite: false, toneMapped: false }));
    mesh.name = `hotspot:${hotspot.id}`;
    mesh.userData.hotspotId = hotspot.id;
    mesh.renderOrder = 5;
    mesh.frustumCulled = false;
    directionVector(hotspot.yaw, hotspot.pitch, mesh.position).multiplyScalar(HOTSPOT_MARKER.distance);
    // Face the centre of the sphere (the viewer), upright.
    mesh.lookAt(0, 0, 0);
    this.object.add(mesh);

    const button = document.createElement('button');
    button.type = 'button';
    button.className = `tour-hotspot tour-hotspot-${hotspot.kind}`;
    button.dataset.testid = 'tour-hotspot';
    button.dataset.hotspotId = hotspot.id;
    button.dataset.kind = hotspot.kind;
    button.dataset.yaw = String(hotspot.yaw);
    button.dataset.pitch = String(hotspot.pitch);
    button.setAttribute('aria-label', hotspot.label);
    button.title = hotspot.label;
    Object.assign(button.style, { position: 'absolute', left: '0', top: '0', pointerEvents: 'auto' });
    const label = document.createElement('span');
    label.className = 'tour-hotspot-label';
    label.textContent = hotspot.label;
    button.appendChild(label);
    // Look controls drag on the canvas; a press on a hotspot is a selection, not the start of a drag.
    button.addEventListener('pointerdown', (event) => event.stopPropagation());
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      this.#events.emit('select', { id: hotspot.id, via: event.detail === 0 ? 'keyboard' : 'pointer', gaze: this.#renderer.getGaze() });
    });
    this.element.appendChild(button);
    return { hotspot, mesh, button, placedKey: '' };
  }

  /** Positions the buttons over the picture and the dwell feedback; true when anything moved. */
  #place(view: View): boolean {
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    let changed = false;
    this.object.updateMatrixWorld();
    this.#placed = this.#markers.map((marker) => {
      const { hotspot, mesh, button } = marker;
      const place = placeDirection(view, width, height, hotspot.yaw, hotspot.pitch);
      const dwell = this.#lastDwell.id === hotspot.id ? this.#lastDwell.progress : 0;
      mesh.getWorldPosition(world);
      const key = `${place.x.toFixed(1)},${place.y.toFixed(1)},${place.onScreen},${dwell.toFixed(2)},${world.x.toFixed(3)},${world.y.toFixed(3)},${world.z.toFixed(3)}`;
      if (key !== marker.placedKey) {
        marker.placedKey = key;
        changed = true;
        button.hidden = !place.onScreen;
        button.dataset.onScreen = String(place.onScreen);
        button.dataset.dwell = dwell.toFixed(2);
        button.dataset.world = `${world.x.toFixed(3)},${world.y.toFixed(3)},${world.z.toFixed(3)}`;
        button.style.transform = `translate(${place.x.toFixed(1)}px, ${place.y.toFixed(1)}px) translate(-50%, -50%)`;
        button.style.setProperty('--dwell', dwell.toFixed(2));
        const scale = 1 + 0.35 * dwell;
        mesh.scale.set(scale, scale, scale);
        mesh.material.opacity = dwell > 0 ? 1 : 0.9;
      }
      return {
        ...hotspot,
        x: place.x,
        y: place.y,
        onScreen: place.onScreen,
        dwell,
        worldPosition: { x: world.x, y: world.y, z: world.z },
      };
    });
    return changed;
  }

  #clear(): void {
    for (const marker of this.#markers) {
      marker.mesh.removeFromParent();
      marker.mesh.material.dispose();
      marker.button.remove();
    }
    this.#markers = [];
    this.#placed = [];
    this.#lastDwell = { id: null, progress: 0 };
  }
}
