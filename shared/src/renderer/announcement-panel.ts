import { CanvasPanel, PANEL_FONT, wrapText } from './canvas-panel.ts';

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
/** Panel background (opaque so the text reads over any picture). */
export const PANEL_BACKGROUND = [13, 17, 23] as const;

/** Paints the announcement: bold title over the body, with an accent bar; sets the canvas height to fit. */
function paintAnnouncement(context: CanvasRenderingContext2D, announcement: PanelAnnouncement): void {
  const canvas = context.canvas;
  const widthPx = canvas.width;
  const textWidth = widthPx - 2 * PAD;
  const cut = { cutLongWords: true, keepBlankLines: true };
  context.font = `700 ${TITLE_PX}px ${PANEL_FONT}`;
  const titleLines = wrapText(context, announcement.title, textWidth, cut).slice(0, 2);
  context.font = `400 ${BODY_PX}px ${PANEL_FONT}`;
  let bodyLines = wrapText(context, announcement.body, textWidth, cut);
  if (bodyLines.length > MAX_BODY_LINES) bodyLines = [...bodyLines.slice(0, MAX_BODY_LINES - 1), `${bodyLines[MAX_BODY_LINES - 1] ?? ''}…`];
  const heightPx = Math.round(2 * PAD + titleLines.length * TITLE_PX * LINE + (bodyLines.length ? 8 + bodyLines.length * BODY_PX * LINE : 0));
  canvas.height = heightPx;

  // Resizing the canvas reset the context's state.
  const [r, g, b] = PANEL_BACKGROUND;
  context.fillStyle = `rgb(${r}, ${g}, ${b})`;
  context.fillRect(0, 0, widthPx, heightPx);
  context.fillStyle = '#58a6ff';
  context.fillRect(0, 0, 10, heightPx);
  context.textBaseline = 'top';
  context.fillStyle = '#e6edf3';
  context.font = `700 ${TITLE_PX}px ${PANEL_FONT}`;
  let y = PAD;
  for (const line of titleLines) {
    context.fillText(line, PAD, y);
    y += TITLE_PX * LINE;
  }
  y += 8;
  context.font = `400 ${BODY_PX}px ${PANEL_FONT}`;
  context.fillStyle = '#c9d1d9';
  for (const line of bodyLines) {
    context.fillText(line, PAD, y);
    y += BODY_PX * LINE;
  }
}

/**
 * An announcement drawn on a canvas texture, on a plane in front of the viewer. Drawn over the
 * sphere (no depth test, drawn last) on layer 0, which both XR eyes see.
 */
export class AnnouncementPanel extends CanvasPanel {
  readonly announcement: PanelAnnouncement;

  constructor(announcement: PanelAnnouncement) {
    super({ name: 'announcement-panel', renderOrder: 10, width: ANNOUNCEMENT_PANEL.width, pxPerMetre: PX_PER_M }, (context) =>
      paintAnnouncement(context, announcement),
    );
    this.announcement = announcement;
    this.mesh.position.set(0, -ANNOUNCEMENT_PANEL.drop, -ANNOUNCEMENT_PANEL.distance);
    // Tilted up toward the eyes, as a lectern is.
    this.mesh.rotation.x = Math.atan2(ANNOUNCEMENT_PANEL.drop, ANNOUNCEMENT_PANEL.distance);
  }
}
