import { CanvasTexture, LinearFilter, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace } from 'three';

/** What the panel shows: a bold title over a wrapped body. `id` comes back in the dismiss event. */
export type PanelAnnouncement = { id: string; title: string; body: string };

/** Panel size and placement in metres, in the XR 'local' space (the viewer's head at the origin at session start). */
export const ANNOUNCEMENT_PANEL = {
  /** Width of the panel; its height follows the text. */
  width: 1.6,
  /** How far in front of the viewer (along -Z). Nearer than the sphere, far enough to read comfortably. */
  distance: 2.5,
  /** How far below eye level, so the panel sits under the centre of the picture rather than over it. */
  drop: 0.55,
} as const;

// Canvas pixels per metre: about 640 px across the panel, sharp at headset resolutions for this size.
const PX_PER_M = 400;
const PAD = 28;
const TITLE_PX = 40;
const BODY_PX = 30;
const LINE = 1.3;
const MAX_BODY_LINES = 6;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
/** Panel background (opaque so the text reads over any picture). */
export const PANEL_BACKGROUND = [13, 17, 23] as const;

/** Splits `text` into lines no wider than `width` at the context's current font; long words are cut. */
function wrap(context: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (context.measureText(next).width <= width) {
        line = next;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (context.measureText(line).width > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && context.measureText(line.slice(0, cut)).width > width) cut -= 1;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * An announcement drawn on a canvas texture, on a plane in front of the viewer. Drawn over the
 * sphere (no depth test, drawn last) on layer 0, which both XR eyes see.
 */
export class AnnouncementPanel {
  readonly mesh: Mesh<PlaneGeometry, MeshBasicMaterial>;
  readonly announcement: PanelAnnouncement;
  readonly #canvas: HTMLCanvasElement;
  readonly #texture: CanvasTexture;

  constructor(announcement: PanelAnnouncement) {
    this.announcement = announcement;
    this.#canvas = document.createElement('canvas');
    const widthPx = Math.round(ANNOUNCEMENT_PANEL.width * PX_PER_M);
    const context = this.#canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw on a 2D canvas.');
    const textWidth = widthPx - 2 * PAD;
    context.font = `700 ${TITLE_PX}px ${FONT}`;
    const titleLines = wrap(context, announcement.title, textWidth).slice(0, 2);
    context.font = `400 ${BODY_PX}px ${FONT}`;
    let bodyLines = wrap(context, announcement.body, textWidth);
    if (bodyLines.length > MAX_BODY_LINES) bodyLines = [...bodyLines.slice(0, MAX_BODY_LINES - 1), `${bodyLines[MAX_BODY_LINES - 1] ?? ''}…`];
    const heightPx = Math.round(2 * PAD + titleLines.length * TITLE_PX * LINE + (bodyLines.length ? 8 + bodyLines.length * BODY_PX * LINE : 0));
    this.#canvas.width = widthPx;
    this.#canvas.height = heightPx;

    // Resizing the canvas reset the context's state.
    const [r, g, b] = PANEL_BACKGROUND;
    context.fillStyle = `rgb(${r}, ${g}, ${b})`;
    context.fillRect(0, 0, widthPx, heightPx);
    context.fillStyle = '#58a6ff';
    context.fillRect(0, 0, 10, heightPx);
    context.textBaseline = 'top';
    context.fillStyle = '#e6edf3';
    context.font = `700 ${TITLE_PX}px ${FONT}`;
    let y = PAD;
    for (const line of titleLines) {
      context.fillText(line, PAD, y);
      y += TITLE_PX * LINE;
    }
    y += 8;
    context.font = `400 ${BODY_PX}px ${FONT}`;
    context.fillStyle = '#c9d1d9';
    for (const line of bodyLines) {
      context.fillText(line, PAD, y);
      y += BODY_PX * LINE;
    }

    this.#texture = new CanvasTexture(this.#canvas);
    this.#texture.colorSpace = SRGBColorSpace;
    this.#texture.generateMipmaps = false;
    this.#texture.minFilter = LinearFilter;
    const geometry = new PlaneGeometry(ANNOUNCEMENT_PANEL.width, heightPx / PX_PER_M);
    const material = new MeshBasicMaterial({ map: this.#texture, depthTest: false, depthWrite: false, toneMapped: false });
    this.mesh = new Mesh(geometry, material);
    this.mesh.name = 'announcement-panel';
    this.mesh.renderOrder = 10;
    this.mesh.frustumCulled = false;
    this.mesh.position.set(0, -ANNOUNCEMENT_PANEL.drop, -ANNOUNCEMENT_PANEL.distance);
    // Tilted up toward the eyes, as a lectern is.
    this.mesh.rotation.x = Math.atan2(ANNOUNCEMENT_PANEL.drop, ANNOUNCEMENT_PANEL.distance);
  }

  dispose(): void {
    this.mesh.removeFromParent();
    this.mesh.geometry.dispose();
    this.mesh.material.dispose();
    this.#texture.dispose();
  }
}
