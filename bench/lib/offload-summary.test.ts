import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receivedRates, summarize, viewerStatsSchema, type ViewerStats } from './offload-summary.ts';

const viewer = (over: Partial<ViewerStats>): ViewerStats =>
  viewerStatsSchema.parse({
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    peers: 0,
    rejectedSegments: 0,
    startupMs: null,
    stalls: 0,
    stalledMs: 0,
    currentTime: 0,
    ended: true,
    errors: [],
    ...over,
  });

test('summarize sums bytes over viewers and splits the peer share per rung', () => {
  const s = summarize([
    viewer({
      httpBytes: 300,
      p2pBytes: 100,
      startupMs: 200,
      stalls: 1,
      stalledMs: 500,
      levelSwitches: 2,
      perRung: { a: { httpBytes: 300, p2pBytes: 0 }, b: { httpBytes: 0, p2pBytes: 100 } },
    }),
    viewer({
      httpBytes: 100,
      p2pBytes: 500,
      startupMs: 400,
      ended: false,
      perRung: { a: { httpBytes: 100, p2pBytes: 300 }, b: { httpBytes: 0, p2pBytes: 200 } },
    }),
    viewer({ startupMs: 1000, errors: ['x'] }),
  ]);
  assert.equal(s.share, 600 / 1000);
  assert.deepEqual(s.perRung, { a: { share: 300 / 700, bytes: 700 }, b: { share: 1, bytes: 300 } });
  assert.equal(s.startupMedianMs, 400);
  assert.equal(s.startupMaxMs, 1000);
  assert.equal(s.stalls, 1);
  assert.equal(s.stalledMs, 500);
  assert.equal(s.levelSwitches, 2);
  assert.equal(s.finished, 2);
  assert.deepEqual(s.errors, ['x']);
});

test('receivedRates gives the mean and the highest windowed rate from cumulative counters', () => {
  // 1 Mbit/s for 2 s, then 4 Mbit/s for 2 s.
  const samples = [
    [0, 0],
    [1000, 125_000],
    [2000, 250_000],
    [3000, 750_000],
    [4000, 1_250_000],
  ] as const;
  const rates = receivedRates(samples, 2);
  assert.equal(rates.meanMbps, 2.5);
  assert.equal(rates.peakMbps, 4);
  assert.deepEqual(receivedRates([[0, 0]]), { meanMbps: 0, peakMbps: 0 });
});

test('mixedCaps: a third at 3 Mbit/s, a third at 8, the rest uncapped, the first viewer uncapped', async () => {
  const { mixedCaps } = await import('./offload-ladder-run.ts');
  assert.deepEqual(mixedCaps(4), [null, 3, 8, null]);
  const eight = mixedCaps(8);
  assert.equal(eight.filter((c) => c === 3).length, 2);
  assert.equal(eight.filter((c) => c === 8).length, 2);
  assert.equal(eight[0], null);
  assert.deepEqual(mixedCaps(12).filter((c) => c === null).length, 4);
});
