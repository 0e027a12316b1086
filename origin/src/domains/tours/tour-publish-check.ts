import { tourStructureProblems, type TourMode, type TourProblem, type TourScene } from '@spherecast/shared';
import type { PrismaClient } from '../../db/database.ts';

/** Content statuses a tour scene can show: a finished video or photo, or a broadcast's recording. */
const SCENE_READY_STATUSES = ['ready', 'ended'] as const;

interface TourToCheck {
  ownerId: string;
  mode: TourMode;
  visibility: 'public' | 'unlisted' | 'private';
  scenes: TourScene[];
}

/**
 * Everything that stops a tour from being published, in the order a creator would fix them: the
 * structural problems (`tourStructureProblems`), then each scene's content: it must exist, be ready and
 * be visible to the tour's audience. A public or unlisted tour is opened by anyone with its link, so its
 * scenes must be public or unlisted content; a private tour is seen by its owner only, so its scenes must
 * be content the owner can see. A scene's content problem names the hotspots leading to that scene (what
 * the creator clicked to link it), or the scene itself when none does (the first scene, or a guided step).
 */
export async function tourPublishProblems(prisma: PrismaClient, tour: TourToCheck): Promise<TourProblem[]> {
  const problems = tourStructureProblems(tour);
  const ids = [...new Set(tour.scenes.map((scene) => scene.contentId))];
  const rows = await prisma.content.findMany({
    where: { id: { in: ids } },
    select: { id: true, ownerId: true, kind: true, status: true, visibility: true, title: true },
  });
  const contents = new Map(rows.map((row) => [row.id, row]));
  tour.scenes.forEach((scene, sceneIndex) => {
    const content = contents.get(scene.contentId);
    let problem: { code: TourProblem['code']; why: string; fix: string } | null = null;
    // Not being allowed to see it reads as not existing: a tour must not reveal another creator's private content.
    if (!content || (content.ownerId !== tour.ownerId && content.visibility === 'private')) {
      problem = { code: 'missing-content', why: `content ${scene.contentId}, which does not exist`, fix: 'choose one of your published videos or photos' };
    } else if (!(SCENE_READY_STATUSES as readonly string[]).includes(content.status)) {
      problem = {
        code: 'content-not-ready',
        why: `“${content.title}”, which is ${content.status === 'live' ? 'still live' : `not published yet (${content.status})`}`,
        fix: 'wait until it is published or choose another video or photo',
      };
    } else if (tour.visibility !== 'private' && content.visibility === 'private') {
      problem = {
        code: 'content-not-visible',
        why: `“${content.title}”, which is private while the tour is ${tour.visibility}`,
        fix: 'make the content public or unlisted, make the tour private, or choose other content',
      };
    }
    if (!problem) return;
    const incoming = tour.scenes.flatMap((from, fromIndex) =>
      from.hotspots.flatMap((hotspot, hotspotIndex) =>
        hotspot.action.kind === 'scene' && hotspot.action.targetSceneId === scene.id ? [{ from, fromIndex, hotspot, hotspotIndex }] : [],
      ),
    );
    const sceneText = `scene "${scene.id}" (${scene.title}) shows ${problem.why}`;
    if (incoming.length === 0) {
      problems.push({
        code: problem.code,
        sceneId: scene.id,
        hotspotId: null,
        path: ['scenes', sceneIndex, 'contentId'],
        message: `The ${sceneText}; ${problem.fix}.`,
      });
      return;
    }
    for (const { from, fromIndex, hotspot, hotspotIndex } of incoming) {
      problems.push({
        code: problem.code,
        sceneId: from.id,
        hotspotId: hotspot.id,
        path: ['scenes', fromIndex, 'hotspots', hotspotIndex, 'action', 'targetSceneId'],
        message: `The hotspot "${hotspot.id}"${hotspot.label ? ` (${hotspot.label})` : ''} in scene "${from.id}" leads to ${sceneText}; ${problem.fix}.`,
      });
    }
  });
  return problems;
}
