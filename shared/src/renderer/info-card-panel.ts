// A tour's info card (#15) in a headset: the page's card cannot be seen there, so the card is drawn on a
// panel in front of the viewer that follows their gaze (like the caption and alert panels). Any select
// (trigger or pinch) closes it while it shows.
import { Group, Quaternion, type Camera, type Ray } from 'three';
import { CanvasPanel, PANEL_FONT, wrapText } from './canvas-panel.ts';
import type { OverlayFrame, SphereOverlay } from './scene-overlay.ts';

/** What the info card panel shows. */
export type PanelInfoCard = { id: string; title: string; text: string; image: HTMLImageElement | null };

export const INFO_CARD_PANEL = {
  width: 1.2,
  /** Metres from the eyes: a little nearer than captions (2 m), so it is read first. */
  distance: 1.7,
  /** Degrees above the gaze. */
  raiseDegrees: 4,
  followPerSecond: 3,
  deadZoneDegrees: 10,
} as const;

const PX_PER_M = 480;
const PAD = 28;
const TITLE_PX = 40;
const TEXT_PX = 30;
const LINE = 1.3;
const MAX_TEXT_LINES = 8;
const IMAGE_MAX_PX = 260;
const HINT = 'Press the trigger to close';

const GAZE = {
  distance: INFO_CARD_PANEL.distance,
  pitchDegrees: INFO_CARD_PANEL.raiseDegrees,
  followPerSecond: INFO_CARD_PANEL.followPerSecond,
  deadZoneDegrees: INFO_CARD_PANEL.deadZoneDegrees,
} as const;

class InfoCardCanvas extends CanvasPanel {
  constructor(card: PanelInfoCard) {
    super({ name: 'info-card-panel', renderOrder: 12, width: INFO_CARD_PANEL.width, pxPerMetre: PX_PER_M }, (context) => paintCard(context, card));
  }

  follow(camera: Camera, dtSeconds: number, presenting: boolean): void {
    this.mesh.visible = presenting;
    this.followGaze(camera, dtSeconds, presenting, GAZE);
  }
}

function paintCard(context: CanvasRenderingContext2D, card: PanelInfoCard): void {
  const canvas = context.canvas;
  const width = canvas.width - 2 * PAD;
  context.font = `700 ${TITLE_PX}px ${PANEL_FONT}`;
  const titleLines = wrapText(context, card.title, width, { cutLongWords: true }).slice(0, 2);
  context.font = `400 ${TEXT_PX}px ${PANEL_FONT}`;
  const textLines = card.text ? wrapText(context, card.text, width, { cutLongWords: true }).slice(0, MAX_TEXT_LINES) : [];
  const image = card.image && card.image.complete && card.image.naturalWidth > 0 ? card.image : null;
  const imageHeight = image ? Math.min(IMAGE_MAX_PX, (width * image.naturalHeight) / image.naturalWidth) : 0;
  const imageWidth = image ? (imageHeight * image.naturalWidth) / image.naturalHeight : 0;
  canvas.height = Math.round(
    2 * PAD + titleLines.length * TITLE_PX * LINE + (image ? imageHeight + PAD / 2 : 0) + textLines.length * TEXT_PX * LINE + TEXT_PX * LINE + PAD / 2,
  );
  context.fillStyle = 'rgba(12, 12, 12, 0.92)';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#ffffff';
  context.textBaseline = 'top';
  let y = PAD;
  context.font = `700 ${TITLE_PX}px ${PANEL_FONT}`;
  for (const line of titleLines) {
    context.fillText(line, PAD, y);
    y += TITLE_PX * LINE;
  }
  if (image) {
    try {
      context.drawImage(image, PAD + (width - imageWidth) / 2, y, imageWidth, imageHeight);
    } catch {
      // A picture from another site without CORS taints nothing here (drawImage throws only for broken images): left out.
    }
    y += imageHeight + PAD / 2;
  }
  context.font = `400 ${TEXT_PX}px ${PANEL_FONT}`;
  for (const line of textLines) {
    context.fillText(line, PAD, y);
    y += TEXT_PX * LINE;
  }
  context.fillStyle = '#b8b8b8';
  context.font = `400 ${Math.round(TEXT_PX * 0.8)}px ${PANEL_FONT}`;
  context.fillText(HINT, PAD, y + PAD / 2);
}

const inverse = new Quaternion();

/**
 * The info card as a scene overlay: shown only while a headset presents, in front of the gaze; a select
 * closes it (`onClose`). The overlay's group undoes the sphere's turn, so the panel is placed in the
 * head's (world) space like the other panels.
 */
export class InfoCardOverlay implements SphereOverlay {
  readonly object = new Group();
  #panel: InfoCardCanvas | null = null;
  #card: PanelInfoCard | null = null;

  constructor(private readonly onClose: (card: PanelInfoCard) => void) {
    this.object.name = 'info-card';
  }

  /** Shows a card (replacing any), or none with null. */
  setCard(card: PanelInfoCard | null): void {
    this.#panel?.dispose();
    this.#panel = null;
    this.#card = card;
    if (card) {
      this.#panel = new InfoCardCanvas(card);
      this.object.add(this.#panel.mesh);
    }
  }

  /** The card shown, whether it is drawn now (only while presenting) and its world position. */
  getCard(): { id: string; title: string; visible: boolean } | null {
    if (!this.#card || !this.#panel) return null;
    return { id: this.#card.id, title: this.#card.title, visible: this.#panel.mesh.visible };
  }

  frame(frame: OverlayFrame): boolean {
    const parent = this.object.parent;
    if (parent) {
      parent.getWorldQuaternion(inverse).invert();
      this.object.quaternion.copy(inverse);
      this.object.updateMatrixWorld();
    }
    if (!this.#panel) return false;
    const wasVisible = this.#panel.mesh.visible;
    this.#panel.follow(frame.camera, frame.dtSeconds, frame.presenting);
    return frame.presenting || wasVisible !== this.#panel.mesh.visible;
  }

  select(ray: Ray): boolean {
    void ray;
    const card = this.#card;
    if (!card || !this.#panel?.mesh.visible) return false;
    this.setCard(null);
    this.onClose(card);
    return true;
  }

  dispose(): void {
    this.setCard(null);
    this.object.removeFromParent();
  }
}
