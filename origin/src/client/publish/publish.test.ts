import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { generateEquirectFixture, generateEquirectPhoto, listFiles, MediaError, transcodePhoto, TranscodeJob } from '@spherecast/shared/media';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { FaultProxy } from '../../test-support/fault-proxy.ts';
import { createOriginClient } from '../origin-client.ts';
import { PublishJob, type PublishOptions, type PublishProgress } from './publish-job.ts';

/** Publishing against the real origin (PGlite, temp data folder), with a real faulty proxy in front of it where a test needs faults. */
describe('PublishJob against a real origin', () => {
  let dir: string;
  let ladder: string;
  let t: TestOrigin;
  let alice: TestUser;
  let proxy: FaultProxy;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-publish-'));
    const source = path.join(dir, 'clip.mp4');
    await generateEquirectFixture({ out: source, width: 256, seconds: 2, fps: 15 });
    ladder = path.join(dir, 'ladder');
    await new TranscodeJob({ input: source, out: ladder, segmentSeconds: 1 }).start();
    t = await startTestOrigin('pglite');
    alice = await t.user('alice');
    proxy = new FaultProxy(t.url);
    await proxy.start();
  });
  after(async () => {
    await proxy?.stop();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => proxy.reset());

  const job = (options: Partial<PublishOptions> & { content: PublishOptions['content'] }) =>
    new PublishJob({ origin: proxy.url, auth: { token: alice.token }, dir: ladder, retryBaseMs: 10, ...options });

  /**
   * The files of a ready content that the origin serves, fetched as a player would (the origin may
   * publish only what the master names, so manifests such as ladder.json can be absent). Every
   * file in `required` must be served.
   */
  async function publishedFiles(contentId: string, files: string[], master: string, required: (rel: string) => boolean): Promise<Map<string, Buffer>> {
    const client = createOriginClient({ baseUrl: t.url, token: () => alice.token });
    const playback = await client.api.streaming.start.query({ id: contentId });
    assert.ok(playback.masterUrl.endsWith(`/${master}`), playback.masterUrl);
    const folder = new URL('.', new URL(playback.masterUrl, t.url));
    const out = new Map<string, Buffer>();
    for (const rel of files) {
      const response = await fetch(new URL(rel, folder));
      if (response.status === 200) out.set(rel, Buffer.from(await response.arrayBuffer()));
      else assert.ok(!required(rel), `${rel} is not served (${response.status})`);
    }
    return out;
  }
  /** A ladder's playlists, init segments, media segments and poster: what a player fetches. */
  const playable = (rel: string) => /\.(m3u8|m4s|mp4)$/.test(rel) || rel === 'poster.jpg';

  test('signs in with a password, creates the content, uploads every file intact (master last), finalizes, and reports per-file and total progress', async () => {
    const events: PublishProgress[] = [];
    const publish = job({ auth: { login: 'alice', password: 'password-123' }, content: { title: 'Test clip', tags: ['test'] } });
    publish.on('progress', (p) => events.push(p));
    const result = await publish.start();
    const files = await listFiles(ladder);

    assert.equal(proxy.count('POST', '/trpc/auth.login'), 1);
    const puts = proxy.log.filter((k) => k.startsWith('PUT '));
    assert.equal(puts.length, files.length);
    assert.equal(puts.at(-1), `PUT /media/${result.contentId}/master.m3u8`, 'master uploaded last');
    const served = await publishedFiles(result.contentId, files, 'master.m3u8', playable);
    for (const [rel, bytes] of served) assert.ok(bytes.equals(await readFile(path.join(ladder, rel))), rel);

    const detail = await alice.caller.content.get({ id: result.contentId });
    assert.equal(detail.kind, 'video');
    assert.equal(detail.projection, 'equirectangular-mono');
    assert.equal(detail.title, 'Test clip');
    assert.deepEqual(detail.tags, ['test']);
    assert.equal(detail.status, 'ready');
    assert.equal(detail.durationSeconds, 2);
    assert.ok(detail.posterUrl?.endsWith('/poster.jpg'), 'poster.jpg is the poster');
    assert.deepEqual(result.uploaded, files);
    assert.deepEqual(result.skipped, []);
    assert.equal(result.content.status, 'ready');

    const last = events.at(-1)!;
    assert.equal(last.phase, 'finalize');
    assert.equal(last.contentId, result.contentId);
    assert.equal(last.doneFiles, files.length);
    assert.equal(last.percent, 100);
    assert.equal(result.bytesSent, last.totalBytes);
    assert.deepEqual(
      events.map((e) => e.phase).filter((phase, i, all) => phase !== all[i - 1]),
      ['login', 'create', 'hash', 'upload', 'finalize'],
    );
    const uploadedEvents = events.filter((e) => e.file?.status === 'uploaded').map((e) => e.file!.path);
    assert.deepEqual(uploadedEvents.sort(), files);
    assert.ok(events.some((e) => e.file?.status === 'uploading' && e.file.sentBytes > 0));
  });

  test('after an interruption, publishing again into the same content skips files staged with the same size and sha256 and re-sends changed ones', async () => {
    const files = await listFiles(ladder);
    // The connection drops for good at the master: everything else is staged, nothing is published.
    proxy.rule = ({ method, url }) => (method === 'PUT' && url.endsWith('/master.m3u8') ? 'drop' : 'pass');
    let contentId: string | null = null;
    const first = job({ content: { title: 'Resumable' }, attempts: 2 });
    first.on('progress', (p) => (contentId = p.contentId));
    await assert.rejects(first.start(), (e: unknown) => e instanceof MediaError && e.code === 'ORIGIN_UNREACHABLE' && /2 attempts/.test(e.message));
    assert.ok(contentId);
    assert.equal((await alice.caller.content.get({ id: contentId })).status, 'processing');

    // The creator re-exports the poster (same size, other bytes) before trying again.
    const copy = path.join(dir, 'ladder-copy');
    await cp(ladder, copy, { recursive: true });
    const poster = await readFile(path.join(copy, 'poster.jpg'));
    poster[poster.length - 3] = poster[poster.length - 3]! ^ 0x01;
    await writeFile(path.join(copy, 'poster.jpg'), poster);

    proxy.reset();
    const second = await job({ dir: copy, content: { title: 'Resumable' }, contentId }).start();
    assert.equal(second.contentId, contentId);
    assert.deepEqual(second.uploaded, ['master.m3u8', 'poster.jpg']);
    assert.deepEqual(
      second.skipped,
      files.filter((f) => f !== 'master.m3u8' && f !== 'poster.jpg'),
    );
    assert.deepEqual(proxy.uploadsOf(contentId).sort(), ['master.m3u8', 'poster.jpg']);
    assert.equal(proxy.count('POST', '/trpc/content.create'), 0, 'no new content');
    const served = await publishedFiles(contentId, ['poster.jpg'], 'master.m3u8', playable);
    assert.ok(served.get('poster.jpg')!.equals(poster), 'the changed poster was sent again');
  });

  test('a cancelled publish names its content so it can be resumed, and resuming finishes it', async () => {
    const publish = job({ content: { title: 'Cancelled' }, concurrency: 1 });
    let uploaded = 0;
    publish.on('progress', (p) => {
      if (p.file?.status === 'uploaded' && ++uploaded === 2) publish.cancel();
    });
    let contentId = '';
    publish.on('progress', (p) => (contentId = p.contentId ?? contentId));
    await assert.rejects(publish.start(), (e: unknown) => e instanceof MediaError && e.code === 'CANCELLED' && e.message.includes(contentId));
    const staged = await alice.caller.content.uploads({ id: contentId });
    assert.ok(staged.files.length >= 2 && staged.files.length < (await listFiles(ladder)).length, `${staged.files.length} files staged`);
    const resumed = await job({ content: { title: 'Cancelled' }, contentId }).start();
    assert.deepEqual(resumed.skipped, staged.files.map((f) => f.path).sort());
    assert.equal((await alice.caller.content.get({ id: contentId })).status, 'ready');
  });

  test('retries 5xx, dropped connections and mangled bodies with back-off, for uploads and API calls, and keeps at most N uploads in flight', async () => {
    const files = await listFiles(ladder);
    const segment = files.find((f) => f.endsWith('.m4s'))!;
    const init = files.find((f) => f.endsWith('.mp4'))!;
    proxy.rule = ({ method, url, attempt }) => {
      if (method === 'PUT' && url.endsWith(`/${segment}`) && attempt <= 2) return { status: 503, body: 'Overloaded, try again.' };
      if (method === 'PUT' && url.endsWith('/poster.jpg') && attempt === 1) return 'drop';
      if (method === 'PUT' && url.endsWith(`/${init}`) && attempt === 1) return 'corrupt';
      if (url.startsWith('/trpc/content.uploads') && attempt === 1) return { status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' };
      return 'pass';
    };
    proxy.putDelayMs = 30;
    const retrying: string[] = [];
    const publish = job({ content: { title: 'Flaky' }, concurrency: 2 });
    publish.on('progress', (p) => {
      if (p.file?.status === 'retrying') retrying.push(p.file.path);
    });
    const result = await publish.start();
    assert.equal(proxy.count('PUT', `/media/${result.contentId}/${segment}`), 3);
    assert.equal(proxy.count('PUT', `/media/${result.contentId}/poster.jpg`), 2);
    assert.equal(proxy.count('PUT', `/media/${result.contentId}/${init}`), 2, 'a body the origin hashed differently is sent again');
    assert.equal(proxy.count('GET', '/trpc/content.uploads'), 2);
    assert.ok(retrying.length >= 4, `${retrying.length} retry events`);
    assert.equal(proxy.maxActivePuts, 2);
    const served = await publishedFiles(result.contentId, files, 'master.m3u8', playable);
    for (const rel of [segment, init, 'poster.jpg']) assert.ok(served.get(rel)!.equals(await readFile(path.join(ladder, rel))), rel);
  });

  test('a wrong password or a refused token fails at once with ORIGIN_AUTH_FAILED; an unreachable origin fails with ORIGIN_UNREACHABLE after retries', async () => {
    const failed: MediaError[] = [];
    const wrongPassword = job({ auth: { login: 'alice', password: 'not-her-password' }, content: { title: 'x' } });
    wrongPassword.on('failed', (e) => failed.push(e));
    await assert.rejects(
      wrongPassword.start(),
      (e: unknown) =>
        e instanceof MediaError &&
        e.code === 'ORIGIN_AUTH_FAILED' &&
        e.status === 401 &&
        /Wrong username, email or password/.test(e.message) &&
        /Check the login and password/.test(e.message),
    );
    assert.equal(failed.length, 1);
    assert.equal(proxy.count('POST', '/trpc/auth.login'), 1, 'a refused sign-in is not retried');

    await assert.rejects(
      job({ auth: { token: 'not-a-token' }, content: { title: 'x' } }).start(),
      (e: unknown) => e instanceof MediaError && e.code === 'ORIGIN_AUTH_FAILED' && e.status === 401,
    );
    assert.equal(proxy.count('POST', '/trpc/content.create'), 1);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const started = Date.now();
    await assert.rejects(
      job({ origin: `http://127.0.0.1:${port}`, content: { title: 'x' }, attempts: 3 }).start(),
      (e: unknown) =>
        e instanceof MediaError && e.code === 'ORIGIN_UNREACHABLE' && e.retryable && /Cannot reach the origin/.test(e.message) && /3 attempts/.test(e.message),
    );
    assert.ok(Date.now() - started < 5000);
  });

  test('a throttled sign-in (429) fails at once with the origin’s sentence instead of retrying into the lockout', async () => {
    await t.user('bob');
    const client = createOriginClient({ baseUrl: t.url });
    for (let i = 0; i < 10; i++) await client.login({ login: 'bob', password: 'wrong-password' }).catch(() => undefined);
    await assert.rejects(
      job({ auth: { login: 'bob', password: 'password-123' }, content: { title: 'x' }, attempts: 5 }).start(),
      (e: unknown) =>
        e instanceof MediaError && e.code === 'ORIGIN_AUTH_FAILED' && e.status === 429 && !e.retryable && /Try again in \d+ minute/.test(e.message),
    );
    assert.equal(proxy.count('POST', '/trpc/auth.login'), 1);
  });

  test('an origin that stops answering mid-request is given up on after the inactivity timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        job({ origin: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, content: { title: 'x' }, attempts: 2, timeoutMs: 200 }).start(),
        (e: unknown) => e instanceof MediaError && e.code === 'ORIGIN_UNREACHABLE' && /no answer to content.create/.test(e.message),
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('a photo output is published as kind photo with its largest rung as master and the preview as poster', async () => {
    const photo = path.join(dir, 'pano.jpg');
    await generateEquirectPhoto({ out: photo, width: 1024 });
    const out = path.join(dir, 'photo-out');
    await transcodePhoto({ input: photo, out, widths: [1024, 512] });
    const result = await job({ dir: out, content: { title: 'Pano' } }).start();
    const detail = await alice.caller.content.get({ id: result.contentId });
    assert.equal(detail.kind, 'photo');
    assert.equal(detail.status, 'ready');
    assert.ok(detail.posterUrl?.endsWith('/preview.jpg'), detail.posterUrl ?? 'no poster');
    const files = await listFiles(out);
    assert.deepEqual(proxy.uploadsOf(result.contentId).sort(), files);
    const served = await publishedFiles(result.contentId, files, 'photo-1024x512.jpg', (rel) => rel === 'photo-1024x512.jpg' || rel === 'preview.jpg');
    for (const [rel, bytes] of served) assert.ok(bytes.equals(await readFile(path.join(out, rel))), rel);
  });

  test('a folder that is not a transcode output is refused before anything is sent', async () => {
    const empty = path.join(dir, 'empty');
    await writeFile(path.join(dir, 'note.txt'), 'x');
    await assert.rejects(job({ dir: empty, content: { title: 'x' } }).start(), (e: unknown) => e instanceof MediaError && e.code === 'INPUT_NOT_FOUND');
    assert.deepEqual(proxy.log, []);
  });
});
