import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeDirection, XrViewMarkers } from './view-markers.ts';

const view = { yaw: 30, pitch: 10, fov: 90 };

test('a marker where the viewer looks is at the centre; right and up of the view are right and up on screen', () => {
  const centre = placeDirection(view, 800, 400, 30, 10);
  assert.ok(centre.onScreen);
  assert.ok(Math.abs(centre.x - 400) < 1e-6 && Math.abs(centre.y - 200) < 1e-6, JSON.stringify(centre));
  const right = placeDirection(view, 800, 400, 50, 10);
  assert.ok(right.onScreen && right.x > 400, JSON.stringify(right));
  const up = placeDirection(view, 800, 400, 30, 30);
  assert.ok(up.onScreen && up.y < 200, JSON.stringify(up));
  // The vertical fov's edge (pitch + 45°, on the view's meridian) is the top edge.
  const top = placeDirection({ yaw: 0, pitch: 0, fov: 90 }, 800, 400, 0, 45);
  assert.ok(Math.abs(top.y) < 1e-6, JSON.stringify(top));
});

test('a marker behind or outside the view is pinned to the edge on its side', () => {
  const behindLeft = placeDirection(view, 800, 400, 30 - 150, 10);
  assert.equal(behindLeft.onScreen, false);
  assert.ok(behindLeft.x < 20, JSON.stringify(behindLeft));
  const farRight = placeDirection(view, 800, 400, 30 + 100, 10);
  assert.equal(farRight.onScreen, false);
  assert.ok(farRight.x > 780, JSON.stringify(farRight));
});

test('in a headset the markers are dots in the scene at their directions, drawn only while presenting', () => {
  const markers = new XrViewMarkers();
  markers.set([
    { id: 'a', label: 'Ana', yaw: 90, pitch: 0, color: '#ff0000' },
    { id: 'b', label: 'Bo', yaw: 0, pitch: 90, color: '#00ff00' },
  ]);
  const byId = new Map(markers.positions().map((p) => [p.id, p]));
  const a = byId.get('a');
  const b = byId.get('b');
  assert.ok(a && Math.abs(a.x - 40) < 1e-9 && Math.abs(a.y) < 1e-9 && Math.abs(a.z) < 1e-9, JSON.stringify(a));
  assert.ok(b && Math.abs(b.y - 40) < 1e-9, JSON.stringify(b));
  const frame = { presenting: false, dtSeconds: 0, gaze: { yaw: 0, pitch: 0 } } as unknown as Parameters<XrViewMarkers['frame']>[0];
  markers.frame(frame);
  assert.equal(markers.object.visible, false);
  assert.equal(markers.frame({ ...frame, presenting: true }), true);
  assert.equal(markers.object.visible, true);
  markers.set([{ id: 'b', label: 'Bo', yaw: 10, pitch: 0, color: '#00ff00' }]);
  assert.deepEqual(
    markers.positions().map((p) => p.id),
    ['b'],
  );
  markers.dispose();
});
