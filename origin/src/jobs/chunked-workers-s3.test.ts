import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { S3MediaObjects } from '../core/media-store-s3.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { waitForUpload } from '../test-support/web-upload.ts';
import { CHUNKED_WORKER_ENV, killWorkers, testWorkerEnv, uploadClip } from '../test-support/worker-processes.ts';
import { completedChunkJobs, publishedRungs } from '../test-support/chunk-jobs.ts';
import { startTestBucket, type TestBucket } from '../test-support/s3rver.ts';
import { spawnWorker, type WorkerProcess } from './worker-process.ts';

const JOB_TIMEOUT_SECONDS = 6;
const FPS = 25;
const SECONDS = 8;

// Separate worker processes need a database several processes open: PostgreSQL only.
const kinds = (await testDatabaseKinds()).filter((kind) => kind === 'postgres');

for (const kind of kinds) {
  describe(`chunked transcoding with STORAGE=s3: workers that share no folder (${kind})`, () => {
    let t: TestOrigin;
    let bucket: TestBucket;
    let creator: TestUser;
    let dir: string;
    const workers: WorkerProcess[] = [];

    /** A worker "on its own machine": its own DATA_DIR, MEDIA_DIR and UPLOADS_DIR; only the database and the bucket are shared. */
    const startWorker = (name: string) =>
      spawnWorker({ ...testWorkerEnv(t, JOB_TIMEOUT_SECONDS), ...bucket.env, DATA_DIR: path.join(dir, name), ...CHUNKED_WORKER_ENV });

    before(async () => {
      bucket = await startTestBucket('spherecast-chunks');
      t = await startTestOrigin(kind, { embeddedWorker: false, jobTimeoutSeconds: JOB_TIMEOUT_SECONDS, s3: bucket.storage });
      creator = await t.user('bucket-long-video');
      dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-chunked-s3-test-'));
    });
    after(async () => {
      await killWorkers(workers);
      await t?.close();
      await bucket?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('the source, the plan and the chunks go through the bucket; two workers on separate disks transcode the chunks and one joins them', async () => {
      const file = path.join(dir, 'long.mp4');
      await generateEquirectFixture({ out: file, seconds: SECONDS, width: 384, fps: FPS, interp: 'linear', videoPreset: 'ultrafast' });
      const clip = await readFile(file);
      const a = startWorker('machine-a');
      const b = startWorker('machine-b');
      workers.push(a, b);
      const created = await uploadClip(t, creator, 'long, in a bucket', clip, 'long.mp4');
      const state = await waitForUpload(t, creator, created.uploadId);
      assert.equal(state.status, 'ready', state.error ?? '');

      const jobs = await completedChunkJobs(t, created.uploadId);
      assert.ok(jobs.length >= 3, `the source was cut into chunks (${jobs.length})`);
      assert.deepEqual(
        [...new Set(jobs.map((j) => j.workerId))].sort(),
        [a, b].map((w) => `${os.hostname()}/${w.child.pid}`).sort(),
        `the chunks ran on both workers (${JSON.stringify(jobs)})`,
      );
      const rungs = await publishedRungs(t, creator, created.contentId, dir, FPS);
      for (const rung of rungs) {
        assert.equal(rung.pts.length, SECONDS * FPS, `${rung.uri} has every source frame once`);
        for (let i = 1; i < rung.pts.length; i++) assert.equal(rung.pts[i]! - rung.pts[i - 1]!, rung.frame, `${rung.uri}: continuous at packet ${i}`);
      }
      const objects = new S3MediaObjects({ ...bucket.storage, prefix: 'processing-chunks/' });
      try {
        assert.deepEqual(await objects.list(''), [], 'the chunks are removed from the bucket once the upload is ready');
      } finally {
        objects.destroy();
      }
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    });
  });
}
