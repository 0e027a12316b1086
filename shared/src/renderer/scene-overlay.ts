// Objects a page adds to the 360 scene, drawn with the picture (tour hotspots, #15). They are children
// of the sphere, so a direction on the picture (yaw, pitch) stays on the same spot of the picture on
// screen and in a headset, where the sphere is turned to put what the viewer was looking at in front.
import { MathUtils, Quaternion, Ray, Vector3, type Camera, type Object3D, type WebXRManager } from 'three';

/** A direction on the picture, in degrees, as in `View`: yaw (-180, 180] positive to the right, pitch [-90, 90] positive up. */
export type PictureDirection = { yaw: number; pitch: number };

/** What an overlay gets every rendered frame. */
export type OverlayFrame = {
  /** The camera drawing this frame (in a headset, three.js's XR camera: its world pose is the head's). */
  camera: Camera;
  /** Whether an immersive WebXR session is showing the scene. */
  presenting: boolean;
  /** Seconds since the previous frame (0 on the first). */
  dtSeconds: number;
  /** Where the centre of the view points on the picture: the screen view, or the head's forward direction. */
  gaze: PictureDirection;
};

/** Something drawn in the scene with the picture. */
export interface SphereOverlay {
  /** Added to the sphere (picture) group; positions are in picture space (metres, the sphere has a radius of 50). */
  readonly object: Object3D;
  /** Runs each rendered frame; answers true when it changed and the scene must be drawn again. */
  frame?(frame: OverlayFrame): boolean;
  /** A WebXR select (trigger or pinch) with its controller's target ray in world space; true when the overlay handled it. */
  select?(ray: Ray): boolean;
}

/** Unit vector of a picture direction in picture (sphere) space: yaw 0 pitch 0 is -Z, yaw 90 is +X, pitch 90 is +Y. */
export function directionVector(yaw: number, pitch: number, target = new Vector3()): Vector3 {
  const y = MathUtils.degToRad(yaw);
  const p = MathUtils.degToRad(pitch);
  return target.set(Math.sin(y) * Math.cos(p), Math.sin(p), -Math.cos(y) * Math.cos(p));
}

/** The picture direction of a unit vector in picture space (inverse of `directionVector`). */
export function directionOf(vector: Vector3): PictureDirection {
  const length = vector.length() || 1;
  return {
    yaw: MathUtils.radToDeg(Math.atan2(vector.x, -vector.z)),
    pitch: MathUtils.radToDeg(Math.asin(MathUtils.clamp(vector.y / length, -1, 1))),
  };
}

const scratch = new Vector3();
const inverse = new Quaternion();

/** Where `camera` looks on the picture held by `picture` (the sphere group, maybe turned in a headset). */
export function gazeOnPicture(camera: Camera, picture: Object3D): PictureDirection {
  camera.getWorldDirection(scratch);
  picture.getWorldQuaternion(inverse).invert();
  return directionOf(scratch.applyQuaternion(inverse));
}

/** The part of an XRFrame a select event's ray needs. */
type XrFrameLike = {
  getPose(space: unknown, base: unknown): { transform: { position: DOMPointReadOnly; orientation: DOMPointReadOnly } } | null | undefined;
};

/** The target ray of a WebXR `select` event's input source in the session's reference space (= three.js world), or null. */
export function xrSelectRay(event: Event, xr: WebXRManager): Ray | null {
  const { frame, inputSource } = event as Event & { frame?: XrFrameLike; inputSource?: { targetRaySpace: unknown } };
  const space = xr.getReferenceSpace();
  if (!frame || !inputSource || !space) return null;
  const pose = frame.getPose(inputSource.targetRaySpace, space);
  if (!pose) return null;
  const { position: p, orientation: o } = pose.transform;
  return new Ray(new Vector3(p.x, p.y, p.z), new Vector3(0, 0, -1).applyQuaternion(new Quaternion(o.x, o.y, o.z, o.w)).normalize());
}
