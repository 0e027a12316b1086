import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Upload } from 'tus-js-client';
import { generateEquirectFixture, resolveFfprobe } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { openUpload, tusSend, waitForUpload } from '../../test-support/web-upload.ts';

const run = promisify(execFile);
const MIB = 1024 * 1024;

/** Sends one 64 KiB chunk with tus-js-client, then stops as a browser that lost its connection; resolves with the offset it reached. */
function sendFirstChunkOnly(url: string, token: string, bytes: Buffer): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let stopped = false;
    const upload: Upload = new Upload(bytes, {
      uploadUrl: url,
      headers: { authorization: `Bearer ${token}` },
      chunkSize: 64 * 1024,
      retryDelays: [],
      onChunkComplete: (_size, offset) => {
        if (stopped) return;
        stopped = true;
        void upload.abort().then(() => resolve(offset), reject);
      },
      onSuccess: () => reject(new Error('the upload should have stopped after its first chunk')),
      onError: reject,
    });
    upload.start();
  });
}

for (const kind of await testDatabaseKinds()) {
  describe(`web uploads: tus, then processing on the job queue (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let workDir: string;
    let clip: Buffer;

    before(async () => {
      t = await startTestOrigin(kind, {
        uploadMaxBytes: { creator: 4 * MIB, admin: 64 * MIB },
        processing: { transcode: { preset: 'ultrafast', segmentSeconds: 1 } },
      });
      creator = await t.user('uploader');
      workDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-upload-test-'));
      // A real 360° clip: 2 s of equirectangular test pattern at 512x256 with audio and spherical metadata.
      const file = path.join(workDir, 'trip.mp4');
      await generateEquirectFixture({ out: file, seconds: 2, width: 512, fps: 24, interp: 'linear', videoPreset: 'ultrafast' });
      clip = await readFile(file);
    });
    after(async () => {
      await t?.close();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    test('a 360° MP4 sent with tus-js-client, paused and resumed, is probed, checked, transcoded and published, and its master playlist plays', async () => {
      const content = await creator.caller.content.create({ title: 'Gaming session in VR' });
      const created = await openUpload(t, creator, content.id, 'trip.mp4', clip.length);
      assert.equal(created.status, 'uploading');
      assert.ok(created.uploadUrl.startsWith(`${t.url}/tus/`), created.uploadUrl);

      // Pause after the first chunk, as a browser that lost its connection.
      const pausedAt = await sendFirstChunkOnly(created.uploadUrl, creator.token, clip);
      const paused = await waitForUpload(t, creator, created.uploadId, () => true);
      assert.equal(paused.status, 'uploading');
      // Resuming asks the server where it stopped and sends only the rest.
      const offsets: number[] = [];
      await new Promise<void>((resolve, reject) => {
        const upload = new Upload(clip, {
          uploadUrl: created.uploadUrl,
          headers: { authorization: `Bearer ${creator.token}` },
          chunkSize: 256 * 1024,
          retryDelays: [],
          onBeforeRequest: (request) => {
            if (request.getMethod() === 'PATCH') offsets.push(Number(request.getHeader('Upload-Offset')));
          },
          onSuccess: () => resolve(),
          onError: reject,
        });
        upload.start();
      });
      assert.equal(offsets[0], pausedAt, 'the resumed upload starts where the first one stopped');
      assert.ok(pausedAt > 0 && pausedAt < clip.length);

      const seen: string[] = [];
      const ready = await waitForUpload(t, creator, created.uploadId, (s) => s.status === 'ready' || s.status === 'failed', seen);
      assert.equal(ready.status, 'ready', `${ready.error ?? ''} (statuses seen: ${seen.join(', ')})`);
      assert.equal(ready.progress, 1);
      assert.equal(ready.error, null);
      assert.equal(ready.projection, 'equirectangular-mono');
      assert.ok(ready.stitchReport && ready.stitchReport.checks.length > 0, 'the stitch-check report is kept for the creator');
      assert.equal(ready.watchUrl, `/watch/${content.id}`);

      const playback = await t.http('GET', `/api/streaming/${content.id}`, { token: creator.token });
      assert.equal(playback.status, 200, JSON.stringify(playback.body));
      const masterUrl = new URL((playback.body as { masterUrl: string }).masterUrl, t.url).toString();
      const master = await (await fetch(masterUrl)).text();
      assert.match(master, /^#EXTM3U/);
      assert.match(master, /#EXT-X-STREAM-INF:.*RESOLUTION=512x256/);
      // ffprobe reads the published ladder over HTTP, as a player would: a video stream at 512x256.
      const ffprobe = resolveFfprobe();
      const { stdout } = await run(ffprobe.path, ['-v', 'error', '-show_entries', 'stream=codec_type,width,height', '-of', 'json', masterUrl]);
      const streams = (JSON.parse(stdout) as { streams: { codec_type: string; width?: number }[] }).streams;
      assert.ok(
        streams.some((s) => s.codec_type === 'video' && s.width === 512),
        stdout,
      );
      // The raw upload is gone once published.
      const left = await readdir(t.origin.config.uploadsDir).catch(() => [] as string[]);
      assert.deepEqual(
        left.filter((name) => name.startsWith(created.uploadId)),
        [],
      );

      // The same bytes again from the same creator: recognised, not processed a second time.
      const again = await creator.caller.content.create({ title: 'Same file again' });
      const second = await openUpload(t, creator, again.id, 'trip copy.mp4', clip.length);
      await tusSend(second.uploadUrl, creator.token, clip);
      const duplicate = await waitForUpload(t, creator, second.uploadId, (s) => s.duplicateOf !== null);
      assert.deepEqual(duplicate.duplicateOf, { uploadId: created.uploadId, contentId: content.id });
      assert.equal(duplicate.status, 'ready');
      const row = await t.origin.services.prisma.sourceUpload.findUniqueOrThrow({ where: { id: second.uploadId }, select: { attempts: true } });
      assert.equal(row.attempts, 0, 'no processing attempt for the duplicate');
    });

    test('a damaged file and a file that is not a video fail with a reason a person can act on, and leave nothing behind', async () => {
      const damaged = Buffer.concat([clip.subarray(0, 4096), Buffer.alloc(60_000, 7)]);
      const notVideo = Buffer.from('name,score\nalice,3\nbob,5\n'.repeat(200));
      for (const [fileName, bytes] of [
        ['broken.mp4', damaged],
        ['scores.mp4', notVideo],
      ] as const) {
        const content = await creator.caller.content.create({ title: `Bad ${fileName}` });
        const created = await openUpload(t, creator, content.id, fileName, bytes.length);
        await tusSend(created.uploadUrl, creator.token, bytes);
        const failed = await waitForUpload(t, creator, created.uploadId, (s) => s.status === 'failed' || s.status === 'ready');
        assert.equal(failed.status, 'failed');
        assert.match(failed.error ?? '', new RegExp(`“${fileName}” is not a video file ffmpeg can read.*upload it again`));
        assert.doesNotMatch(failed.error ?? '', /\/tmp|uploads\//, 'no server path in the message');
        const left = await readdir(t.origin.config.uploadsDir).catch(() => [] as string[]);
        assert.deepEqual(
          left.filter((name) => name.startsWith(created.uploadId)),
          [],
        );
        const detail = await creator.caller.content.get({ id: content.id });
        assert.equal(detail.status, 'failed');
      }
    });

    test('sizes are bounded per role, and only the uploader can send bytes to an upload', async () => {
      const content = await creator.caller.content.create({ title: 'Too big' });
      const tooBig = await t.http('POST', '/api/uploads', { token: creator.token, body: { contentId: content.id, fileName: 'huge.mp4', size: 5 * MIB } });
      assert.equal(tooBig.status, 413);
      assert.match(tooBig.body.message, /5\.2 MB, more than the 4\.2 MB a creator may upload\. Trim or re-encode it/);
      const viewer = await t.user('watcher', 'viewer');
      const refused = await t.http('POST', '/api/uploads', { token: viewer.token, body: { contentId: content.id, fileName: 'a.mp4', size: 10 } });
      assert.equal(refused.status, 403);
      const badName = await t.http('POST', '/api/uploads', { token: creator.token, body: { contentId: content.id, fileName: '../../etc/passwd', size: 10 } });
      assert.equal(badName.status, 400);
      assert.match(badName.body.message, /fileName/);

      const created = await openUpload(t, creator, content.id, 'small.mp4', 1000);
      const patch = (token: string | null) =>
        fetch(created.uploadUrl, {
          method: 'PATCH',
          headers: {
            'tus-resumable': '1.0.0',
            'upload-offset': '0',
            'content-type': 'application/offset+octet-stream',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: Buffer.alloc(10),
        });
      const anonymous = await patch(null);
      assert.equal(anonymous.status, 401);
      assert.match(await anonymous.text(), /Sign in to upload/);
      const other = await t.user('someone-else');
      assert.equal((await patch(other.token)).status, 404);
      assert.equal((await patch(creator.token)).status, 204);
    });

    test('a partial upload older than UPLOAD_EXPIRY_HOURS is removed and reported as failed', async () => {
      const content = await creator.caller.content.create({ title: 'Abandoned' });
      const created = await openUpload(t, creator, content.id, 'abandoned.mp4', clip.length);
      await sendFirstChunkOnly(created.uploadUrl, creator.token, clip);
      const { prisma } = t.origin.services;
      await prisma.sourceUpload.update({ where: { id: created.uploadId }, data: { expiresAt: new Date(Date.now() - 1000) } });
      assert.ok((await readdir(t.origin.config.uploadsDir)).includes(created.uploadId));
      assert.equal(await t.origin.processing.intake.sweep(), 1);
      const state = await waitForUpload(t, creator, created.uploadId, () => true);
      assert.equal(state.status, 'failed');
      assert.match(state.error ?? '', /not finished within 24 hours.*Start the upload again/);
      assert.ok(!(await readdir(t.origin.config.uploadsDir)).includes(created.uploadId), 'its bytes are removed');
    });
  });
}
