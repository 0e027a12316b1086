import type { Camera } from 'three';
import { CanvasPanel, PANEL_FONT, wrapText } from './canvas-panel.ts';

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
/** Caption background: near-black at 80 % (WCAG contrast with white text, over any picture). */
export const CAPTION_BACKGROUND = [8, 8, 8] as const;

const GAZE = {
  distance: CAPTION_PANEL.distance,
  pitchDegrees: -CAPTION_PANEL.dropDegrees,
  followPerSecond: CAPTION_PANEL.followPerSecond,
  deadZoneDegrees: CAPTION_PANEL.deadZoneDegrees,
} as const;

/**
 * The caption shown in WebXR: white text on a dark box, on a plane that follows the viewer's gaze
 * (lazily, a little below it) and always faces them. Drawn over the sphere (no depth test) on layer 0,
 * which both eyes see. Redrawn only when the text changes.
 */
export class CaptionPanel extends CanvasPanel {
  #text: string | null = null;

  constructor() {
    super({ name: 'caption-panel', renderOrder: 11, width: CAPTION_PANEL.width, pxPerMetre: PX_PER_M, transparent: true }, (context) => {
      context.canvas.height = Math.round(2 * PAD_Y + MAX_LINES * TEXT_PX * LINE);
    });
    this.mesh.visible = false;
  }

  get text(): string | null {
    return this.#text;
  }

  /** Draws `text` (lines separated by `\n`), or hides the panel with null. */
  setText(text: string | null): void {
    if (text === this.#text) return;
    this.#text = text;
    const context = this.context;
    const { width, height } = this.canvas;
    context.clearRect(0, 0, width, height);
    if (!text) return;
    context.font = `600 ${TEXT_PX}px ${PANEL_FONT}`;
    let lines = wrapText(context, text, width - 2 * PAD_X);
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
    this.redrawn();
  }

  /**
   * Moves the panel toward the gaze of `camera` (the XR camera: its world position is the head),
   * `dtSeconds` after the last call. Call every XR frame; `visible` says whether to draw at all.
   */
  follow(camera: Camera, dtSeconds: number, visible: boolean): void {
    this.mesh.visible = visible && this.#text !== null;
    this.followGaze(camera, dtSeconds, visible, GAZE);
  }
}
