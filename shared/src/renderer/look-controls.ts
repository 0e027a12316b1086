import { Euler, MathUtils, Quaternion, Vector3 } from 'three';
import { VIEW_LIMITS, type SphereRenderer } from './sphere-renderer.ts';

export type LookControlsOptions = {
  /** Follow the device's orientation (phones, tablets) when the browser reports it. @default true */
  deviceOrientation?: boolean;
  /** Degrees of fov per wheel "line" (deltaY of 100 pixels counts as ~1 line). @default 4 */
  wheelStep?: number;
  /** Arrow keys turn by this many degrees when `element` has focus; 0 disables keys. @default 5 */
  keyStep?: number;
};

type Pointer = { x: number; y: number };

/**
 * Mouse and touch drag to look around, wheel and pinch to zoom (fov clamped to VIEW_LIMITS),
 * arrow keys, and device orientation where available. Dragging "grabs" the picture: it follows the finger.
 * Returns a function that removes every listener it added.
 */
export function attachLookControls(renderer: SphereRenderer, element: HTMLElement, options: LookControlsOptions = {}): () => void {
  const wheelStep = options.wheelStep ?? 4;
  const keyStep = options.keyStep ?? 5;
  const pointers = new Map<number, Pointer>();
  let pinchDistance = 0;
  // With device orientation active, drags only shift yaw: the device decides the pitch.
  let orientationActive = false;
  let orientationYawOffset: number | null = null;

  const previousTouchAction = element.style.touchAction;
  element.style.touchAction = 'none';

  const degreesPerPixel = (): number => renderer.getView().fov / Math.max(element.clientHeight, 1);

  const onPointerDown = (event: PointerEvent): void => {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    element.setPointerCapture?.(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) pinchDistance = currentPinchDistance();
  };

  const onPointerMove = (event: PointerEvent): void => {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    const next = { x: event.clientX, y: event.clientY };
    pointers.set(event.pointerId, next);
    if (pointers.size >= 2) {
      const distance = currentPinchDistance();
      if (pinchDistance > 0 && distance > 0) {
        renderer.setView({ fov: renderer.getView().fov * (pinchDistance / distance) });
      }
      pinchDistance = distance;
      return;
    }
    const k = degreesPerPixel();
    const dYaw = -(next.x - last.x) * k;
    const dPitch = (next.y - last.y) * k;
    if (orientationActive && orientationYawOffset !== null) {
      orientationYawOffset += dYaw;
      renderer.setView({ yaw: renderer.getView().yaw + dYaw });
    } else {
      const view = renderer.getView();
      renderer.setView({ yaw: view.yaw + dYaw, pitch: view.pitch + dPitch });
    }
  };

  const onPointerUp = (event: PointerEvent): void => {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) pinchDistance = 0;
  };

  const onWheel = (event: WheelEvent): void => {
    event.preventDefault();
    const lines = event.deltaMode === WheelEvent.DOM_DELTA_PIXEL ? event.deltaY / 100 : event.deltaY;
    const fov = renderer.getView().fov + lines * wheelStep;
    renderer.setView({ fov: MathUtils.clamp(fov, VIEW_LIMITS.minFov, VIEW_LIMITS.maxFov) });
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (keyStep <= 0) return;
    const view = renderer.getView();
    const moves: Record<string, Partial<typeof view>> = {
      ArrowLeft: { yaw: view.yaw - keyStep },
      ArrowRight: { yaw: view.yaw + keyStep },
      ArrowUp: { pitch: view.pitch + keyStep },
      ArrowDown: { pitch: view.pitch - keyStep },
      '+': { fov: view.fov - keyStep },
      '=': { fov: view.fov - keyStep },
      '-': { fov: view.fov + keyStep },
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    renderer.setView(move);
  };

  const onOrientation = (event: DeviceOrientationEvent): void => {
    if (event.alpha === null || event.beta === null || event.gamma === null) return;
    const direction = orientationToDirection(event.alpha, event.beta, event.gamma, screenAngle());
    if (orientationYawOffset === null) orientationYawOffset = renderer.getView().yaw - direction.yaw;
    orientationActive = true;
    renderer.setView({ yaw: direction.yaw + orientationYawOffset, pitch: direction.pitch });
  };

  function currentPinchDistance(): number {
    const [a, b] = [...pointers.values()];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  }

  element.addEventListener('pointerdown', onPointerDown);
  element.addEventListener('pointermove', onPointerMove);
  element.addEventListener('pointerup', onPointerUp);
  element.addEventListener('pointercancel', onPointerUp);
  element.addEventListener('wheel', onWheel, { passive: false });
  element.addEventListener('keydown', onKeyDown);
  const useOrientation = (options.deviceOrientation ?? true) && typeof window !== 'undefined' && 'DeviceOrientationEvent' in window;
  if (useOrientation) window.addEventListener('deviceorientation', onOrientation);

  return () => {
    element.removeEventListener('pointerdown', onPointerDown);
    element.removeEventListener('pointermove', onPointerMove);
    element.removeEventListener('pointerup', onPointerUp);
    element.removeEventListener('pointercancel', onPointerUp);
    element.removeEventListener('wheel', onWheel);
    element.removeEventListener('keydown', onKeyDown);
    if (useOrientation) window.removeEventListener('deviceorientation', onOrientation);
    element.style.touchAction = previousTouchAction;
    pointers.clear();
  };
}

/**
 * iOS Safari only delivers deviceorientation after the page asks, from a user gesture.
 * Resolves true when events will flow (or no permission is needed).
 */
export async function requestDeviceOrientationPermission(): Promise<boolean> {
  const ctor = (globalThis as { DeviceOrientationEvent?: { requestPermission?: () => Promise<'granted' | 'denied'> } }).DeviceOrientationEvent;
  if (!ctor) return false;
  if (typeof ctor.requestPermission !== 'function') return true;
  try {
    return (await ctor.requestPermission()) === 'granted';
  } catch {
    return false;
  }
}

function screenAngle(): number {
  return typeof screen !== 'undefined' && screen.orientation ? screen.orientation.angle : 0;
}

/**
 * Where the back of the device points, as yaw/pitch in degrees, from W3C deviceorientation angles
 * (alpha about Z, beta about X, gamma about Y, intrinsic Z-X'-Y'') and the screen's rotation.
 * Yaw is relative to an arbitrary compass origin; callers keep an offset.
 */
export function orientationToDirection(alpha: number, beta: number, gamma: number, screenDegrees: number): { yaw: number; pitch: number } {
  const quaternion = new Quaternion().setFromEuler(new Euler(MathUtils.degToRad(beta), MathUtils.degToRad(alpha), -MathUtils.degToRad(gamma), 'YXZ'));
  // The device's camera looks out of the back of the screen; W3C angles describe the screen facing up.
  quaternion.multiply(new Quaternion(-Math.sqrt(0.5), 0, 0, Math.sqrt(0.5)));
  quaternion.multiply(new Quaternion().setFromAxisAngle(new Vector3(0, 0, 1), -MathUtils.degToRad(screenDegrees)));
  const forward = new Vector3(0, 0, -1).applyQuaternion(quaternion);
  return {
    yaw: MathUtils.radToDeg(Math.atan2(forward.x, -forward.z)),
    pitch: MathUtils.radToDeg(Math.asin(MathUtils.clamp(forward.y, -1, 1))),
  };
}
