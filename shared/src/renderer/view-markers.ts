// Where other people look, as small markers on the sphere (watch parties, #15). On screen the markers
// are DOM elements over the canvas, placed by projecting each direction through the renderer's camera
// (the same yaw/pitch/fov convention as SphereRenderer), with a name label; a marker outside the view
// is pinned to the edge in its direction, so a viewer knows which way to turn. In a headset (where the
// page is not seen) they are small coloured dots in the scene, a scene overlay turning with the picture.
import { Color, Group, Mesh, MeshBasicMaterial, SphereGeometry } from 'three';
import { directionVector, type OverlayFrame, type SphereOverlay } from './scene-overlay.ts';
import type { SphereRenderer, View } from './sphere-renderer.ts';

/** One person's gaze. `yaw` in (-180, 180] (positive: right), `pitch` in [-90, 90] (positive: up), degrees. */
export type ViewMarker = { id: string; label: string; yaw: number; pitch: number; color: string };

/** Where a marker is drawn: CSS pixels from the top left of the layer, and whether the direction is in view. */
export type PlacedViewMarker = ViewMarker & { x: number; y: number; onScreen: boolean };

/** Inset of edge-pinned markers from the layer's border, px. */
const EDGE_INSET = 14;

/**
 * Projects a direction into the view: normalised device coordinates (-1..1 across the view, y up)
 * and whether it lies in front of the camera. Camera: rotation order YXZ, pitch about X, -yaw about Y,
 * looking down -Z, as in SphereRenderer.
 */
export function projectDirection(view: View, aspect: number, yaw: number, pitch: number): { ndcX: number; ndcY: number; inFront: boolean } {
  const rad = Math.PI / 180;
  const cp = Math.cos(pitch * rad);
  // World direction.
  const x = Math.sin(yaw * rad) * cp;
  const y = Math.sin(pitch * rad);
  const z = -Math.cos(yaw * rad) * cp;
  // Into camera space: undo the camera's yaw (about Y), then its pitch (about X).
  const cy = Math.cos(view.yaw * rad);
  const sy = Math.sin(view.yaw * rad);
  const x1 = x * cy + z * sy;
  const z1 = -x * sy + z * cy;
  const cx = Math.cos(-view.pitch * rad);
  const sx = Math.sin(-view.pitch * rad);
  const y2 = y * cx - z1 * sx;
  const z2 = y * sx + z1 * cx;
  const tanHalf = Math.tan((view.fov * rad) / 2);
  const depth = -z2;
  if (depth <= 1e-6) {
    // Behind: the direction on the view plane still says which way to turn.
    return { ndcX: x1 === 0 && y2 === 0 ? 0 : x1 * 1e6, ndcY: y2 * 1e6, inFront: false };
  }
  return { ndcX: x1 / depth / (tanHalf * aspect), ndcY: y2 / depth / tanHalf, inFront: true };
}

/** Places a direction in a `width` x `height` layer; off-view directions are pinned to the edge. */
export function placeDirection(view: View, width: number, height: number, yaw: number, pitch: number): { x: number; y: number; onScreen: boolean } {
  const aspect = width > 0 && height > 0 ? width / height : 1;
  const { ndcX, ndcY, inFront } = projectDirection(view, aspect, yaw, pitch);
  const onScreen = inFront && Math.abs(ndcX) <= 1 && Math.abs(ndcY) <= 1;
  let nx = ndcX;
  let ny = ndcY;
  if (!onScreen) {
    const scale = Math.max(Math.abs(nx), Math.abs(ny), 1e-9);
    nx /= scale;
    ny /= scale;
  }
  const halfW = Math.max(0, width / 2 - (onScreen ? 0 : EDGE_INSET));
  const halfH = Math.max(0, height / 2 - (onScreen ? 0 : EDGE_INSET));
  return { x: width / 2 + nx * halfW, y: height / 2 - ny * halfH, onScreen };
}

/** Distance of the headset markers from the head (m; the picture's sphere has a radius of 50) and their radius. */
const XR_MARKER_DISTANCE = 40;
const XR_MARKER_RADIUS = 0.5;

/** The markers in the scene, shown only while a headset session presents (the DOM layer serves the screen). */
export class XrViewMarkers implements SphereOverlay {
  readonly object = new Group();
  readonly #geometry = new SphereGeometry(XR_MARKER_RADIUS, 12, 8);
  readonly #meshes = new Map<string, Mesh<SphereGeometry, MeshBasicMaterial>>();
  #dirty = false;

  constructor() {
    this.object.name = 'view-markers';
    this.object.visible = false;
  }

  set(markers: readonly ViewMarker[]): void {
    for (const [id, mesh] of this.#meshes) {
      if (markers.some((m) => m.id === id)) continue;
      mesh.removeFromParent();
      mesh.material.dispose();
      this.#meshes.delete(id);
    }
    for (const marker of markers) {
      let mesh = this.#meshes.get(marker.id);
      if (!mesh) {
        mesh = new Mesh(this.#geometry, new MeshBasicMaterial({ depthTest: false, transparent: true, opacity: 0.9 }));
        mesh.name = marker.id;
        mesh.renderOrder = 10;
        this.object.add(mesh);
        this.#meshes.set(marker.id, mesh);
      }
      mesh.material.color = new Color(marker.color);
      directionVector(marker.yaw, marker.pitch, mesh.position).multiplyScalar(XR_MARKER_DISTANCE);
    }
    this.#dirty = true;
  }

  /** Each marker's position in picture space (for tests). */
  positions(): { id: string; x: number; y: number; z: number }[] {
    return [...this.#meshes].map(([id, mesh]) => ({ id, x: mesh.position.x, y: mesh.position.y, z: mesh.position.z }));
  }

  frame({ presenting }: OverlayFrame): boolean {
    const changed = this.#dirty || this.object.visible !== presenting;
    this.object.visible = presenting;
    this.#dirty = false;
    return changed;
  }

  dispose(): void {
    for (const mesh of this.#meshes.values()) mesh.material.dispose();
    this.#meshes.clear();
    this.object.clear();
    this.#geometry.dispose();
  }
}

/**
 * A layer of view markers over a SphereRenderer's canvas: `setMarkers` with everyone's directions,
 * and the layer follows the viewer's own view (the renderer's `view` events) and the layer's size.
 * `start()` and `destroy()` pair the listeners; the layer's element is removed by `destroy()`.
 */
export class ViewMarkerLayer {
  readonly element: HTMLDivElement;
  readonly #renderer: SphereRenderer;
  readonly #nodes = new Map<string, HTMLDivElement>();
  readonly #xr = new XrViewMarkers();
  #removeOverlay: (() => void) | null = null;
  #markers: ViewMarker[] = [];
  #placed: PlacedViewMarker[] = [];
  #resize: ResizeObserver | null = null;

  constructor(renderer: SphereRenderer, container: HTMLElement) {
    this.#renderer = renderer;
    this.element = document.createElement('div');
    this.element.className = 'view-markers';
    this.element.dataset.testid = 'view-markers';
    this.element.setAttribute('aria-hidden', 'true');
    Object.assign(this.element.style, { position: 'absolute', inset: '0', pointerEvents: 'none', overflow: 'hidden' });
    container.appendChild(this.element);
  }

  start(): void {
    this.#renderer.on('view', this.#onView);
    this.#removeOverlay ??= this.#renderer.addOverlay(this.#xr);
    if (typeof ResizeObserver !== 'undefined' && !this.#resize) {
      this.#resize = new ResizeObserver(() => this.update());
      this.#resize.observe(this.element);
    }
    this.update();
  }

  destroy(): void {
    this.#renderer.off('view', this.#onView);
    this.#removeOverlay?.();
    this.#removeOverlay = null;
    this.#xr.dispose();
    this.#resize?.disconnect();
    this.#resize = null;
    this.#nodes.clear();
    this.element.remove();
  }

  setMarkers(markers: readonly ViewMarker[]): void {
    this.#markers = [...markers];
    this.#xr.set(markers);
    for (const [id, node] of this.#nodes) {
      if (!markers.some((m) => m.id === id)) {
        node.remove();
        this.#nodes.delete(id);
      }
    }
    this.update();
  }

  /** The markers as last drawn (for tests and accessibility text). */
  getMarkers(): readonly PlacedViewMarker[] {
    return this.#placed;
  }

  update(view: View = this.#renderer.getView()): void {
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    this.#placed = this.#markers.map((marker) => ({ ...marker, ...placeDirection(view, width, height, marker.yaw, marker.pitch) }));
    for (const placed of this.#placed) {
      let node = this.#nodes.get(placed.id);
      if (!node) {
        node = document.createElement('div');
        node.className = 'view-marker';
        node.dataset.testid = 'view-marker';
        const dot = document.createElement('span');
        dot.className = 'view-marker-dot';
        const label = document.createElement('span');
        label.className = 'view-marker-label';
        node.append(dot, label);
        this.element.appendChild(node);
        this.#nodes.set(placed.id, node);
      }
      node.dataset.id = placed.id;
      node.dataset.yaw = placed.yaw.toFixed(1);
      node.dataset.pitch = placed.pitch.toFixed(1);
      node.dataset.onScreen = String(placed.onScreen);
      node.style.setProperty('--marker-color', placed.color);
      node.style.transform = `translate(${placed.x.toFixed(1)}px, ${placed.y.toFixed(1)}px)`;
      const label = node.lastElementChild;
      if (label && label.textContent !== placed.label) label.textContent = placed.label;
    }
  }

  #onView = (view: View): void => this.update(view);
}
