import {
  CanvasTexture,
  DoubleSide,
  Group,
  LinearFilter,
  Mesh,
  MeshBasicMaterial,
  PlaneGeometry,
  Raycaster,
  ShaderMaterial,
  SRGBColorSpace,
  Vector3,
  type Camera,
  type Texture,
} from 'three';

/** What the renderer shows of an ad: its form, and the label and skip state drawn in the headset. */
export type RendererAd = {
  /** flat: on a virtual screen in front of the viewer (the sphere goes dark); 360: on the sphere. */
  form: 'flat' | '360';
  /** The countdown, e.g. "Ad · 0:12". */
  label: string;
  /** The skip control: not offered, counting down ("Skip in 3"), or ready. */
  skip: { kind: 'none' } | { kind: 'in'; seconds: number } | { kind: 'ready' };
  /** The ad has a click-through (select on the screen in a headset opens it). */
  clickable: boolean;
};

/** Screen size and placement in metres, around the viewer's head. */
export const AD_SCREEN = {
  /** Width of the virtual screen in a headset; its height follows the creative's aspect ratio. */
  width: 2.4,
  /** How far in front of the viewer in a headset (nearer than the sphere). */
  distance: 3,
  /** On a flat display: the share of the view's height the screen fills (less if it would be too wide). */
  viewHeightShare: 0.7,
  /** Label bar under the screen (or under the gaze for 360 ads), metres. */
  labelWidth: 1.2,
  labelHeight: 0.15,
} as const;

const LABEL_PX = { width: 768, height: 96 } as const;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

// Like the sphere's material, the screen writes the frame's bytes unchanged (no colour-space conversion).
const vertexShader = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`;
const fragmentShader = /* glsl */ `
uniform sampler2D map;
uniform float hasMap;
varying vec2 vUv;
void main() {
  gl_FragColor = vec4(hasMap > 0.5 ? texture2D(map, vUv).rgb : vec3(0.0), 1.0);
}
`;

const head = new Vector3();
const forward = new Vector3();

/** Which part of the ad a headset's select ray hits. */
export type AdTarget = 'skip' | 'screen' | null;

/**
 * A flat ad's virtual screen (a plane textured with the playing video) and, in a headset, a label
 * bar with "Ad · 0:12" and the skip control. Placed in front of the viewer: on a flat display it stays
 * in the middle of the view; in a headset it is set where the viewer looks when the ad starts (level,
 * facing them) and stays there. Drawn over the sphere on layer 0, which both eyes see.
 */
export class AdScreen {
  readonly group = new Group();
  readonly screen: Mesh<PlaneGeometry, ShaderMaterial>;
  readonly label: Mesh<PlaneGeometry, MeshBasicMaterial>;
  readonly #labelCanvas: HTMLCanvasElement;
  readonly #labelTexture: CanvasTexture;
  readonly #raycaster = new Raycaster();
  #ad: RendererAd;
  #drawn = '';
  #placedInXr = false;
  #aspect = 16 / 9;

  constructor(ad: RendererAd) {
    this.#ad = ad;
    this.group.name = 'ad-screen';
    const material = new ShaderMaterial({
      uniforms: { map: { value: null }, hasMap: { value: 0 } },
      vertexShader,
      fragmentShader,
      side: DoubleSide,
      depthTest: false,
      depthWrite: false,
    });
    this.screen = new Mesh(new PlaneGeometry(1, 1), material);
    this.screen.name = 'ad-screen-video';
    this.screen.renderOrder = 5;
    this.screen.frustumCulled = false;
    this.#labelCanvas = document.createElement('canvas');
    this.#labelCanvas.width = LABEL_PX.width;
    this.#labelCanvas.height = LABEL_PX.height;
    this.#labelTexture = new CanvasTexture(this.#labelCanvas);
    this.#labelTexture.colorSpace = SRGBColorSpace;
    this.#labelTexture.generateMipmaps = false;
    this.#labelTexture.minFilter = LinearFilter;
    this.label = new Mesh(
      new PlaneGeometry(AD_SCREEN.labelWidth, AD_SCREEN.labelHeight),
      new MeshBasicMaterial({ map: this.#labelTexture, depthTest: false, depthWrite: false, toneMapped: false }),
    );
    this.label.name = 'ad-screen-label';
    this.label.renderOrder = 6;
    this.label.frustumCulled = false;
    this.group.add(this.screen, this.label);
    this.update(ad);
  }

  get ad(): RendererAd {
    return this.#ad;
  }

  /** The screen's width / height (the creative's). */
  get aspect(): number {
    return this.#aspect;
  }

  update(ad: RendererAd): void {
    this.#ad = ad;
    this.screen.visible = ad.form === 'flat';
    this.#drawLabel();
  }

  /** The video texture the screen shows (the renderer's current source), and its aspect ratio. */
  setPicture(texture: Texture | null, width: number, height: number): void {
    const uniforms = this.screen.material.uniforms as { map: { value: Texture | null }; hasMap: { value: number } };
    uniforms.map.value = texture;
    uniforms.hasMap.value = texture ? 1 : 0;
    if (width > 0 && height > 0) this.#aspect = width / height;
  }

  /**
   * Places the group for this frame. On a flat display (`presenting` false) the screen sits in the
   * middle of `camera`'s view, filling AD_SCREEN.viewHeightShare of it, and the label is hidden (the
   * page shows its own). In a headset the screen is set once in front of the head, level, and the
   * label bar sits under it (for a 360 ad, alone, below the gaze).
   */
  place(camera: Camera & { fov?: number; aspect?: number }, presenting: boolean): void {
    const aspect = this.#aspect;
    if (!presenting) {
      this.#placedInXr = false;
      this.label.visible = false;
      const fov = ((camera.fov ?? 75) * Math.PI) / 180;
      const viewHeightAt1m = 2 * Math.tan(fov / 2);
      const viewAspect = camera.aspect ?? 16 / 9;
      // Fill the share of the view's height, unless that is wider than 90 % of the view.
      const height = 1;
      const width = height * aspect;
      const distance = Math.max(height / (AD_SCREEN.viewHeightShare * viewHeightAt1m), width / (0.9 * viewHeightAt1m * viewAspect));
      this.screen.scale.set(width, height, 1);
      this.screen.position.set(0, 0, 0);
      camera.getWorldPosition(head);
      camera.getWorldDirection(forward);
      this.group.position.copy(head).addScaledVector(forward, distance);
      this.group.quaternion.copy(camera.quaternion);
      this.group.updateMatrixWorld();
      return;
    }
    this.label.visible = true;
    const width = AD_SCREEN.width;
    const height = width / aspect;
    this.screen.scale.set(width, height, 1);
    const flat = this.#ad.form === 'flat';
    this.label.position.set(0, flat ? -height / 2 - AD_SCREEN.labelHeight : -0.9, flat ? 0 : 0);
    if (this.#placedInXr) return;
    this.#placedInXr = true;
    camera.getWorldPosition(head);
    camera.getWorldDirection(forward);
    forward.y = 0;
    if (forward.lengthSq() < 1e-6) forward.set(0, 0, -1);
    forward.normalize();
    const distance = flat ? AD_SCREEN.distance : 2;
    this.group.position.copy(head).addScaledVector(forward, distance);
    this.group.lookAt(head);
    this.group.updateMatrixWorld();
  }

  /** World positions of the screen's centre and of the skip control (the right third of the label bar), where a controller aims. */
  targets(): { screen: Vector3; skip: Vector3 } {
    this.group.updateMatrixWorld();
    return {
      screen: this.screen.getWorldPosition(new Vector3()),
      skip: this.label.localToWorld(new Vector3(AD_SCREEN.labelWidth / 3, 0, 0)),
    };
  }

  /** What a ray (a headset controller's, in world space) hits: the skip control, the screen, or nothing. */
  hit(origin: Vector3, direction: Vector3): AdTarget {
    this.#raycaster.set(origin, direction);
    const hits = this.#raycaster.intersectObjects(
      [this.label, this.screen].filter((m) => m.visible),
      false,
    );
    const first = hits[0];
    if (!first) return null;
    if (first.object === this.label) {
      // The skip control is the right third of the label bar.
      return this.#ad.skip.kind === 'ready' && (first.uv?.x ?? 0) > 2 / 3 ? 'skip' : null;
    }
    return this.#ad.clickable ? 'screen' : null;
  }

  dispose(): void {
    this.group.removeFromParent();
    this.screen.geometry.dispose();
    this.screen.material.dispose();
    this.label.geometry.dispose();
    this.label.material.dispose();
    this.#labelTexture.dispose();
  }

  #drawLabel(): void {
    const ad = this.#ad;
    const skip = ad.skip.kind === 'ready' ? 'Skip ad ▸' : ad.skip.kind === 'in' ? `Skip in ${Math.ceil(ad.skip.seconds)}` : '';
    const key = `${ad.label}|${skip}|${ad.clickable}`;
    if (key === this.#drawn) return;
    this.#drawn = key;
    const context = this.#labelCanvas.getContext('2d');
    if (!context) return;
    const { width, height } = LABEL_PX;
    context.clearRect(0, 0, width, height);
    context.fillStyle = 'rgba(8, 8, 8, 0.85)';
    context.fillRect(0, 0, width, height);
    context.textBaseline = 'middle';
    context.font = `600 44px ${FONT}`;
    context.fillStyle = '#f5c542';
    context.fillText(ad.label, 24, height / 2);
    if (skip) {
      context.fillStyle = ad.skip.kind === 'ready' ? '#ffffff' : '#9aa4ae';
      if (ad.skip.kind === 'ready') context.fillRect((width * 2) / 3, 0, 4, height);
      context.textAlign = 'right';
      context.fillText(skip, width - 24, height / 2);
      context.textAlign = 'left';
    }
    this.#labelTexture.needsUpdate = true;
  }
}
