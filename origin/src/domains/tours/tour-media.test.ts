import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runFfmpeg } from '@spherecast/shared/media';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

/** A one-second tone in the given container, made by ffmpeg. */
async function tone(dir: string, name: string, extra: string[] = []): Promise<Buffer> {
  const file = path.join(dir, name);
  await runFfmpeg({ args: ['-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', ...extra, file] });
  return readFile(file);
}

describe('tour narration audio (postgres)', () => {
  let t: TestOrigin;
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let dir: string;
  let tourId: string;
  const put = (id: string, file: string, body: Buffer | string, token?: string) =>
    fetch(`${t.url}/api/tours/${id}/media/${file}`, {
      method: 'PUT',
      headers: { 'content-type': 'audio/mpeg', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tour-media-'));
    t = await startTestOrigin('postgres');
    [owner, other, admin] = await Promise.all([t.user('narrator'), t.user('intruder'), t.user('chief', 'admin')]);
    const scene = await readyContent(t, owner, { title: 'Square' });
    tourId = (await owner.caller.tours.create({ title: 'Narrated', scenes: [{ id: 'square', contentId: scene, title: 'Square' }] })).id;
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the owner uploads MP3, M4A, Ogg and WAV; each is served at the returned /media path, which narration takes', async () => {
    const files = {
      'intro.mp3': await tone(dir, 'a.mp3'),
      'intro.m4a': await tone(dir, 'a.m4a'),
      'intro.ogg': await tone(dir, 'a.ogg', ['-c:a', 'libvorbis']),
      'intro.wav': await tone(dir, 'a.wav'),
    };
    const urls: string[] = [];
    for (const [name, bytes] of Object.entries(files)) {
      const response = await put(tourId, name, bytes, owner.token);
      const body = (await response.json()) as { url: string; contentType: string; size: number; durationSeconds: number | null };
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.match(body.url, new RegExp(`^/media/tours/${tourId}/[0-9a-f]{16}\\.${name.split('.')[1]}$`));
      assert.equal(body.size, bytes.length);
      assert.ok(body.durationSeconds !== null && Math.abs(body.durationSeconds - 1) < 0.2, `duration ${body.durationSeconds}`);
      urls.push(body.url);
      // A draft's media is its owner's: served to them, not to others.
      const served = await fetch(`${t.url}${body.url}`, { headers: { authorization: `Bearer ${owner.token}` } });
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), body.contentType);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
      assert.equal((await fetch(`${t.url}${body.url}`)).status, 404);
    }
    const mp3 = urls[0] as string;
    const updated = await owner.caller.tours.update({
      id: tourId,
      scenes: [{ id: 'square', contentId: (await owner.caller.tours.get({ id: tourId })).scenes[0]!.contentId, title: 'Square', narration: { audioUrl: mp3 } }],
    });
    assert.equal(updated.scenes[0]?.narration?.audioUrl, mp3);
    await owner.caller.tours.publish({ id: tourId });
    const publicAudio = await fetch(`${t.url}${mp3}`, { headers: { range: 'bytes=0-9' } });
    assert.equal(publicAudio.status, 206, 'a published public tour serves its audio to anyone, with ranges');
    assert.match(publicAudio.headers.get('cache-control') ?? '', /public.*immutable/);
    assert.equal((await publicAudio.arrayBuffer()).byteLength, 10);
  });

  test('bytes that are not audio are refused whatever their name or type: text, and a video', async () => {
    const text = await put(tourId, 'speech.mp3', 'this is not audio at all, only text', owner.token);
    assert.equal(text.status, 415);
    assert.match(((await text.json()) as { message: string }).message, /MP3, M4A/);
    const video = await tone(dir, 'v.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=64x32:duration=1', '-shortest', '-pix_fmt', 'yuv420p']);
    assert.equal((await put(tourId, 'clip.m4a', video, owner.token)).status, 415);
  });

  test('only the owner or an admin may upload; anonymous is 401, too large is 413, an unknown tour 404', async () => {
    const bytes = await tone(dir, 'b.mp3');
    assert.equal((await put(tourId, 'x.mp3', bytes)).status, 401);
    assert.equal((await put(tourId, 'x.mp3', bytes, other.token)).status, 403);
    assert.equal((await put(tourId, 'x.mp3', bytes, admin.token)).status, 201);
    assert.equal((await put('00000000-0000-4000-8000-000000000000', 'x.mp3', bytes, owner.token)).status, 404);
    assert.equal((await put(tourId, 'big.mp3', Buffer.alloc(20 * 1048576 + 1), owner.token)).status, 413);
  });

  test('deleting the tour removes its media: the address answers 404 and the folder is gone', async () => {
    const scene = (await owner.caller.tours.get({ id: tourId })).scenes[0]!.contentId;
    const doomed = (await owner.caller.tours.create({ title: 'Short-lived', scenes: [{ id: 's', contentId: scene, title: 'S' }] })).id;
    const uploaded = (await (await put(doomed, 'x.wav', await tone(dir, 'c.wav'), owner.token)).json()) as { url: string };
    const folder = path.join(t.origin.services.media.mediaDir, 'tour-media', doomed);
    assert.ok((await readdir(folder)).length === 1);
    await owner.caller.tours.delete({ id: doomed });
    assert.equal((await fetch(`${t.url}${uploaded.url}`, { headers: { authorization: `Bearer ${owner.token}` } })).status, 404);
    await assert.rejects(readdir(folder), { code: 'ENOENT' });
  });
});
