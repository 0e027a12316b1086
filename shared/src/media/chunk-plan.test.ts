import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planChunks, shouldChunk, type SourceKeyframes } from './chunk-plan.ts';

/** A 30 fps source of `seconds` with a keyframe every `every` seconds, starting at `start`. */
function source(seconds: number, every: number, start = 0): SourceKeyframes {
  const keyframeSeconds: number[] = [];
  for (let t = 0; t < seconds; t += every) keyframeSeconds.push(start + t);
  return { formatStartSeconds: start, firstFrameSeconds: start, keyframeSeconds, frameCount: seconds * 30 };
}

describe('planChunks', () => {
  test('cuts at the first keyframe a chunk length after the start; a short tail joins the last chunk', () => {
    const plan = planChunks(source(64, 1), 30, 10);
    assert.deepEqual(
      plan.chunks.map((c) => [c.startFrame, c.frames]),
      [
        [0, 300],
        [300, 300],
        [600, 300],
        [900, 300],
        [1200, 300],
        [1500, 420],
      ],
    );
    assert.equal(plan.chunks.at(-1)!.startSeconds, 50);
  });

  test("prefers keyframes on the ladder's GOP grid, so every segment stays one GOP across the joins", () => {
    // 4 s segments (120 frames), 10 s chunks, keyframes every second: chunks of 12 s, on the grid.
    const plan = planChunks(source(60, 1), 30, 10, 120);
    assert.deepEqual(
      plan.chunks.map((c) => c.startFrame),
      [0, 360, 720, 1080, 1440],
    );
    assert.ok(plan.chunks.every((c) => c.startFrame % 120 === 0));
    // No keyframe on the grid within another chunk length: the first keyframe after the chunk length.
    const offGrid = planChunks(source(60, 7), 30, 10, 120);
    assert.deepEqual(
      offGrid.chunks.map((c) => c.startFrame),
      [0, 420, 840, 1260],
    );
  });

  test('seek times count from the container start; frames from the first picture', () => {
    const plan = planChunks(source(30, 2, 1.5), 30, 10);
    assert.deepEqual(
      plan.chunks.map((c) => [c.startSeconds, c.startFrame]),
      [
        [0, 0],
        [10, 300],
        [20, 600],
      ],
    );
  });

  test('keyframe numbers counted by ffprobe win over times (a variable frame rate)', () => {
    // Keyframes at 0, 10 and 20 s, but the first 10 s hold 200 pictures, not 300.
    const plan = planChunks(
      { formatStartSeconds: 0, firstFrameSeconds: 0, keyframeSeconds: [0, 10, 20], keyframeNumbers: [0, 200, 500], frameCount: 800 },
      30,
      10,
    );
    assert.deepEqual(
      plan.chunks.map((c) => [c.startFrame, c.frames]),
      [
        [0, 200],
        [200, 300],
        [500, 300],
      ],
    );
  });

  test('a source is chunked only when longer than two chunks; 0 turns chunking off', () => {
    assert.equal(shouldChunk(61, 30), true);
    assert.equal(shouldChunk(60, 30), false);
    assert.equal(shouldChunk(600, 0), false);
  });
});
