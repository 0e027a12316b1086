import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartyClock, partyPosition } from './party-sync.ts';

const state = { playing: true, positionSeconds: 10, anchoredAtMs: 1_000_000, rate: 1, sceneId: null, revision: 3 };

test("the party's position moves with the server clock while playing, stands while paused, and stays within the video", () => {
  assert.equal(partyPosition(state, 1_002_500), 12.5);
  assert.equal(partyPosition({ ...state, rate: 0.5 }, 1_002_000), 11);
  assert.equal(partyPosition({ ...state, playing: false }, 1_009_000), 10);
  assert.equal(partyPosition(state, 1_009_000, 15), 15);
  assert.equal(partyPosition({ ...state, positionSeconds: 0 }, 999_000), 0);
});

test('the clock offset comes from the sample with the shortest round trip', async () => {
  // A server 5 s ahead; the slow answers carry a stale time (it was read early in a long trip).
  const delays = [40, 5, 60, 30, 50];
  let call = 0;
  const clock = new PartyClock(async () => {
    const delay = delays[call++] ?? 10;
    const serverNowMs = Date.now() + 5000;
    await new Promise((resolve) => setTimeout(resolve, delay));
    return { serverNowMs };
  });
  await clock.start();
  clock.destroy();
  assert.equal(call, 5);
  assert.ok(clock.rttMs < 30, `best round trip ${clock.rttMs} ms`);
  assert.ok(Math.abs(clock.offsetMs - 5000) < 30, `offset ${clock.offsetMs} ms`);
});
