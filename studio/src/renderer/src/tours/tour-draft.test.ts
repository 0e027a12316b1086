// The tour editor's draft edits and its click <-> direction conversion, in Node.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tourCreateInput } from '@spherecast/shared';
import { directionAt, roundDirection, screenPositionOf } from './sphere-direction.ts';
import { addHotspot, addScene, draftProblems, emptyDraft, moveScene, removeScene, toTourInput, updateHotspot, actionOfKind } from './tour-draft.ts';
import { narrationTextFromFile } from './narration-import.ts';

const HARBOUR = '00000000-0000-4000-8000-000000000001';
const TOWN = '00000000-0000-4000-8000-000000000002';
const HILL = '00000000-0000-4000-8000-000000000003';

function threeScenes() {
  let draft = { ...emptyDraft(), title: 'Walk' };
  for (const [contentId, title] of [
    [HARBOUR, 'Harbour'],
    [TOWN, 'Town'],
    [HILL, 'Hill'],
  ] as const) {
    draft = addScene(draft, { contentId, title }).draft;
  }
  return draft;
}

describe('tour draft', () => {
  it('a placed hotspot leads to the next scene, the last one back to the first; the tour is then valid for the origin', () => {
    let draft = threeScenes();
    for (const scene of draft.scenes) draft = addHotspot(draft, scene.id, { yaw: 10.04, pitch: -3.06 }).draft;
    assert.deepEqual(
      draft.scenes.map((scene) => scene.hotspots.map((hotspot) => [hotspot.id, hotspot.yaw, hotspot.pitch, hotspot.action])),
      [
        [['hotspot-1', 10, -3.1, { kind: 'scene', targetSceneId: 'scene-2' }]],
        [['hotspot-1', 10, -3.1, { kind: 'scene', targetSceneId: 'scene-3' }]],
        [['hotspot-1', 10, -3.1, { kind: 'scene', targetSceneId: 'scene-1' }]],
      ],
    );
    assert.deepEqual(draftProblems(draft), []);
    assert.ok(tourCreateInput.safeParse(toTourInput(draft)).success);
  });

  it('removing a scene leaves the hotspots that led to it, named as leading nowhere', () => {
    let draft = threeScenes();
    draft = addHotspot(draft, 'scene-1', { yaw: 0, pitch: 0 }).draft;
    draft = updateHotspot(draft, 'scene-1', 'hotspot-1', { label: 'Up the street' });
    draft = removeScene(draft, 'scene-2');
    const problems = draftProblems(draft);
    const dangling = problems.find((problem) => problem.hotspotId === 'hotspot-1');
    assert.equal(dangling?.sceneId, 'scene-1');
    assert.match(dangling?.message ?? '', /hotspot "hotspot-1" \(Up the street\) in scene "scene-1".*leads to scene "scene-2", which is not in the tour/);
    // And the hill, reachable from nowhere now, is an orphan.
    assert.ok(problems.some((problem) => problem.sceneId === 'scene-3' && problem.hotspotId === null && /cannot be reached/.test(problem.message)));
  });

  it('orders scenes, names shape problems with their scene and hotspot, and switches actions keeping the text', () => {
    let draft = threeScenes();
    draft = moveScene(draft, 'scene-3', -1);
    draft = moveScene(draft, 'scene-3', -1);
    draft = moveScene(draft, 'scene-3', -1);
    assert.deepEqual(
      draft.scenes.map((scene) => scene.title),
      ['Hill', 'Harbour', 'Town'],
    );
    draft = addHotspot(draft, 'scene-1', { yaw: 0, pitch: 0 }).draft;
    const info = actionOfKind('info', draft, 'scene-1', { kind: 'narration', audioUrl: null, text: 'Look up.' });
    assert.deepEqual(info, { kind: 'info', title: 'About this place', text: 'Look up.', imageUrl: null });
    assert.equal(info.kind, 'info');
    draft = updateHotspot(draft, 'scene-1', 'hotspot-1', { action: { kind: 'info', title: '', text: info.text, imageUrl: null } });
    const [problem] = draftProblems(draft);
    assert.equal(problem?.hotspotId, 'hotspot-1');
    assert.match(problem?.message ?? '', /^Hotspot "hotspot-1" in scene "scene-1": title /);
  });

  it('refuses a hotspot past the per-scene limit with what to do', () => {
    let draft = threeScenes();
    for (let i = 0; i < 40; i += 1) draft = addHotspot(draft, 'scene-1', { yaw: i, pitch: 0 }).draft;
    assert.throws(() => addHotspot(draft, 'scene-1', { yaw: 0, pitch: 0 }), /at most 40 hotspots; remove one first/);
  });

  it('imports narration text from a text file as it is and from WebVTT without its header, numbers and timings', () => {
    assert.equal(narrationTextFromFile('n.txt', '  Hello there.\n'), 'Hello there.');
    assert.equal(narrationTextFromFile('n.vtt', 'WEBVTT\n\n1\n00:00.000 --> 00:01.000\nHello\nthere.\n\n00:01.000 --> 00:02.000\nBye.\n'), 'Hello there. Bye.');
  });
});

describe('click <-> direction in the preview', () => {
  const view = { yaw: 30, pitch: 10, fov: 75 };
  it('the centre is where the view looks; a point and its direction map back to each other', () => {
    const centre = directionAt(view, 800, 450, 400, 225);
    assert.ok(Math.abs(centre.yaw - 30) < 1e-6 && Math.abs(centre.pitch - 10) < 1e-6, JSON.stringify(centre));
    for (const [x, y] of [
      [100, 50],
      [700, 400],
      [400, 10],
    ] as const) {
      const direction = directionAt(view, 800, 450, x, y);
      const back = screenPositionOf(view, 800, 450, direction);
      assert.ok(back && Math.abs(back.x - x) < 1e-6 && Math.abs(back.y - y) < 1e-6, `${x},${y} -> ${JSON.stringify(direction)} -> ${JSON.stringify(back)}`);
    }
    // Right of centre is a larger yaw (to the right), above it a larger pitch.
    assert.ok(directionAt(view, 800, 450, 600, 225).yaw > 30);
    assert.ok(directionAt(view, 800, 450, 400, 100).pitch > 10);
  });

  it('a direction behind the viewer has no place on screen; yaw is rounded into (-180, 180]', () => {
    assert.equal(screenPositionOf(view, 800, 450, { yaw: -150, pitch: 0 }), null);
    assert.deepEqual(roundDirection({ yaw: -180.01, pitch: 12.345 }), { yaw: 180, pitch: 12.3 });
  });
});
