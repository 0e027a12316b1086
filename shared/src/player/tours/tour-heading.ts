// Where the viewer faces when a tour scene opens (#15).
//
// The rule: a scene hotspot is a doorway. Going through hotspot H (at yaw Yh, pitch Ph) while looking
// at (Yg, Pg) opens the next scene facing
//   yaw   = base + (Yg - Yh)      where base = the next scene's startYaw, or Yh when it has none
//   pitch = startPitch + (Pg - Ph), or Pg when the next scene has no startPitch; clamped to [-90, 90]
// so a viewer looking straight at the doorway arrives facing the next scene's startYaw (the creator's
// "you come in facing this way"), and one who selected it from 40° to its left arrives 40° to the left
// of that: the turn of the head relative to the doorway is kept. A scene without startYaw continues the
// heading unchanged (yaw = Yg, pitch = Pg), right for scenes shot with the same camera orientation (north up).
// Opening a scene otherwise (the tour's start, a link, a guided step without a doorway) faces its
// startYaw and startPitch (0 when not set).
import { normalizeYaw } from '../../renderer/sphere-renderer.ts';

export type Heading = { yaw: number; pitch: number };

type SceneStart = { startYaw: number | null; startPitch: number | null };

/** The heading a scene opens with when entered without a doorway (tour start, guided step without one). */
export function openingHeading(scene: SceneStart): Heading {
  return { yaw: normalizeYaw(scene.startYaw ?? 0), pitch: clampPitch(scene.startPitch ?? 0) };
}

/** The heading the next scene opens with after going through `hotspot` while looking at `gaze` (see the rule above). */
export function headingThrough(hotspot: Heading, gaze: Heading, next: SceneStart): Heading {
  const base = next.startYaw ?? hotspot.yaw;
  return {
    yaw: normalizeYaw(base + normalizeYaw(gaze.yaw - hotspot.yaw)),
    pitch: clampPitch(next.startPitch !== null ? next.startPitch + (gaze.pitch - hotspot.pitch) : gaze.pitch),
  };
}

function clampPitch(pitch: number): number {
  return Math.min(90, Math.max(-90, pitch));
}
