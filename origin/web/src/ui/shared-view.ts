// Sharing a moment (#15): the watch page's stage tells the share button where the viewer is (time,
// view direction), and opens a shared link at the moment and direction it carries.
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { parseSharedView, type SharedView } from '@spherecast/shared';

type View = { yaw: number; pitch: number };
/** The part of the sphere renderer this needs (kept structural: the renderer is in the lazy watch chunk). */
export interface ViewTarget {
  setView(view: Partial<View>): void;
  getView(): View & { fov: number };
  on(event: 'view', listener: (view: View & { fov: number }) => void): void;
  off(event: 'view', listener: (view: View & { fov: number }) => void): void;
}

/** Per page key (`content:<id>`): what the stage on screen reports as the current moment. */
const sources = new Map<string, () => SharedView>();

/** The stage registers how to read the current moment; returns the function that unregisters it. */
export function provideMoment(key: string, read: () => SharedView): () => void {
  sources.set(key, read);
  return () => {
    if (sources.get(key) === read) sources.delete(key);
  };
}

/** The current moment of the stage showing `key`, or null when none is on screen. */
export function currentMoment(key: string): SharedView | null {
  return sources.get(key)?.() ?? null;
}

/**
 * Turns the renderer to the direction a shared link carries (`?yaw=…&pitch=…`), and mirrors the view
 * on `element` as `data-view-yaw` / `data-view-pitch` (for tests and assistive tooling). Returns the
 * function that stops mirroring.
 */
export function bindSharedView(renderer: ViewTarget, element: HTMLElement | null, search: string): () => void {
  const shared = parseSharedView(search);
  if (shared.yaw !== null || shared.pitch !== null) {
    renderer.setView({ ...(shared.yaw !== null ? { yaw: shared.yaw } : {}), ...(shared.pitch !== null ? { pitch: shared.pitch } : {}) });
  }
  const mirror = (view: View): void => {
    if (!element) return;
    element.dataset.viewYaw = view.yaw.toFixed(2);
    element.dataset.viewPitch = view.pitch.toFixed(2);
  };
  mirror(renderer.getView());
  renderer.on('view', mirror);
  return () => renderer.off('view', mirror);
}

/**
 * For a stage showing `key`: a renderer callback that applies the shared link's direction and mirrors
 * the view on `stageRef`, and the moment (the video's time, the renderer's direction) the share
 * button reads while the stage is on screen.
 */
export function useSharedView(key: string, video: HTMLVideoElement | null, stageRef: RefObject<HTMLElement | null>): (renderer: ViewTarget | null) => void {
  const renderer = useRef<ViewTarget | null>(null);
  const unbind = useRef<(() => void) | null>(null);
  useEffect(
    () =>
      provideMoment(key, () => {
        const view = renderer.current?.getView();
        return { t: video ? video.currentTime : null, yaw: view?.yaw ?? null, pitch: view?.pitch ?? null };
      }),
    [key, video],
  );
  useEffect(() => () => unbind.current?.(), []);
  return useCallback(
    (next: ViewTarget | null) => {
      unbind.current?.();
      renderer.current = next;
      unbind.current = next ? bindSharedView(next, stageRef.current, location.search) : null;
    },
    [stageRef],
  );
}
