import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateEquirectFixture } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { uploadState } from '../test-support/web-upload.ts';
import { killWorkers, startTestWorker, uploadClip, within } from '../test-support/worker-processes.ts';
import type { WorkerProcess } from './worker-process.ts';

/** Also the origin's: the queue applies the timeout when a job is sent. */
const JOB_TIMEOUT_SECONDS = 6;

const startWorker = (t: TestOrigin, extraEnv: Record<string, string> = {}) => startTestWorker(t, JOB_TIMEOUT_SECONDS, extraEnv);

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, deadlineMs = 120_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Separate worker processes need a database several processes open: PostgreSQL only.
const kinds = (await testDatabaseKinds()).filter((kind) => kind === 'postgres');

for (const kind of kinds) {
  describe(`processing workers as separate processes (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let dir: string;
    const clips: Buffer[] = [];
    const workers: WorkerProcess[] = [];

    before(async () => {
      // The origin only receives uploads and queues them; the workers process them.
      t = await startTestOrigin(kind, { embeddedWorker: false, jobTimeoutSeconds: JOB_TIMEOUT_SECONDS });
      creator = await t.user('studio-less');
      dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-workers-test-'));
      // Five different small 360° clips (different bytes, so none is a duplicate of another).
      for (const fps of [20, 24, 25, 30, 15]) {
        const out = path.join(dir, `clip-${fps}.mp4`);
        await generateEquirectFixture({ out, seconds: 1, width: 512, fps, interp: 'linear', videoPreset: 'ultrafast' });
        clips.push(await readFile(out));
      }
    });
    after(async () => {
      await killWorkers(workers);
      await t?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('two worker processes process four uploads at once, each taking jobs from the one queue', async () => {
      const a = startWorker(t);
      const b = startWorker(t);
      workers.push(a, b);
      const ids = await Promise.all(clips.slice(0, 4).map(async (clip, i) => (await uploadClip(t, creator, `clip ${i}`, clip)).uploadId));
      for (const id of ids) {
        const state = await until(`upload ${id} to finish`, async () => {
          const s = await uploadState(t, creator, id);
          return s.status === 'ready' || s.status === 'failed' ? s : undefined;
        });
        assert.equal(state.status, 'ready', state.error ?? '');
      }
      assert.deepEqual([...a.done, ...b.done].sort(), [...ids].sort(), 'every upload was processed exactly once');
      assert.ok(a.done.length > 0 && b.done.length > 0, `both workers took jobs (a: ${a.done.length}, b: ${b.done.length})`);
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      assert.equal(await within(a.exited, 60_000, 'worker a to stop'), 0, 'a worker stops cleanly on SIGTERM');
      assert.equal(await within(b.exited, 60_000, 'worker b to stop'), 0);
    });

    test('a worker killed mid-transcode leaves its job to another worker, which finishes it; nothing half-written is published', async () => {
      // This worker kills itself (SIGKILL) once ffmpeg reports encode progress, as an OOM kill would.
      const doomed = startWorker(t, { SPHERECAST_FAULT_AT: 'processing-during-transcode' });
      workers.push(doomed);
      const created = await uploadClip(t, creator, 'survives a dead worker', clips[4]!, 'long.mp4');
      assert.equal(await within(doomed.exited, 120_000, 'the worker to kill itself mid-transcode'), 'SIGKILL');
      assert.deepEqual(doomed.started, [created.uploadId]);
      const midway = await uploadState(t, creator, created.uploadId);
      assert.equal(midway.status, 'transcoding', 'the dead worker left it mid-transcode');
      const detail = await creator.caller.content.get({ id: created.contentId });
      assert.notEqual(detail.status, 'ready', 'nothing is published while the job is unfinished');

      const rescuer = startWorker(t);
      workers.push(rescuer);
      const state = await until('the job to be retried and finished', async () => {
        const s = await uploadState(t, creator, created.uploadId);
        return s.status === 'ready' || s.status === 'failed' ? s : undefined;
      });
      assert.equal(state.status, 'ready', state.error ?? '');
      assert.deepEqual(rescuer.done, [created.uploadId]);
      const row = await t.origin.services.prisma.sourceUpload.findUniqueOrThrow({ where: { id: created.uploadId }, select: { attempts: true } });
      assert.equal(row.attempts, 2);
      const playback = await t.http('GET', `/api/streaming/${created.contentId}`, { token: creator.token });
      const master = await (await fetch(new URL((playback.body as { masterUrl: string }).masterUrl, t.url))).text();
      assert.match(master, /^#EXTM3U[\s\S]*#EXT-X-STREAM-INF/);
      rescuer.child.kill('SIGTERM');
      assert.equal(await within(rescuer.exited, 60_000, 'the rescuer to stop'), 0);
    });
  });
}
