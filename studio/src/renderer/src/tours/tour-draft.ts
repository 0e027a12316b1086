// The tour being edited, as plain data in the shapes of the shared tour schema (shared/src/api/tours.ts),
// and the edits the editor makes to it. Pure functions: every edit returns a new draft.
import {
  tourCreateInput,
  tourStructureProblems,
  TOUR_LIMITS,
  type Hotspot,
  type HotspotAction,
  type TourCreateInput,
  type TourDetail,
  type TourMode,
  type TourProblem,
  type TourScene,
} from '@spherecast/shared';
import { roundDirection, type Direction } from './sphere-direction.ts';

export interface TourDraft {
  /** The tour's id on the origin once saved; null before. */
  id: string | null;
  title: string;
  description: string;
  mode: TourMode;
  visibility: TourDetail['visibility'];
  scenes: TourScene[];
}

/** A content item the creator can use as a scene (from the engine's `tours.scenes`). */
export interface SceneSource {
  contentId: string;
  title: string;
}

export function emptyDraft(): TourDraft {
  return { id: null, title: '', description: '', mode: 'free', visibility: 'public', scenes: [] };
}

/** A tour read back from the origin (`tours.get`), ready to edit. */
export function draftFromDetail(tour: Pick<TourDetail, 'id' | 'title' | 'description' | 'mode' | 'visibility' | 'scenes'>): TourDraft {
  return {
    id: tour.id,
    title: tour.title,
    description: tour.description,
    mode: tour.mode,
    visibility: tour.visibility,
    scenes: tour.scenes.map(({ content: _content, ...scene }) => scene),
  };
}

/** The next free id `prefix1`, `prefix2`… among `taken`. */
function nextId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n += 1) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** Appends a scene showing `source`. */
export function addScene(draft: TourDraft, source: SceneSource): { draft: TourDraft; sceneId: string } {
  if (draft.scenes.length >= TOUR_LIMITS.scenesMax) throw new Error(`A tour has at most ${TOUR_LIMITS.scenesMax} scenes; remove one first.`);
  const id = nextId(
    'scene-',
    draft.scenes.map((scene) => scene.id),
  );
  const scene: TourScene = {
    id,
    contentId: source.contentId,
    title: source.title.slice(0, 200) || 'Untitled scene',
    narration: null,
    durationSeconds: null,
    startYaw: null,
    startPitch: null,
    hotspots: [],
  };
  return { draft: { ...draft, scenes: [...draft.scenes, scene] }, sceneId: id };
}

/**
 * Removes a scene. Hotspots elsewhere that led to it keep their target, so the editor (and the origin at
 * publish) can say which ones now lead nowhere.
 */
export function removeScene(draft: TourDraft, sceneId: string): TourDraft {
  return { ...draft, scenes: draft.scenes.filter((scene) => scene.id !== sceneId) };
}

/** Moves a scene up (-1) or down (+1) in the order; the first scene is where the tour starts. */
export function moveScene(draft: TourDraft, sceneId: string, delta: -1 | 1): TourDraft {
  const index = draft.scenes.findIndex((scene) => scene.id === sceneId);
  const to = index + delta;
  if (index < 0 || to < 0 || to >= draft.scenes.length) return draft;
  const scenes = [...draft.scenes];
  const [moved] = scenes.splice(index, 1);
  if (moved) scenes.splice(to, 0, moved);
  return { ...draft, scenes };
}

export function updateScene(draft: TourDraft, sceneId: string, change: Partial<Omit<TourScene, 'id' | 'hotspots'>>): TourDraft {
  return { ...draft, scenes: draft.scenes.map((scene) => (scene.id === sceneId ? { ...scene, ...change } : scene)) };
}

/**
 * Places a hotspot at a direction in a scene. It leads to the next scene in the order (or the first
 * other one); in a tour of one scene it shows an info card until the creator chooses.
 */
export function addHotspot(draft: TourDraft, sceneId: string, direction: Direction): { draft: TourDraft; hotspotId: string } {
  const index = draft.scenes.findIndex((scene) => scene.id === sceneId);
  const scene = draft.scenes[index];
  if (!scene) throw new Error('That scene is no longer in the tour.');
  if (scene.hotspots.length >= TOUR_LIMITS.hotspotsPerSceneMax) {
    throw new Error(`A scene has at most ${TOUR_LIMITS.hotspotsPerSceneMax} hotspots; remove one first.`);
  }
  const others = draft.scenes.filter((other) => other.id !== sceneId);
  const target = draft.scenes[index + 1] ?? others[0];
  const action: HotspotAction = target ? { kind: 'scene', targetSceneId: target.id } : { kind: 'info', title: 'About this place', text: '', imageUrl: null };
  const id = nextId(
    'hotspot-',
    scene.hotspots.map((hotspot) => hotspot.id),
  );
  const { yaw, pitch } = roundDirection(direction);
  const hotspot: Hotspot = { id, label: '', yaw, pitch, action };
  return { draft: updateHotspots(draft, sceneId, (hotspots) => [...hotspots, hotspot]), hotspotId: id };
}

export function updateHotspot(draft: TourDraft, sceneId: string, hotspotId: string, change: Partial<Omit<Hotspot, 'id'>>): TourDraft {
  return updateHotspots(draft, sceneId, (hotspots) => hotspots.map((hotspot) => (hotspot.id === hotspotId ? { ...hotspot, ...change } : hotspot)));
}

export function removeHotspot(draft: TourDraft, sceneId: string, hotspotId: string): TourDraft {
  return updateHotspots(draft, sceneId, (hotspots) => hotspots.filter((hotspot) => hotspot.id !== hotspotId));
}

function updateHotspots(draft: TourDraft, sceneId: string, change: (hotspots: Hotspot[]) => Hotspot[]): TourDraft {
  return { ...draft, scenes: draft.scenes.map((scene) => (scene.id === sceneId ? { ...scene, hotspots: change(scene.hotspots) } : scene)) };
}

/** A new action of `kind` for a hotspot, keeping what can be kept. */
export function actionOfKind(kind: HotspotAction['kind'], draft: TourDraft, sceneId: string, current: HotspotAction): HotspotAction {
  if (kind === current.kind) return current;
  switch (kind) {
    case 'scene': {
      const target = draft.scenes.find((scene) => scene.id !== sceneId);
      return { kind: 'scene', targetSceneId: target?.id ?? '' };
    }
    case 'info':
      return { kind: 'info', title: 'About this place', text: current.kind === 'narration' ? (current.text ?? '') : '', imageUrl: null };
    case 'narration':
      return { kind: 'narration', audioUrl: null, text: current.kind === 'info' ? current.text || null : null };
  }
}

/** What the origin's create/update procedures take. */
export function toTourInput(draft: TourDraft): TourCreateInput {
  return {
    title: draft.title,
    description: draft.description,
    mode: draft.mode,
    visibility: draft.visibility,
    scenes: draft.scenes,
  };
}

/**
 * Problems the editor can see without the origin: the shape (titles, sizes, ids) and the tour's own
 * structure (targets among its scenes, directions inside the sphere, no orphan scene). Whether the
 * scenes' content exists and is visible to the tour's audience is checked by the origin at publish.
 */
export function draftProblems(draft: TourDraft): Pick<TourProblem, 'sceneId' | 'hotspotId' | 'message'>[] {
  const shape = tourCreateInput.safeParse(toTourInput(draft));
  const problems: Pick<TourProblem, 'sceneId' | 'hotspotId' | 'message'>[] = [];
  if (!shape.success) {
    for (const issue of shape.error.issues) {
      const [root, sceneIndex, group, hotspotIndex] = issue.path;
      const scene = root === 'scenes' && typeof sceneIndex === 'number' ? draft.scenes[sceneIndex] : undefined;
      const hotspot = scene && group === 'hotspots' && typeof hotspotIndex === 'number' ? scene.hotspots[hotspotIndex] : undefined;
      const where = hotspot ? `Hotspot "${hotspot.id}" in scene "${scene?.id}": ` : scene ? `Scene "${scene.id}": ` : '';
      const field = issue.path.filter((part) => typeof part === 'string' && !['scenes', 'hotspots', 'action'].includes(part)).join('.');
      problems.push({ sceneId: scene?.id ?? null, hotspotId: hotspot?.id ?? null, message: `${where}${field ? `${field} ` : ''}${issue.message}` });
    }
    return problems;
  }
  return [...problems, ...tourStructureProblems({ mode: draft.mode, scenes: draft.scenes })];
}
