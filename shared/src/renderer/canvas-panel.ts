import { CanvasTexture, LinearFilter, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace, Vector3, type Camera } from 'three';

/** The system UI font stack the WebXR panels draw with. */
export const PANEL_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

/** How a panel is made: its mesh name, draw order over the sphere, width in metres and canvas pixels per metre. */
export interface CanvasPanelSpec {
  name: string;
  /** Draw order among the panels (higher is drawn over lower); all are over the sphere. */
  renderOrder: number;
  /** Width of the plane in metres; its height follows the canvas (`canvas.height / pxPerMetre`). */
  width: number;
  /** Canvas pixels per metre: sharp at headset resolutions for the panel's size. */
  pxPerMetre: number;
  /** Whether the canvas has see-through parts (a caption box that hugs its text); default false (opaque). */
  transparent?: boolean;
}

/** Where a gaze-following panel sits around the viewer's head, and how lazily it follows. */
export interface GazeFollowSpec {
  /** Metres from the eyes. */
  distance: number;
  /** Degrees above (positive) or below (negative) the gaze direction. */
  pitchDegrees: number;
  /** Share of the remaining angle made up per second once the gaze is outside the dead zone. */
  followPerSecond: number;
  /** Gaze changes smaller than this (degrees) do not move the panel at all. */
  deadZoneDegrees: number;
}

/**
 * Splits `text` into lines no wider than `width` at the context's current font. A word longer than a
 * line stays whole unless `cutLongWords`; blank paragraphs are dropped unless `keepBlankLines`.
 */
export function wrapText(
  context: CanvasRenderingContext2D,
  text: string,
  width: number,
  { cutLongWords = false, keepBlankLines = false }: { cutLongWords?: boolean; keepBlankLines?: boolean } = {},
): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (context.measureText(next).width <= width || (!line && !cutLongWords)) {
        line = next;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (cutLongWords && context.measureText(line).width > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && context.measureText(line.slice(0, cut)).width > width) cut -= 1;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    if (line || keepBlankLines) lines.push(line);
  }
  return lines;
}

// Scratch vectors for following the gaze (no state is kept in them between calls).
const forward = new Vector3();
const right = new Vector3();
const head = new Vector3();
const up = new Vector3(0, 1, 0);

/**
 * A flat panel in the WebXR scene with a 2D canvas as its texture: what the announcement, caption and
 * alert panels have in common. Drawn over the sphere (no depth test) on layer 0, which both eyes see.
 * The subclass paints the canvas (`paint` gets it at the panel's width and sets its height); panels that
 * follow the viewer's gaze call `followGaze` every XR frame.
 */
export abstract class CanvasPanel {
  readonly mesh: Mesh<PlaneGeometry, MeshBasicMaterial>;
  protected readonly canvas: HTMLCanvasElement;
  protected readonly context: CanvasRenderingContext2D;
  readonly #texture: CanvasTexture;
  /** Unit vector from the head to the panel (where it currently sits). */
  readonly #direction = new Vector3(0, 0, -1);
  #placed = false;

  protected constructor(spec: CanvasPanelSpec, paint: (context: CanvasRenderingContext2D) => void) {
    this.canvas = document.createElement('canvas');
    const context = this.canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw on a 2D canvas.');
    this.context = context;
    this.canvas.width = Math.round(spec.width * spec.pxPerMetre);
    paint(context);
    this.#texture = new CanvasTexture(this.canvas);
    this.#texture.colorSpace = SRGBColorSpace;
    this.#texture.generateMipmaps = false;
    this.#texture.minFilter = LinearFilter;
    const material = new MeshBasicMaterial({
      map: this.#texture,
      ...(spec.transparent ? { transparent: true } : {}),
      depthTest: false,
      depthWrite: false,
      toneMapped: false,
    });
    this.mesh = new Mesh(new PlaneGeometry(spec.width, this.canvas.height / spec.pxPerMetre), material);
    this.mesh.name = spec.name;
    this.mesh.renderOrder = spec.renderOrder;
    this.mesh.frustumCulled = false;
  }

  /** Unit vector from the viewer's head to the panel centre. */
  get direction(): Vector3 {
    return this.#direction.clone();
  }

  /** Uploads the canvas again after the subclass drew on it. */
  protected redrawn(): void {
    this.#texture.needsUpdate = true;
  }

  /**
   * Moves the panel toward the gaze of `camera` (the XR camera: its world position is the head),
   * `dtSeconds` after the last call, and turns it to face the head, upright. When not `presenting`
   * it forgets where it was, so it appears straight in the gaze next time.
   */
  protected followGaze(camera: Camera, dtSeconds: number, presenting: boolean, gaze: GazeFollowSpec): void {
    if (!presenting) {
      this.#placed = false;
      return;
    }
    camera.getWorldPosition(head);
    camera.getWorldDirection(forward);
    // Tilt the gaze up or down about the camera's horizontal axis.
    right.crossVectors(forward, up);
    if (right.lengthSq() < 1e-6) right.set(1, 0, 0);
    right.normalize();
    const wanted = forward
      .clone()
      .applyAxisAngle(right, (gaze.pitchDegrees * Math.PI) / 180)
      .normalize();
    if (!this.#placed) {
      this.#direction.copy(wanted);
      this.#placed = true;
    } else if ((this.#direction.angleTo(wanted) * 180) / Math.PI > gaze.deadZoneDegrees) {
      this.#direction.lerp(wanted, Math.min(1, gaze.followPerSecond * Math.max(0, dtSeconds))).normalize();
    }
    this.mesh.position.copy(head).addScaledVector(this.#direction, gaze.distance);
    this.mesh.up.copy(up);
    this.mesh.lookAt(head);
    this.mesh.updateMatrixWorld();
  }

  dispose(): void {
    this.mesh.removeFromParent();
    this.mesh.geometry.dispose();
    this.mesh.material.dispose();
    this.#texture.dispose();
  }
}
