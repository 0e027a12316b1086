import { CanvasTexture, LinearFilter, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace, Vector3, type Camera } from 'three';

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
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

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
const right = new Vector3();
const head = new Vector3();
const up = new Vector3(0, 1, 0);

/**
 * An emergency alert in WebXR: severity band, headline and text on an opaque panel that follows the
 * viewer's gaze (a little above it) and faces them, drawn over everything. Shown only while presenting;
 * not dismissed in the headset (the page decides which alert is shown).
 */
export class AlertPanel {
  readonly mesh: Mesh<PlaneGeometry, MeshBasicMaterial>;
  readonly alert: PanelAlert;
  readonly #texture: CanvasTexture;
  readonly #direction = new Vector3(0, 0, -1);
  #placed = false;

  constructor(alert: PanelAlert) {
    this.alert = alert;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw on a 2D canvas.');
    const widthPx = Math.round(ALERT_PANEL.width * PX_PER_M);
    const textWidth = widthPx - 2 * PAD;
    context.font = `700 ${HEAD_PX}px ${FONT}`;
    const headLines = wrap(context, `${alert.severity.toUpperCase()}: ${alert.headline}`, textWidth).slice(0, 2);
    context.font = `400 ${BODY_PX}px ${FONT}`;
    let bodyLines = wrap(context, alert.body, textWidth);
    if (bodyLines.length > MAX_BODY_LINES) bodyLines = [...bodyLines.slice(0, MAX_BODY_LINES - 1), `${bodyLines[MAX_BODY_LINES - 1] ?? ''}…`];
    const band = 14;
    canvas.width = widthPx;
    canvas.height = Math.round(band + 2 * PAD + headLines.length * HEAD_PX * LINE + 8 + bodyLines.length * BODY_PX * LINE);
    context.fillStyle = 'rgb(10, 10, 12)';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = ALERT_PANEL_COLOURS[alert.severity];
    context.fillRect(0, 0, canvas.width, band);
    context.fillRect(0, 0, band, canvas.height);
    context.textBaseline = 'top';
    context.fillStyle = '#ffffff';
    context.font = `700 ${HEAD_PX}px ${FONT}`;
    let y = band + PAD;
    for (const line of headLines) {
      context.fillText(line, PAD + band, y);
      y += HEAD_PX * LINE;
    }
    y += 8;
    context.font = `400 ${BODY_PX}px ${FONT}`;
    for (const line of bodyLines) {
      context.fillText(line, PAD + band, y);
      y += BODY_PX * LINE;
    }
    this.#texture = new CanvasTexture(canvas);
    this.#texture.colorSpace = SRGBColorSpace;
    this.#texture.generateMipmaps = false;
    this.#texture.minFilter = LinearFilter;
    const material = new MeshBasicMaterial({ map: this.#texture, depthTest: false, depthWrite: false, toneMapped: false });
    this.mesh = new Mesh(new PlaneGeometry(ALERT_PANEL.width, canvas.height / PX_PER_M), material);
    this.mesh.name = 'alert-panel';
    // Over the announcement (10) and caption (11) panels.
    this.mesh.renderOrder = 12;
    this.mesh.frustumCulled = false;
    this.mesh.visible = false;
  }

  /** Unit vector from the viewer's head to the panel centre. */
  get direction(): Vector3 {
    return this.#direction.clone();
  }

  /** Call every frame with the XR camera; `visible` is whether an immersive session presents. */
  follow(camera: Camera, dtSeconds: number, visible: boolean): void {
    this.mesh.visible = visible;
    if (!visible) {
      this.#placed = false;
      return;
    }
    camera.getWorldPosition(head);
    camera.getWorldDirection(forward);
    right.crossVectors(forward, up);
    if (right.lengthSq() < 1e-6) right.set(1, 0, 0);
    right.normalize();
    const wanted = forward
      .clone()
      .applyAxisAngle(right, (ALERT_PANEL.raiseDegrees * Math.PI) / 180)
      .normalize();
    if (!this.#placed) {
      this.#direction.copy(wanted);
      this.#placed = true;
    } else if ((this.#direction.angleTo(wanted) * 180) / Math.PI > ALERT_PANEL.deadZoneDegrees) {
      this.#direction.lerp(wanted, Math.min(1, ALERT_PANEL.followPerSecond * Math.max(0, dtSeconds))).normalize();
    }
    this.mesh.position.copy(head).addScaledVector(this.#direction, ALERT_PANEL.distance);
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
