import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { makeTinyLadder, uploadLadder } from '../../test-support/hls-fixture.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const ladderDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-ladder-'));
const ladderFiles = await makeTinyLadder(ladderDir);

for (const kind of await testDatabaseKinds()) {
  describe(`media storage and delivery (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let stranger: TestUser;
    let contentId: string;
    before(async () => {
      t = await startTestOrigin(kind, { maxUploadBytes: 2 * 1024 * 1024 });
      creator = await t.user('maker');
      stranger = await t.user('stranger');
      contentId = (await creator.caller.content.create({ title: 'Tiny ladder', tags: ['test'] })).id;
    });
    after(() => t.close());

    const put = (id: string, file: string, body: string | Buffer, token?: string) =>
      fetch(`${t.url}/media/${id}/${file}`, { method: 'PUT', headers: token ? { authorization: `Bearer ${token}` } : {}, body });

    test('path traversal in a media PUT is refused and writes nothing outside the content folder', async () => {
      const attempts = [
        '../escape.txt',
        '..%2Fescape.txt',
        '%2e%2e/escape.txt',
        '%2e%2e%2fescape.txt',
        '%252e%252e%252fescape.txt',
        'a/../../escape.txt',
        '%2Fetc%2Fpasswd',
        '..\\escape.txt',
        '.hidden',
        'a//b.m4s',
      ];
      for (const attempt of attempts) {
        const response = await fetch(`${t.url}/media/${contentId}/${attempt}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${creator.token}` },
          body: 'x',
        });
        assert.ok([400, 404].includes(response.status), `${attempt} answered ${response.status}`);
      }
      const mediaRoot = t.origin.config.mediaDir;
      const top = await readdir(mediaRoot);
      assert.deepEqual(top.sort(), ['published', 'staging']);
      assert.equal(await t.origin.services.prisma.upload.count(), 0);
    });

    test('only the owner may upload: anonymous 401, another user 403, unknown content 404', async () => {
      assert.equal((await put(contentId, 'master.m3u8', '#EXTM3U')).status, 401);
      assert.equal((await put(contentId, 'master.m3u8', '#EXTM3U', stranger.token)).status, 403);
      assert.equal((await put('0190aaaa-0000-7000-8000-000000000000', 'master.m3u8', '#EXTM3U', creator.token)).status, 404);
      assert.equal((await put('not-an-id', 'master.m3u8', '#EXTM3U', creator.token)).status, 400);
    });

    test('an upload over the size limit is refused with 413 and leaves no file', async () => {
      const response = await put(contentId, 'big.m4s', Buffer.alloc(3 * 1024 * 1024, 1), creator.token);
      assert.equal(response.status, 413);
      const staged = await t.origin.services.media.listStaged(contentId);
      assert.ok(!staged.includes('big.m4s'));
    });

    test('a half-uploaded ladder is not visible, and finalize names what is missing', async () => {
      const firstHalf = ladderFiles.filter((file) => !file.startsWith('128x64/'));
      await uploadLadder(t.url, creator.token, contentId, ladderDir, firstHalf);
      const listed = await t.http('GET', `/api/content/${contentId}/uploads`, { token: creator.token });
      assert.equal(listed.status, 200);
      assert.equal(listed.body.files.length, firstHalf.length);
      const master = listed.body.files.find((file: { path: string }) => file.path === 'master.m3u8');
      assert.equal(
        master.sha256,
        createHash('sha256')
          .update(await readFile(path.join(ladderDir, 'master.m3u8')))
          .digest('hex'),
      );
      // Viewers cannot see the draft, nor fetch anything of it.
      assert.equal((await t.http('GET', `/api/content/${contentId}`)).status, 404);
      assert.equal((await fetch(`${t.url}/media/${contentId}/master.m3u8`)).status, 404);
      const finalize = await t.http('POST', `/api/content/${contentId}/finalize`, { token: creator.token, body: { master: 'master.m3u8' } });
      assert.equal(finalize.status, 400);
      assert.match(finalize.body.message, /128x64\/index\.m3u8/);
      assert.equal((await t.http('GET', `/api/content/${contentId}`)).status, 404);
    });

    test('finalize by another user is 403', async () => {
      const response = await t.http('POST', `/api/content/${contentId}/finalize`, { token: stranger.token, body: {} });
      assert.equal(response.status, 403);
    });

    test('a complete ladder finalizes: renditions recorded, content ready, master served with HLS headers', async () => {
      await uploadLadder(
        t.url,
        creator.token,
        contentId,
        ladderDir,
        ladderFiles.filter((file) => file.startsWith('128x64/')),
      );
      const finalize = await t.http('POST', `/api/content/${contentId}/finalize`, {
        token: creator.token,
        body: { master: 'master.m3u8', durationSeconds: 3 },
      });
      assert.equal(finalize.status, 200, JSON.stringify(finalize.body));
      assert.equal(finalize.body.status, 'ready');
      assert.deepEqual(
        finalize.body.renditions.map((r: { width: number }) => r.width),
        [256, 128],
      );
      const detail = await t.http('GET', `/api/content/${contentId}`);
      assert.equal(detail.status, 200);
      assert.equal(detail.body.masterUrl, undefined, 'playback URLs come from the playback payload only');
      const playback = await t.http('GET', `/api/streaming/${contentId}`);
      const masterUrl: string = playback.body.masterUrl;
      assert.match(masterUrl, new RegExp(`/media/${contentId}/[0-9a-f-]{36}/master\\.m3u8$`));
      const master = await fetch(masterUrl);
      assert.equal(master.status, 200);
      assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      assert.match(master.headers.get('cache-control') ?? '', /max-age=2/);
      assert.equal(master.headers.get('access-control-allow-origin'), '*');
      assert.equal(await master.text(), await readFile(path.join(ladderDir, 'master.m3u8'), 'utf8'));
    });

    test('segments are served as immutable video/iso.segment with Range support; init as video/mp4', async () => {
      const detail = await t.http('GET', `/api/streaming/${contentId}`);
      const base = (detail.body.masterUrl as string).replace(/master\.m3u8$/, '');
      const segment = await fetch(`${base}256x128/seg_000.m4s`);
      assert.equal(segment.status, 200);
      assert.equal(segment.headers.get('content-type'), 'video/iso.segment');
      assert.equal(segment.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const whole = Buffer.from(await segment.arrayBuffer());
      assert.deepEqual(whole, await readFile(path.join(ladderDir, '256x128/seg_000.m4s')));
      const partial = await fetch(`${base}256x128/seg_000.m4s`, { headers: { range: 'bytes=10-19' } });
      assert.equal(partial.status, 206);
      assert.equal(partial.headers.get('content-range'), `bytes 10-19/${whole.length}`);
      assert.deepEqual(Buffer.from(await partial.arrayBuffer()), whole.subarray(10, 20));
      const beyond = await fetch(`${base}256x128/seg_000.m4s`, { headers: { range: `bytes=${whole.length + 5}-` } });
      assert.equal(beyond.status, 416);
      const init = await fetch(`${base}256x128/init.mp4`, { method: 'HEAD' });
      assert.equal(init.headers.get('content-type'), 'video/mp4');
    });

    test('the published ladder carries SHA-256 of every segment for P2P validation', async () => {
      const detail = await t.http('GET', `/api/streaming/${contentId}`);
      assert.equal(detail.body.segmentHashesUrl, (detail.body.masterUrl as string).replace(/master\.m3u8$/, 'hashes.json'));
      const hashes = (await (await fetch(detail.body.segmentHashesUrl)).json()) as Record<string, string>;
      const expected = createHash('sha256')
        .update(await readFile(path.join(ladderDir, '128x64/seg_001.m4s')))
        .digest('hex');
      assert.equal(hashes['128x64/seg_001.m4s'], expected);
      assert.equal(Object.keys(hashes).length, ladderFiles.length);
    });

    test('re-publishing creates a new version folder and keeps the previous one for players mid-stream', async () => {
      const before = (await t.http('GET', `/api/streaming/${contentId}`)).body.masterUrl as string;
      await uploadLadder(t.url, creator.token, contentId, ladderDir, ladderFiles);
      const again = await t.http('POST', `/api/content/${contentId}/finalize`, { token: creator.token, body: {} });
      assert.equal(again.status, 200);
      const after = (await t.http('GET', `/api/streaming/${contentId}`)).body.masterUrl as string;
      assert.notEqual(after, before);
      assert.equal((await fetch(before)).status, 200);
      assert.equal((await fetch(after)).status, 200);
    });

    test('deleting the content removes its media', async () => {
      const { masterUrl } = (await t.http('GET', `/api/streaming/${contentId}`)).body;
      assert.equal((await t.http('DELETE', `/api/content/${contentId}`, { token: stranger.token })).status, 403);
      assert.equal((await t.http('DELETE', `/api/content/${contentId}`, { token: creator.token })).status, 200);
      assert.equal((await fetch(masterUrl)).status, 404);
      assert.equal((await t.http('GET', `/api/content/${contentId}`)).status, 404);
    });
  });
}

after(() => rm(ladderDir, { recursive: true, force: true }));
