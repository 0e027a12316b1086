import type { WebGLRenderer } from 'three';

/** What the XR helper needs from its renderer. */
export type XrHost = {
  readonly gl: WebGLRenderer;
  /** Whether the renderer was created with `xr: true`. */
  readonly enabled: boolean;
  onSessionStart(): void;
  onSessionEnd(): void;
};

/** Minimal WebXR surface (the DOM lib in TypeScript 5.9 does not declare `navigator.xr`). */
type XrSessionLike = EventTarget & { end(): Promise<void> };
type XrSystemLike = {
  isSessionSupported(mode: 'immersive-vr'): Promise<boolean>;
  requestSession(mode: 'immersive-vr', init?: { optionalFeatures?: string[] }): Promise<XrSessionLike>;
};

function xrSystem(): XrSystemLike | undefined {
  if (typeof navigator === 'undefined') return undefined;
  return (navigator as Navigator & { xr?: XrSystemLike }).xr;
}

/**
 * "Enter VR" for a SphereRenderer: checks for immersive-vr support, starts and ends the session and
 * hands it to three.js, which then renders each eye with its own camera (layer 1 = left, layer 2 = right).
 */
export class SphereXr {
  readonly #host: XrHost;
  #session: XrSessionLike | null = null;
  #onEnd = (): void => {
    this.#session?.removeEventListener('end', this.#onEnd);
    this.#session = null;
    this.#host.onSessionEnd();
  };

  constructor(host: XrHost) {
    this.#host = host;
  }

  /** True while an immersive session is running. */
  get presenting(): boolean {
    return this.#session !== null;
  }

  /** Resolves true when this browser and device can show an immersive-vr session (false if `xr` was off). */
  async isSupported(): Promise<boolean> {
    const xr = xrSystem();
    if (!this.#host.enabled || !xr || (typeof isSecureContext !== 'undefined' && !isSecureContext)) return false;
    try {
      return await xr.isSessionSupported('immersive-vr');
    } catch {
      return false;
    }
  }

  /** Starts an immersive-vr session. Must be called from a user gesture (a click). */
  async enter(): Promise<void> {
    if (this.#session) return;
    const xr = xrSystem();
    if (!this.#host.enabled || !xr) throw new Error('WebXR is not available: open the page in a VR-capable browser over HTTPS.');
    const session = await xr.requestSession('immersive-vr', { optionalFeatures: ['local-floor', 'bounded-floor', 'layers'] });
    this.#session = session;
    session.addEventListener('end', this.#onEnd);
    // 'local' keeps the viewer at the sphere's centre whatever their height.
    this.#host.gl.xr.setReferenceSpaceType('local');
    await this.#host.gl.xr.setSession(session as unknown as XRSession);
    this.#host.onSessionStart();
  }

  /** Ends the immersive session, if any. */
  async exit(): Promise<void> {
    await this.#session?.end();
  }

  /**
   * A ready-made "Enter VR" button: hidden until support is confirmed, toggles the session on click.
   * The caller places it in the page; `className` lets the page style it.
   */
  createButton(options: { label?: string; exitLabel?: string; className?: string } = {}): HTMLButtonElement {
    const label = options.label ?? 'Enter VR';
    const exitLabel = options.exitLabel ?? 'Exit VR';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.hidden = true;
    if (options.className) button.className = options.className;
    void this.isSupported().then((ok) => {
      button.hidden = !ok;
    });
    button.addEventListener('click', () => {
      if (this.presenting) {
        void this.exit();
        return;
      }
      this.enter().then(
        () => {
          button.textContent = exitLabel;
          this.#session?.addEventListener('end', () => {
            button.textContent = label;
          });
        },
        (error: unknown) => {
          button.title = error instanceof Error ? error.message : String(error);
        },
      );
    });
    return button;
  }
}
