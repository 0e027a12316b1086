import type { Camera } from 'three';
import { CanvasPanel, PANEL_FONT, wrapText } from './canvas-panel.ts';

/** What the emergency alert panel shows. */
export type PanelAlert = { id: string; severity: 'info' | 'warning' | 'severe' | 'extreme'; headline: string; body: string };

/** Alert panel size and placement in metres and degrees, around the viewer's head in XR space. */
export const ALERT_PANEL = {
  width: 1.5,
  /** Nearer than the caption panel (2 m): an emergency is read first. */
  distance: 1.8,
  /** Degrees above the gaze: the caption sits below it, the alert above, both in view. */
  raiseDegrees: 12,
  /** The panel follows the gaze at once beyond the dead zone: a headset hides the page, so it must stay in sight. */
  followPerSecond: 6,
  deadZoneDegrees: 4,
} as const;

/** Band colour per severity (the page's banner colours); text stays white on near-black. */
export const ALERT_PANEL_COLOURS = { info: '#1f6feb', warning: '#d29922', severe: '#da3633', extreme: '#b62324' } as const;

const PX_PER_M = 420;
const PAD = 26;
const HEAD_PX = 40;
const BODY_PX = 30;
const LINE = 1.3;
const MAX_BODY_LINES = 4;
const BAND = 14;

const GAZE = {
  distance: ALERT_PANEL.distance,
  pitchDegrees: ALERT_PANEL.raiseDegrees,
  followPerSecond: ALERT_PANEL.followPerSecond,
  deadZoneDegrees: ALERT_PANEL.deadZoneDegrees,
} as const;

/** Paints the alert: severity band, headline and text on near-black; sets the canvas height to fit. */
function paintAlert(context: CanvasRenderingContext2D, alert: PanelAlert): void {
  const canvas = context.canvas;
  const textWidth = canvas.width - 2 * PAD;
  context.font = `700 ${HEAD_PX}px ${PANEL_FONT}`;
  const headLines = wrapText(context, `${alert.severity.toUpperCase()}: ${alert.headline}`, textWidth).slice(0, 2);
  context.font = `400 ${BODY_PX}px ${PANEL_FONT}`;
  let bodyLines = wrapText(context, alert.body, textWidth);
  if (bodyLines.length > MAX_BODY_LINES) bodyLines = [...bodyLines.slice(0, MAX_BODY_LINES - 1), `${bodyLines[MAX_BODY_LINES - 1] ?? ''}…`];
  // Resizing the canvas resets the context's state.
  canvas.height = Math.round(BAND + 2 * PAD + headLines.length * HEAD_PX * LINE + 8 + bodyLines.length * BODY_PX * LINE);
  context.fillStyle = 'rgb(10, 10, 12)';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = ALERT_PANEL_COLOURS[alert.severity];
  context.fillRect(0, 0, canvas.width, BAND);
  context.fillRect(0, 0, BAND, canvas.height);
  context.textBaseline = 'top';
  context.fillStyle = '#ffffff';
  context.font = `700 ${HEAD_PX}px ${PANEL_FONT}`;
  let y = BAND + PAD;
  for (const line of headLines) {
    context.fillText(line, PAD + BAND, y);
    y += HEAD_PX * LINE;
  }
  y += 8;
  context.font = `400 ${BODY_PX}px ${PANEL_FONT}`;
  for (const line of bodyLines) {
    context.fillText(line, PAD + BAND, y);
    y += BODY_PX * LINE;
  }
}

/**
 * An emergency alert in WebXR: severity band, headline and text on an opaque panel that follows the
 * viewer's gaze (a little above it) and faces them, drawn over everything. Shown only while presenting;
 * not dismissed in the headset (the page decides which alert is shown).
 */
export class AlertPanel extends CanvasPanel {
  readonly alert: PanelAlert;

  constructor(alert: PanelAlert) {
    // Over the announcement (10) and caption (11) panels.
    super({ name: 'alert-panel', renderOrder: 12, width: ALERT_PANEL.width, pxPerMetre: PX_PER_M }, (context) => paintAlert(context, alert));
    this.alert = alert;
    this.mesh.visible = false;
  }

  /** Call every frame with the XR camera; `visible` is whether an immersive session presents. */
  follow(camera: Camera, dtSeconds: number, visible: boolean): void {
    this.mesh.visible = visible;
    this.followGaze(camera, dtSeconds, visible, GAZE);
  }
}
