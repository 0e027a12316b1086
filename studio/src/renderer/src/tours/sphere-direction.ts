// Between a point on the 360 preview and a direction on the sphere, with the same camera the renderer
// draws with (SphereRenderer: vertical fov, camera at the centre looking down -Z, rotation order YXZ with
// pitch about X and -yaw about Y), so a hotspot lands exactly under the click and its marker over it.
import { MathUtils, PerspectiveCamera, Vector3 } from 'three';
import type { View } from '@spherecast/shared/renderer';

/** A direction in the player's degrees: yaw positive to the right (-180..180], pitch positive up (-90..90). */
export interface Direction {
  yaw: number;
  pitch: number;
}

function cameraFor(view: View, width: number, height: number): PerspectiveCamera {
  const camera = new PerspectiveCamera(view.fov, width / Math.max(1, height), 0.1, 200);
  camera.rotation.order = 'YXZ';
  camera.rotation.set(MathUtils.degToRad(view.pitch), -MathUtils.degToRad(view.yaw), 0);
  camera.updateMatrixWorld();
  camera.updateProjectionMatrix();
  return camera;
}

/** The direction under a point of the view (`x`, `y` in CSS pixels from the canvas's top left). */
export function directionAt(view: View, width: number, height: number, x: number, y: number): Direction {
  const camera = cameraFor(view, width, height);
  const ray = new Vector3((x / width) * 2 - 1, 1 - (y / height) * 2, 0.5).unproject(camera).normalize();
  return {
    yaw: MathUtils.radToDeg(Math.atan2(ray.x, -ray.z)),
    pitch: MathUtils.radToDeg(Math.asin(MathUtils.clamp(ray.y, -1, 1))),
  };
}

/** Where a direction appears in the view (CSS pixels), or null when it is behind the viewer or off the canvas. */
export function screenPositionOf(view: View, width: number, height: number, direction: Direction): { x: number; y: number } | null {
  const camera = cameraFor(view, width, height);
  const yaw = MathUtils.degToRad(direction.yaw);
  const pitch = MathUtils.degToRad(direction.pitch);
  const point = new Vector3(Math.sin(yaw) * Math.cos(pitch), Math.sin(pitch), -Math.cos(yaw) * Math.cos(pitch));
  const forward = new Vector3(0, 0, -1).applyQuaternion(camera.quaternion);
  if (point.dot(forward) <= 0) return null;
  const ndc = point.project(camera);
  if (Math.abs(ndc.x) > 1 || Math.abs(ndc.y) > 1) return null;
  return { x: ((ndc.x + 1) / 2) * width, y: ((1 - ndc.y) / 2) * height };
}

/** Rounds a direction for the form (0.1°) and brings yaw into (-180, 180]. */
export function roundDirection(direction: Direction): Direction {
  let yaw = Math.round(direction.yaw * 10) / 10;
  if (yaw <= -180) yaw += 360;
  if (yaw > 180) yaw -= 360;
  return { yaw, pitch: Math.round(direction.pitch * 10) / 10 };
}
