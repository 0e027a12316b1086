import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';
import { waitForUpload } from '../test-support/web-upload.ts';
import { uploadClip } from '../test-support/worker-processes.ts';
import { completedChunkJobs, publishedRungs } from '../test-support/chunk-jobs.ts';

const FPS = 25;
const SECONDS = 7;

// The embedded default (`npm start`): PGlite, pg-boss on the origin's own PGlite, the origin the only worker.
describe('chunked transcoding in the origin on the embedded PGlite', () => {
  let t: TestOrigin;
  let creator: TestUser;
  let dir: string;

  before(async () => {
    t = await startTestOrigin('pglite', {
      processing: { chunkSeconds: 2, maintenanceIntervalSeconds: 1, transcode: { preset: 'ultrafast', segmentSeconds: 1, eyeWidths: [384, 256] } },
    });
    creator = await t.user('embedded-long');
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-chunked-embedded-'));
  });
  after(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a long upload is cut, its chunks and join run as jobs on the PGlite queue, and the published ladder is continuous', async () => {
    const file = path.join(dir, 'long.mp4');
    await generateEquirectFixture({ out: file, seconds: SECONDS, width: 384, fps: FPS, interp: 'linear', videoPreset: 'ultrafast' });
    const clip = await readFile(file);
    const created = await uploadClip(t, creator, 'long, embedded', clip, 'long.mp4');
    const state = await waitForUpload(t, creator, created.uploadId);
    assert.equal(state.status, 'ready', state.error ?? '');
    const jobs = await completedChunkJobs(t, created.uploadId);
    assert.ok(jobs.length >= 3, `the source was cut into chunks (${jobs.length})`);
    assert.deepEqual(new Set(jobs.map((j) => j.workerId)), new Set([`${os.hostname()}/${process.pid}`]), 'the origin ran them itself');
    const rungs = await publishedRungs(t, creator, created.contentId, dir, FPS);
    assert.equal(rungs.length, 2);
    for (const rung of rungs) {
      assert.equal(rung.pts.length, SECONDS * FPS, `${rung.uri} has every source frame once`);
      for (let i = 1; i < rung.pts.length; i++) assert.equal(rung.pts[i]! - rung.pts[i - 1]!, rung.frame, `${rung.uri}: continuous at packet ${i}`);
    }
  });
});
