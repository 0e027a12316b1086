import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { generateEquirectFixture, generateEquirectPhoto } from './fixtures.ts';
import { transcodePhoto } from './photo.ts';
import { listFiles } from './output-dir.ts';
import { PublishJob, type PublishProgress } from './publish.ts';
import { TestOrigin } from './test-origin.ts';
import { TranscodeJob } from './transcode-job.ts';

describe('PublishJob', () => {
  let dir: string;
  let ladder: string;
  const origin = new TestOrigin();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-publish-'));
    const source = path.join(dir, 'clip.mp4');
    await generateEquirectFixture({ out: source, width: 256, seconds: 2, fps: 15 });
    ladder = path.join(dir, 'ladder');
    await new TranscodeJob({ input: source, out: ladder, segmentSeconds: 1 }).start();
    await origin.start();
  });
  after(async () => {
    await origin.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('signs in, creates the content, uploads every file intact (master last), finalizes, and reports per-file and total progress', async () => {
    const events: PublishProgress[] = [];
    const job = new PublishJob({ origin: origin.url, auth: { login: 'alice', password: 'correct horse' }, dir: ladder, content: { title: 'Test clip', tags: ['test'] } });
    job.on('progress', (p) => events.push(p));
    const result = await job.start();
    const item = origin.content.get(result.contentId)!;
    const files = await listFiles(ladder);
    assert.deepEqual([...item.files.keys()].sort(), files);
    for (const rel of files) assert.ok(item.files.get(rel)!.equals(await readFile(path.join(ladder, rel))), rel);
    assert.equal([...item.files.keys()].at(-1), 'master.m3u8', 'master uploaded last');
    assert.deepEqual(item.body.kind, 'video');
    assert.deepEqual(item.body.projection, 'equirectangular-mono');
    assert.deepEqual(item.body.title, 'Test clip');
    assert.deepEqual(item.finalized, { master: 'master.m3u8', durationSeconds: 2, poster: 'poster.jpg' });
    assert.deepEqual(result.uploaded, files);
    assert.deepEqual(result.skipped, []);
    assert.equal(result.content.status, 'ready');
    const last = events.at(-1)!;
    assert.equal(last.phase, 'finalize');
    assert.equal(last.doneFiles, files.length);
    assert.equal(last.percent, 100);
    const uploadedEvents = events.filter((e) => e.file?.status === 'uploaded').map((e) => e.file!.path);
    assert.deepEqual(uploadedEvents.sort(), files);
    assert.ok(events.some((e) => e.file?.status === 'uploading' && e.file.sentBytes > 0));
  });

  test('resuming skips files already staged with the same size and sha256 and re-sends changed ones', async () => {
    const token = { token: 'secret-token' };
    const first = await new PublishJob({ origin: origin.url, auth: token, dir: ladder, content: { title: 'Resumable' } }).start();
    const item = origin.content.get(first.contentId)!;
    item.files.set('poster.jpg', Buffer.from('corrupted'));
    item.files.delete('master.m3u8');
    origin.putAttempts = new Map();
    const second = await new PublishJob({ origin: origin.url, auth: token, dir: ladder, content: { title: 'Resumable' }, contentId: first.contentId }).start();
    assert.deepEqual(second.uploaded, ['master.m3u8', 'poster.jpg']);
    assert.equal(second.skipped.length, (await listFiles(ladder)).length - 2);
    assert.deepEqual([...origin.putAttempts.keys()].sort(), ['master.m3u8', 'poster.jpg']);
    assert.ok(item.files.get('poster.jpg')!.equals(await readFile(path.join(ladder, 'poster.jpg'))));
  });

  test('retries 5xx and dropped connections with back-off, keeps at most N uploads in flight', async () => {
    const files = await listFiles(ladder);
    const segment = files.find((f) => f.endsWith('.m4s'))!;
    origin.failWith503.set(segment, 2);
    origin.resetConnection.set('poster.jpg', 1);
    origin.putAttempts = new Map();
    origin.maxActive = 0;
    origin.putDelayMs = 30;
    try {
      const retrying: string[] = [];
      const job = new PublishJob({ origin: origin.url, auth: { token: 'secret-token' }, dir: ladder, content: { title: 'Flaky' }, concurrency: 2, retryBaseMs: 20 });
      job.on('progress', (p) => {
        if (p.file?.status === 'retrying') retrying.push(p.file.path);
      });
      const result = await job.start();
      assert.equal(origin.putAttempts.get(segment), 3);
      assert.equal(origin.putAttempts.get('poster.jpg'), 2);
      assert.ok(retrying.length >= 3);
      assert.equal(origin.maxActive, 2);
      assert.equal(origin.content.get(result.contentId)!.files.size, files.length);
    } finally {
      origin.putDelayMs = 0;
    }
  });

  test('a refused token fails at once with ORIGIN_AUTH_FAILED; an unreachable origin fails with ORIGIN_UNREACHABLE after retries', async () => {
    const failed: MediaError[] = [];
    const job = new PublishJob({ origin: origin.url, auth: { token: 'wrong' }, dir: ladder, content: { title: 'x' } });
    job.on('failed', (e) => failed.push(e));
    await assert.rejects(job.start(), (e: unknown) => e instanceof MediaError && e.code === 'ORIGIN_AUTH_FAILED' && e.status === 401);
    assert.equal(failed.length, 1);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const started = Date.now();
    await assert.rejects(
      new PublishJob({ origin: `http://127.0.0.1:${port}`, auth: { token: 't' }, dir: ladder, content: { title: 'x' }, attempts: 3, retryBaseMs: 10 }).start(),
      (e: unknown) => e instanceof MediaError && e.code === 'ORIGIN_UNREACHABLE' && e.retryable && /3 attempts/.test(e.message),
    );
    assert.ok(Date.now() - started < 5000);
  });

  test('a photo output is published as kind photo with its largest rung as master and the preview as poster', async () => {
    const photo = path.join(dir, 'pano.jpg');
    await generateEquirectPhoto({ out: photo, width: 1024 });
    const out = path.join(dir, 'photo-out');
    await transcodePhoto({ input: photo, out, widths: [1024, 512] });
    const result = await new PublishJob({ origin: origin.url, auth: { token: 'secret-token' }, dir: out, content: { title: 'Pano' } }).start();
    const item = origin.content.get(result.contentId)!;
    assert.equal(item.body.kind, 'photo');
    assert.deepEqual(item.finalized, { master: 'photo-1024x512.jpg', poster: 'preview.jpg' });
    assert.deepEqual([...item.files.keys()].sort(), await listFiles(out));
  });

  test('a folder that is not a transcode output is refused before anything is sent', async () => {
    const empty = path.join(dir, 'empty');
    await writeFile(path.join(dir, 'note.txt'), 'x');
    await assert.rejects(
      new PublishJob({ origin: origin.url, auth: { token: 'secret-token' }, dir: empty, content: { title: 'x' } }).start(),
      (e: unknown) => e instanceof MediaError && e.code === 'INPUT_NOT_FOUND',
    );
  });
});
