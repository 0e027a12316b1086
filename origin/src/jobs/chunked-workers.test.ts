import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { waitForUpload } from '../test-support/web-upload.ts';
import { CHUNKED_WORKER_ENV, killWorkers, startTestWorker, uploadClip, within } from '../test-support/worker-processes.ts';
import { completedChunkJobs, publishedRungs } from '../test-support/chunk-jobs.ts';
import type { WorkerProcess } from './worker-process.ts';

/** Also the origin's: the queue applies the timeout when a job is sent. */
const JOB_TIMEOUT_SECONDS = 6;
const FPS = 25;
const SECONDS = 8;

/** `npm run worker` as an operator runs it, with 2 s chunks: an 8 s source is cut into about 4. */
const startWorker = (t: TestOrigin, extraEnv: Record<string, string> = {}) => startTestWorker(t, JOB_TIMEOUT_SECONDS, { ...CHUNKED_WORKER_ENV, ...extraEnv });

// Separate worker processes need a database several processes open: PostgreSQL only.
const kinds = (await testDatabaseKinds()).filter((kind) => kind === 'postgres');

for (const kind of kinds) {
  describe(`chunked transcoding across worker processes (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let dir: string;
    let clip: Buffer;
    let otherClip: Buffer;
    const workers: WorkerProcess[] = [];

    before(async () => {
      t = await startTestOrigin(kind, { embeddedWorker: false, jobTimeoutSeconds: JOB_TIMEOUT_SECONDS });
      creator = await t.user('long-video');
      dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-chunked-test-'));
      // 8 s at 25 fps, a keyframe every second (the fixture's GOP is one second); two different files.
      for (const [name, seconds] of [
        ['a', SECONDS],
        ['b', SECONDS - 1],
      ] as const) {
        await generateEquirectFixture({ out: path.join(dir, `${name}.mp4`), seconds, width: 384, fps: FPS, interp: 'linear', videoPreset: 'ultrafast' });
      }
      clip = await readFile(path.join(dir, 'a.mp4'));
      otherClip = await readFile(path.join(dir, 'b.mp4'));
    });
    after(async () => {
      await killWorkers(workers);
      await t?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('a long upload is cut into chunks that two workers transcode, joined into a continuous ladder and published', async () => {
      const a = startWorker(t);
      const b = startWorker(t);
      workers.push(a, b);
      const created = await uploadClip(t, creator, 'long enough to cut', clip, 'long.mp4');
      const state = await waitForUpload(t, creator, created.uploadId);
      assert.equal(state.status, 'ready', state.error ?? '');

      // Which worker ran which chunk: pg-boss keeps each chunk job's output (the handler's worker id).
      const jobs = await completedChunkJobs(t, created.uploadId);
      assert.ok(jobs.length >= 3, `the 8 s source was cut into chunks (${jobs.length})`);
      assert.deepEqual(
        [...new Set(jobs.map((j) => j.index))],
        jobs.map((_, i) => i),
        'every chunk was transcoded once',
      );
      const ids = new Set(jobs.map((j) => j.workerId));
      const idOf = (w: WorkerProcess) => `${os.hostname()}/${w.child.pid}`;
      assert.deepEqual([...ids].sort(), [idOf(a), idOf(b)].sort(), `the chunks ran on both workers (${JSON.stringify(jobs)})`);
      // The workers' own logs say the same.
      assert.deepEqual([...a.chunks, ...b.chunks].sort(), jobs.map((j) => `${created.uploadId}:${j.index}`).sort());
      assert.deepEqual([...a.done, ...b.done], [created.uploadId], 'the join published it once');

      // The published rungs are continuous across the chunk joins.
      const rungs = await publishedRungs(t, creator, created.contentId, dir, FPS);
      assert.equal(rungs.length, 2);
      for (const rung of rungs) {
        assert.equal(rung.pts.length, SECONDS * FPS, `${rung.uri} has every source frame once`);
        for (let i = 1; i < rung.pts.length; i++) {
          assert.equal(rung.pts[i]! - rung.pts[i - 1]!, rung.frame, `${rung.uri}: no gap or repeated frame at packet ${i}`);
          assert.ok(rung.dts[i]! > rung.dts[i - 1]!, `${rung.uri}: dts increases at packet ${i}`);
        }
      }
      assert.deepEqual(
        await stat(path.join(t.origin.config.uploadsDir, '.chunks', created.uploadId)).then(
          () => 'present',
          (error: NodeJS.ErrnoException) => error.code,
        ),
        'ENOENT',
        'the chunks are removed once the upload is ready',
      );
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      assert.equal(await within(a.exited, 60_000, 'worker a to stop'), 0);
      assert.equal(await within(b.exited, 60_000, 'worker b to stop'), 0);
    });

    test('a worker killed mid-chunk leaves the chunk to be retried by another worker, and the upload is published', async () => {
      const doomed = startWorker(t, { SPHERECAST_FAULT_AT: 'processing-during-chunk' });
      workers.push(doomed);
      const created = await uploadClip(t, creator, 'survives a dead chunk worker', otherClip, 'long-b.mp4');
      assert.equal(await within(doomed.exited, 120_000, 'the worker to kill itself mid-chunk'), 'SIGKILL');
      assert.deepEqual(doomed.chunks, [], 'it finished no chunk');
      const rescuer = startWorker(t);
      workers.push(rescuer);
      const state = await waitForUpload(t, creator, created.uploadId);
      assert.equal(state.status, 'ready', state.error ?? '');
      const jobs = await completedChunkJobs(t, created.uploadId);
      assert.ok(jobs.length >= 3);
      assert.ok(
        jobs.every((j) => j.workerId === `${os.hostname()}/${rescuer.child.pid}`),
        'the rescuer ran every chunk, the killed one included',
      );
      const rungs = await publishedRungs(t, creator, created.contentId, dir, FPS);
      for (const rung of rungs) assert.equal(rung.pts.length, (SECONDS - 1) * FPS);
      rescuer.child.kill('SIGTERM');
      assert.equal(await within(rescuer.exited, 60_000, 'the rescuer to stop'), 0);
    });
  });
}
