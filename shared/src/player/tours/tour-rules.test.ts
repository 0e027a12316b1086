import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GazeDwell } from '../../renderer/hotspots.ts';
import { guideTurnAtMs, guideTurnDue } from './guided-clock.ts';
import { headingThrough, openingHeading } from './tour-heading.ts';

describe('tour heading rule', () => {
  test('looking straight at a doorway arrives facing the next scene’s startYaw and startPitch', () => {
    assert.deepEqual(headingThrough({ yaw: 90, pitch: 0 }, { yaw: 90, pitch: 0 }, { startYaw: -45, startPitch: 10 }), { yaw: -45, pitch: 10 });
  });

  test('the head’s offset from the doorway is kept, across the ±180 wrap', () => {
    assert.deepEqual(headingThrough({ yaw: 90, pitch: 0 }, { yaw: 70, pitch: -5 }, { startYaw: -45, startPitch: 0 }), { yaw: -65, pitch: -5 });
    assert.deepEqual(headingThrough({ yaw: 170, pitch: 0 }, { yaw: -170, pitch: 0 }, { startYaw: 175, startPitch: null }), { yaw: -165, pitch: 0 });
  });

  test('a scene without startYaw or startPitch continues the heading unchanged', () => {
    assert.deepEqual(headingThrough({ yaw: 30, pitch: 20 }, { yaw: 40, pitch: 15 }, { startYaw: null, startPitch: null }), { yaw: 40, pitch: 15 });
  });

  test('pitch stays inside the sphere', () => {
    assert.equal(headingThrough({ yaw: 0, pitch: -60 }, { yaw: 0, pitch: 60 }, { startYaw: 0, startPitch: 45 }).pitch, 90);
  });

  test('opening a scene faces its start, or 0', () => {
    assert.deepEqual(openingHeading({ startYaw: 200, startPitch: null }), { yaw: -160, pitch: 0 });
  });
});

describe('gaze dwell', () => {
  const hotspots = [
    { id: 'door', label: 'Door', yaw: 90, pitch: 0, kind: 'scene' as const },
    { id: 'sign', label: 'Sign', yaw: -30, pitch: 10, kind: 'info' as const },
  ];

  test('fires once after the centre of the view stays on a hotspot for the dwell time', () => {
    const dwell = new GazeDwell(1500, 5);
    assert.deepEqual(dwell.update({ yaw: 88, pitch: 1 }, hotspots, 0), { id: 'door', progress: 0, fired: null });
    assert.equal(dwell.update({ yaw: 91, pitch: -2 }, hotspots, 750).progress, 0.5);
    assert.equal(dwell.update({ yaw: 90, pitch: 0 }, hotspots, 1500).fired, 'door');
    assert.equal(dwell.update({ yaw: 90, pitch: 0 }, hotspots, 4000).fired, null, 'not again while the gaze stays');
    dwell.update({ yaw: 0, pitch: 0 }, hotspots, 4100);
    dwell.update({ yaw: 90, pitch: 0 }, hotspots, 4200);
    assert.equal(dwell.update({ yaw: 90, pitch: 0 }, hotspots, 5700).fired, 'door', 'again after looking away and back');
  });

  test('looking off the hotspot before the dwell time restarts it', () => {
    const dwell = new GazeDwell(1500, 5);
    dwell.update({ yaw: 90, pitch: 0 }, hotspots, 0);
    dwell.update({ yaw: 80, pitch: 0 }, hotspots, 1000);
    dwell.update({ yaw: 90, pitch: 0 }, hotspots, 1100);
    assert.equal(dwell.update({ yaw: 90, pitch: 0 }, hotspots, 2500).fired, null);
    assert.equal(dwell.update({ yaw: 90, pitch: 0 }, hotspots, 2600).fired, 'door');
  });

  test('a suspended hotspot (the view was turned onto it) does not fire until the gaze has left it', () => {
    const dwell = new GazeDwell(1500, 5);
    dwell.update({ yaw: 0, pitch: 0 }, hotspots, 0);
    dwell.suspend('door');
    dwell.update({ yaw: 90, pitch: 0 }, hotspots, 100);
    assert.equal(dwell.update({ yaw: 90, pitch: 0 }, hotspots, 5000).fired, null);
    dwell.update({ yaw: 40, pitch: 0 }, hotspots, 5100);
    dwell.update({ yaw: 90, pitch: 0 }, hotspots, 5200);
    assert.equal(dwell.update({ yaw: 90, pitch: 0 }, hotspots, 6700).fired, 'door');
  });
});

describe('guided turn', () => {
  const base = { elapsedMs: 0, sceneSeconds: 12, msSinceLookAway: Number.POSITIVE_INFINITY, presenting: false, turned: false, hasPointOfInterest: true };

  test('is due five seconds before the scene advances, or at half of a short scene', () => {
    assert.equal(guideTurnAtMs(12), 7000);
    assert.equal(guideTurnAtMs(3), 1500);
    assert.equal(guideTurnDue({ ...base, elapsedMs: 6900 }), false);
    assert.equal(guideTurnDue({ ...base, elapsedMs: 7000 }), true);
  });

  test('waits while the viewer looked around recently, and never turns the world under a headset or twice', () => {
    assert.equal(guideTurnDue({ ...base, elapsedMs: 8000, msSinceLookAway: 1000 }), false);
    assert.equal(guideTurnDue({ ...base, elapsedMs: 8000, msSinceLookAway: 3000 }), true);
    assert.equal(guideTurnDue({ ...base, elapsedMs: 8000, presenting: true }), false);
    assert.equal(guideTurnDue({ ...base, elapsedMs: 8000, turned: true }), false);
    assert.equal(guideTurnDue({ ...base, elapsedMs: 8000, hasPointOfInterest: false }), false);
  });
});
