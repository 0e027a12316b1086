// An emulated headset for Chromium tests: Meta's WebXR emulation runtime (IWER) installed into a page as a
// Meta Quest 3 before the page's own scripts run, and driven from the test (head, controller ray, trigger,
// what each eye shows). Node side; the page side is the plain script `headsetInitScript` returns.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

/** Where the page side lives: `window.__spherecastHeadset`. */
export const HEADSET_GLOBAL = '__spherecastHeadset';

export type Hand = 'left' | 'right';

export interface HeadsetOptions {
  /** Render both eyes (left half and right half of the canvas). @default true */
  stereo?: boolean;
}

/** One eye's half of the XR canvas in a drawn frame. */
export interface EyePixels {
  /** RGB at the centre of the eye's viewport (where the eye looks). */
  centre: [number, number, number];
  /** Share of the eye's pixels that are not black (0..1). */
  litShare: number;
  /** Distinct colours (5 bits per channel) in the eye's half: a flat fill has 1. */
  distinctColours: number;
  /** Share of near-white pixels (every channel at least 235): text on panels. */
  whiteShare: number;
  /** Share of near-black pixels (channels summing under 60): panel backgrounds. */
  darkShare: number;
}

/** Both eyes of one drawn frame, read right after the page drew it. */
export interface EyesFrame {
  width: number;
  height: number;
  left: EyePixels;
  right: EyePixels;
}

/** A select (trigger press) the runtime sent to the page, with where its ray pointed (degrees, in the session's `local` space). */
export interface HeadsetSelect {
  hand: string;
  yaw: number;
  pitch: number;
}

/** The page side, as the Node side calls it through `page.evaluate`. */
interface HeadsetPageApi {
  presenting(): boolean;
  lookAt(yaw: number, pitch: number): Promise<void>;
  pointController(hand: Hand, yaw: number, pitch: number): void;
  pressTrigger(hand: Hand): Promise<void>;
  readEyes(): Promise<EyesFrame>;
  selects: HeadsetSelect[];
  end(): Promise<void>;
}
declare global {
  interface Window {
    __spherecastHeadset?: HeadsetPageApi;
  }
}

let iwerSource: Promise<string> | null = null;

/**
 * The direction (degrees, as `pointController` takes it) of a point in the session's reference space (the
 * three.js world of a renderer in XR, e.g. a hotspot's `worldPosition`), seen from where the head was when
 * the session started (the origin of the `local` space).
 */
export function directionTo(point: { x: number; y: number; z: number }): { yaw: number; pitch: number } {
  const length = Math.hypot(point.x, point.y, point.z) || 1;
  return {
    yaw: (Math.atan2(point.x, -point.z) * 180) / Math.PI,
    pitch: (Math.asin(Math.max(-1, Math.min(1, point.y / length))) * 180) / Math.PI,
  };
}

/**
 * The init script: IWER's browser build, then an emulated Quest 3 installed over `navigator.xr` (forced:
 * Chromium has its own WebXR on localhost). Directions are degrees as the player counts them: yaw positive
 * to the right, pitch positive up, 0/0 the way the headset faced when the session started (-Z).
 */
export async function headsetInitScript(options: HeadsetOptions = {}): Promise<string> {
  iwerSource ??= readFile(createRequire(import.meta.url).resolve('iwer/build/iwer.min.js'), 'utf8');
  const stereo = options.stereo ?? true;
  return `${await iwerSource}
;(() => {
  const device = new IWER.XRDevice(IWER.metaQuest3, { stereoEnabled: ${stereo ? 'true' : 'false'} });
  device.installRuntime({ forceInstall: true });
  const selects = [];
  // Yaw about +Y (negative: three.js turns left for positive angles), then pitch about +X.
  const rotation = (yawDeg, pitchDeg) => {
    const half = Math.PI / 360;
    const sy = Math.sin(-yawDeg * half), cy = Math.cos(-yawDeg * half);
    const sx = Math.sin(pitchDeg * half), cx = Math.cos(pitchDeg * half);
    return [cy * sx, sy * cx, -sy * sx, cy * cx];
  };
  const session = () => {
    const s = device.activeSession;
    if (!s) throw new Error('No XR session: enter VR first.');
    return s;
  };
  const nextFrame = () => new Promise((resolve) => session().requestAnimationFrame((time, frame) => resolve(frame)));
  // Every session the page starts: a local space of its own, to report where each select's ray pointed.
  const xr = navigator.xr;
  const requestSession = xr.requestSession.bind(xr);
  xr.requestSession = async (mode, init) => {
    const s = await requestSession(mode, init);
    const local = await s.requestReferenceSpace('local');
    s.addEventListener('select', (event) => {
      const pose = event.frame.getPose(event.inputSource.targetRaySpace, local);
      if (!pose) return;
      const { x, y, z, w } = pose.transform.orientation;
      // The ray is the space's -Z axis, rotated by the orientation.
      const dx = -(2 * (x * z + w * y)), dy = -(2 * (y * z - w * x)), dz = -(1 - 2 * (x * x + y * y));
      selects.push({
        hand: event.inputSource.handedness,
        yaw: (Math.atan2(dx, -dz) * 180) / Math.PI,
        pitch: (Math.asin(Math.max(-1, Math.min(1, dy))) * 180) / Math.PI,
      });
    });
    return s;
  };
  const eye = (px, width, height, x0, x1) => {
    const colours = new Set();
    let lit = 0, white = 0, dark = 0;
    for (let y = 0; y < height; y += 1) {
      for (let x = x0; x < x1; x += 1) {
        const i = (y * width + x) * 4;
        const r = px[i], g = px[i + 1], b = px[i + 2];
        if (r + g + b > 24) lit += 1;
        if (r >= 235 && g >= 235 && b >= 235) white += 1;
        if (r + g + b < 60) dark += 1;
        colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
      }
    }
    const c = (Math.floor(height / 2) * width + Math.floor((x0 + x1) / 2)) * 4;
    const all = (x1 - x0) * height;
    return { centre: [px[c], px[c + 1], px[c + 2]], litShare: lit / all, distinctColours: colours.size, whiteShare: white / all, darkShare: dark / all };
  };
  window.${HEADSET_GLOBAL} = {
    device,
    selects,
    presenting: () => device.activeSession !== undefined && device.activeSession !== null,
    async lookAt(yaw, pitch) {
      device.quaternion.set(...rotation(yaw, pitch));
      // The runtime reads the pose at the start of a frame: two frames on, the page has drawn with it
      // (a session ended right after a turn would otherwise leave the page at the previous pose).
      if (device.activeSession) {
        await nextFrame();
        await nextFrame();
      }
    },
    pointController(hand, yaw, pitch) {
      const controller = device.controllers[hand];
      if (!controller) throw new Error('The emulated headset has no ' + hand + ' controller.');
      // From the eyes, so the ray goes where the viewer looks at that direction.
      controller.position.set(device.position.x, device.position.y, device.position.z);
      controller.quaternion.set(...rotation(yaw, pitch));
    },
    async pressTrigger(hand) {
      const controller = device.controllers[hand];
      if (!controller) throw new Error('The emulated headset has no ' + hand + ' controller.');
      // The runtime applies button changes at the start of a frame: select(start) on the press, selectend on the release.
      controller.updateButtonValue('trigger', 1);
      await nextFrame();
      await nextFrame();
      controller.updateButtonValue('trigger', 0);
      await nextFrame();
      await nextFrame();
    },
    readEyes() {
      const s = session();
      const canvas = device.appCanvas;
      const gl = canvas && (canvas.getContext('webgl2') || canvas.getContext('webgl'));
      if (!gl) throw new Error('The XR session has no WebGL canvas yet.');
      // Two frames on, after the page's own frame callback drew (callbacks run in the order they were
      // registered), in the same task: the drawing buffer is not cleared yet.
      return new Promise((resolve) => {
        s.requestAnimationFrame(() =>
          s.requestAnimationFrame(() => {
            const width = gl.drawingBufferWidth, height = gl.drawingBufferHeight;
            const px = new Uint8Array(width * height * 4);
            gl.bindFramebuffer(gl.FRAMEBUFFER, null);
            gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, px);
            const half = Math.floor(width / 2);
            resolve({ width, height, left: eye(px, width, height, 0, half), right: eye(px, width, height, half, width) });
          }),
        );
      });
    },
    async end() {
      await device.activeSession?.end();
    },
  };
})();
`;
}

/** Installs the emulated headset into every page of `target` opened (or navigated) from now on. */
export async function installHeadset(target: Page | BrowserContext, options: HeadsetOptions = {}): Promise<void> {
  await target.addInitScript({ content: await headsetInitScript(options) });
}

/** Drives the emulated headset of a page where `installHeadset` ran before it loaded. */
export class EmulatedHeadset {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** Installs the headset into `page` (before its next navigation) and returns its driver. */
  static async install(page: Page, options: HeadsetOptions = {}): Promise<EmulatedHeadset> {
    await installHeadset(page, options);
    return new EmulatedHeadset(page);
  }

  /** Whether an immersive session runs now. */
  presenting(): Promise<boolean> {
    return this.page.evaluate(() => window.__spherecastHeadset?.presenting() ?? false);
  }

  /** Waits until a session runs (`true`) or has ended (`false`). */
  async waitForPresenting(presenting: boolean, timeoutMs = 20_000): Promise<void> {
    await this.page.waitForFunction((want) => (window.__spherecastHeadset?.presenting() ?? false) === want, presenting, { timeout: timeoutMs });
  }

  /** Fails with what to do when the page has no emulated headset. */
  async #ready(): Promise<void> {
    if (!(await this.page.evaluate(() => window.__spherecastHeadset !== undefined))) {
      throw new Error('No emulated headset in this page: call installHeadset (or EmulatedHeadset.install) before the page loads.');
    }
  }

  /** Turns the head to a direction (degrees: yaw positive to the right, pitch positive up). */
  async lookAt(yaw: number, pitch = 0): Promise<void> {
    await this.#ready();
    await this.page.evaluate(([y, p]) => window.__spherecastHeadset!.lookAt(y, p), [yaw, pitch] as const);
  }

  /** Points a controller's ray, from the eyes, at a direction (degrees as for `lookAt`). */
  async pointController(yaw: number, pitch = 0, hand: Hand = 'right'): Promise<void> {
    await this.#ready();
    await this.page.evaluate(([h, y, p]) => window.__spherecastHeadset!.pointController(h, y, p), [hand, yaw, pitch] as const);
  }

  /** Presses and releases the trigger (a `select`); resolves once the release reached the page. */
  async pressTrigger(hand: Hand = 'right'): Promise<void> {
    await this.#ready();
    await this.page.evaluate((h) => window.__spherecastHeadset!.pressTrigger(h), hand);
  }

  /** Points at a direction and pulls the trigger: what a viewer does to pick a hotspot. */
  async select(yaw: number, pitch = 0, hand: Hand = 'right'): Promise<void> {
    await this.pointController(yaw, pitch, hand);
    await this.pressTrigger(hand);
  }

  /** Aims at a point of the scene (world space, e.g. a hotspot's `worldPosition`) and pulls the trigger. */
  async selectAt(point: { x: number; y: number; z: number }, hand: Hand = 'right'): Promise<void> {
    const { yaw, pitch } = directionTo(point);
    await this.select(yaw, pitch, hand);
  }

  /** The selects the page received so far, with where each ray pointed. */
  selects(): Promise<HeadsetSelect[]> {
    return this.page.evaluate(() => [...(window.__spherecastHeadset?.selects ?? [])]);
  }

  /** What each eye showed in the next drawn frame. */
  async readEyes(): Promise<EyesFrame> {
    await this.#ready();
    return this.page.evaluate(() => window.__spherecastHeadset!.readEyes());
  }

  /** Ends the session from the headset side (the viewer takes the headset off). */
  async end(): Promise<void> {
    await this.#ready();
    await this.page.evaluate(() => window.__spherecastHeadset!.end());
  }
}
