import { CanvasTexture, LinearFilter, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace, Vector3, type Camera } from 'three';

/** Caption panel size and placement in metres and degrees, in the XR space around the viewer's head. */
export const CAPTION_PANEL = {
  /** Width of the panel; its height follows the number of lines. */
  width: 1.4,
  /** How far from the eyes. Nearer than the sphere, as far as comfortable reading. */
  distance: 2,
  /** Degrees below the gaze direction, so the caption sits under what the viewer looks at, as on a screen. */
  dropDegrees: 14,
  /**
   * How quickly the panel catches up with the gaze (share of the remaining angle per second).
   * Lazy following keeps the text still while the eyes read and the head makes small movements.
   */
  followPerSecond: 4,
  /** Gaze changes smaller than this (degrees) do not move the panel at all. */
  deadZoneDegrees: 6,
} as const;

// Canvas pixels per metre: sharp at headset resolutions for this size.
const PX_PER_M = 480;
const PAD_X = 24;
const PAD_Y = 14;
const TEXT_PX = 40;
const LINE = 1.3;
const MAX_LINES = 4;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
/** Caption background: near-black at 80 % (WCAG contrast with white text, over any picture). */
export const CAPTION_BACKGROUND = [8, 8, 8] as const;

function wrap(context: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (context.measureText(next).width <= width || !line) line = next;
      else {
        lines.push(line);
        line = word;
      }
    }
    if (line) lines.push(line);
  }
  return lines;
}

const forward = new Vector3();
const target = new Vector3();
const head = new Vector3();
const up = new Vector3(0, 1, 0);

/**
 * The caption shown in WebXR: white text on a dark box, on a plane that follows the viewer's gaze
 * (lazily, a little below it) and always faces them. Drawn over the sphere (no depth test) on layer 0,
 * which both eyes see. Redrawn only when the text changes.
 */
export class CaptionPanel {
  readonly mesh: Mesh<PlaneGeometry, MeshBasicMaterial>;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #texture: CanvasTexture;
  /** Unit vector from the head to the panel (where it currently sits). */
  readonly #direction = new Vector3(0, 0, -1);
  #text: string | null = null;
  #placed = false;

  constructor() {
    this.#canvas = document.createElement('canvas');
    const context = this.#canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw on a 2D canvas.');
    this.#context = context;
    this.#canvas.width = Math.round(CAPTION_PANEL.width * PX_PER_M);
    this.#canvas.height = Math.round(2 * PAD_Y + MAX_LINES * TEXT_PX * LINE);
    this.#texture = new CanvasTexture(this.#canvas);
    this.#texture.colorSpace = SRGBColorSpace;
    this.#texture.generateMipmaps = false;
    this.#texture.minFilter = LinearFilter;
    const material = new MeshBasicMaterial({ map: this.#texture, transparent: true, depthTest: false, depthWrite: false, toneMapped: false });
    this.mesh = new Mesh(new PlaneGeometry(CAPTION_PANEL.width, this.#canvas.height / PX_PER_M), material);
    this.mesh.name = 'caption-panel';
    this.mesh.renderOrder = 11;
    this.mesh.frustumCulled = false;
    this.mesh.visible = false;
  }

  get text(): string | null {
    return this.#text;
  }

  /** Unit vector from the viewer's head to the panel centre. */
  get direction(): Vector3 {
    return this.#direction.clone();
  }

  /** Draws `text` (lines separated by `\n`), or hides the panel with null. */
  setText(text: string | null): void {
    if (text === this.#text) return;
    this.#text = text;
    const context = this.#context;
    const { width, height } = this.#canvas;
    context.clearRect(0, 0, width, height);
    if (!text) return;
    context.font = `600 ${TEXT_PX}px ${FONT}`;
    let lines = wrap(context, text, width - 2 * PAD_X);
    if (lines.length > MAX_LINES) lines = lines.slice(lines.length - MAX_LINES);
    // The box hugs the text, bottom-aligned in the canvas, so one line sits where the last of several would.
    const boxWidth = Math.min(width, Math.max(...lines.map((line) => context.measureText(line).width)) + 2 * PAD_X);
    const boxHeight = lines.length * TEXT_PX * LINE + 2 * PAD_Y;
    const [r, g, b] = CAPTION_BACKGROUND;
    context.fillStyle = `rgba(${r}, ${g}, ${b}, 0.8)`;
    context.fillRect((width - boxWidth) / 2, height - boxHeight, boxWidth, boxHeight);
    context.fillStyle = '#ffffff';
    context.textAlign = 'center';
    context.textBaseline = 'top';
    lines.forEach((line, i) => context.fillText(line, width / 2, height - boxHeight + PAD_Y + i * TEXT_PX * LINE + (TEXT_PX * (LINE - 1)) / 2));
    this.#texture.needsUpdate = true;
  }

  /**
   * Moves the panel toward the gaze of `camera` (the XR camera: its world position is the head),
   * `dtSeconds` after the last call. Call every XR frame; `visible` says whether to draw at all.
   */
  follow(camera: Camera, dtSeconds: number, visible: boolean): void {
    this.mesh.visible = visible && this.#text !== null;
    if (!visible) {
      this.#placed = false;
      return;
    }
    camera.getWorldPosition(head);
    camera.getWorldDirection(forward);
    // The panel aims a little below the gaze: rotate the gaze down about the camera's horizontal axis.
    const right = target.crossVectors(forward, up);
    if (right.lengthSq() < 1e-6) right.set(1, 0, 0);
    right.normalize();
    const wanted = forward
      .clone()
      .applyAxisAngle(right, (-CAPTION_PANEL.dropDegrees * Math.PI) / 180)
      .normalize();
    const angle = (this.#direction.angleTo(wanted) * 180) / Math.PI;
    if (!this.#placed) {
      this.#direction.copy(wanted);
      this.#placed = true;
    } else if (angle > CAPTION_PANEL.deadZoneDegrees) {
      const share = Math.min(1, CAPTION_PANEL.followPerSecond * Math.max(0, dtSeconds));
      this.#direction.lerp(wanted, share).normalize();
    }
    this.mesh.position.copy(head).addScaledVector(this.#direction, CAPTION_PANEL.distance);
    // Face the head, upright.
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
