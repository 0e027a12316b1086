import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { makeTinyLadder, uploadLadder } from '../../test-support/hls-fixture.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const ladderDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-ladder-'));
const ladderFiles = await makeTinyLadder(ladderDir, 2);
const masterText = await readFile(path.join(ladderDir, 'master.m3u8'), 'utf8');

for (const kind of await testDatabaseKinds()) {
  describe(`finalize hardening (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let admin: TestUser;
    before(async () => {
      t = await startTestOrigin(kind, { storageQuotaBytes: 400_000 });
      creator = await t.user('hardened');
      admin = await t.user('boss', 'admin');
    });
    after(() => t.close());

    const put = (user: TestUser, id: string, file: string, body: string | Buffer) =>
      fetch(`${t.url}/media/${id}/${file}`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}` }, body });
    const finalize = (id: string, body: object = { master: 'master.m3u8' }) => t.http('POST', `/api/content/${id}/finalize`, { token: creator.token, body });
    const publishedContent = async () => {
      const id = (await creator.caller.content.create({ title: 'Hardened' })).id;
      await uploadLadder(t.url, creator.token, id, ladderDir, ladderFiles);
      assert.equal((await finalize(id)).status, 200);
      return id;
    };

    test('a bad FRAME-RATE is a 400 naming it, and the published content stays readable and editable', async () => {
      const id = await publishedContent();
      for (const value of ['abc', '1e400']) {
        await put(creator, id, 'master.m3u8', masterText.replace('FRAME-RATE=10.000', `FRAME-RATE=${value}`));
        const response = await finalize(id);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.match(response.body.message, new RegExp(`FRAME-RATE=${value}`));
      }
      assert.equal((await t.http('GET', `/api/content/${id}`)).status, 200);
      assert.equal((await t.http('PATCH', `/api/content/${id}`, { token: creator.token, body: { title: 'Still editable' } })).status, 200);
      const renditions = await t.origin.services.prisma.rendition.findMany({ where: { contentId: id } });
      assert.ok(renditions.every((r) => r.frameRate === 10));
    });

    test('absolute URIs in EXT-X-KEY and EXT-X-I-FRAME-STREAM-INF are refused', async () => {
      const id = (await creator.caller.content.create({ title: 'Keys' })).id;
      await uploadLadder(t.url, creator.token, id, ladderDir, ladderFiles);
      const iframe = masterText.replace(
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1000,URI="https://evil.example/i.m3u8"',
      );
      await put(creator, id, 'master.m3u8', iframe);
      const first = await finalize(id);
      assert.equal(first.status, 400);
      assert.match(first.body.message, /only relative URIs/);
      await put(creator, id, 'master.m3u8', masterText);
      const playlist = await readFile(path.join(ladderDir, '128x64/index.m3u8'), 'utf8');
      await put(creator, id, '128x64/index.m3u8', playlist.replace('#EXT-X-MAP', '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k"\n#EXT-X-MAP'));
      const second = await finalize(id);
      assert.equal(second.status, 400);
      assert.match(second.body.message, /128x64\/index\.m3u8: .*only relative URIs/);
    });

    test('a finalize while another publish of the content is under way is a 409, never a 500', async () => {
      const id = (await creator.caller.content.create({ title: 'Twice' })).id;
      await uploadLadder(t.url, creator.token, id, ladderDir, ladderFiles);
      // Another finalize holding the content (its intent is recorded, it has not finished).
      await t.origin.services.prisma.publishAttempt.create({ data: { contentId: id, publishId: randomUUID() } });
      const blocked = await finalize(id);
      assert.equal(blocked.status, 409);
      assert.match(blocked.body.message, /already in progress/);
      const upload = await put(creator, id, 'late.m4s', 'x');
      assert.equal(upload.status, 409);
      await t.origin.services.prisma.publishAttempt.delete({ where: { contentId: id } });
      // Truly concurrent: one publishes; the others get 409, or, arriving after it, a 400 saying that
      // nothing is staged any more. None fails.
      const answers = await Promise.all([finalize(id), finalize(id), finalize(id)]);
      for (const answer of answers) {
        const fine = answer.status === 200 || answer.status === 409 || (answer.status === 400 && /has not been uploaded/.test(answer.body.message));
        assert.ok(fine, `${answer.status} ${JSON.stringify(answer.body)}`);
      }
      assert.equal(answers.filter((a) => a.status === 200).length, 1);
    });

    test('only files the playlists name (plus poster and thumbnails) are published; the rest are removed', async () => {
      const id = (await creator.caller.content.create({ title: 'Extras' })).id;
      await uploadLadder(t.url, creator.token, id, ladderDir, ladderFiles);
      for (const file of ['poster.jpg', 'thumbnails.vtt', 'notes.txt', '128x64/stray.m4s']) assert.equal((await put(creator, id, file, 'x')).status, 201);
      assert.equal((await finalize(id, { master: 'master.m3u8', poster: 'poster.jpg' })).status, 200);
      const content = await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id } });
      const folder = path.join(t.origin.config.mediaDir, 'published', content.publishedPath!);
      const published = (await readdir(folder, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => path.relative(folder, path.join(e.parentPath, e.name)))
        .sort();
      assert.deepEqual(published, [...ladderFiles, 'hashes.json', 'poster.jpg', 'thumbnails.vtt'].sort());
      assert.equal((await fetch(`${t.url}/media/${content.publishedPath}/notes.txt`)).status, 404);
      const rows = await t.origin.services.prisma.upload.findMany({ where: { contentId: id } });
      assert.ok(!rows.some((r) => r.path === 'notes.txt' || r.path === '128x64/stray.m4s'));
    });

    test('missing files are counted, with a few examples', async () => {
      const id = (await creator.caller.content.create({ title: 'Holes' })).id;
      const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2'];
      for (let i = 0; i < 1000; i += 1) lines.push('#EXTINF:2.0,', `seg_${i}.m4s`);
      lines.push('#EXT-X-ENDLIST');
      await put(creator, id, 'v.m3u8', lines.join('\n'));
      const master = ['#EXTM3U'];
      for (let i = 0; i < 32; i += 1) master.push(`#EXT-X-STREAM-INF:BANDWIDTH=${1000 + i}`, 'v.m3u8');
      await put(creator, id, 'master.m3u8', master.join('\n'));
      const response = await finalize(id);
      assert.equal(response.status, 400);
      assert.match(
        response.body.message,
        /^1000 file\(s\) the playlists name are not uploaded yet \(seg_0\.m4s, seg_1\.m4s, seg_2\.m4s, seg_3\.m4s, seg_4\.m4s, …\)/,
      );
    });

    test('the storage quota refuses an upload past it with 413 saying what is used and allowed; admins have none', async () => {
      const quotaUser = await t.user('quota-user');
      const id = (await quotaUser.caller.content.create({ title: 'Quota' })).id;
      assert.equal((await put(quotaUser, id, 'a.m4s', Buffer.alloc(300_000, 1))).status, 201);
      const refused = await put(quotaUser, id, 'b.m4s', Buffer.alloc(200_000, 1));
      assert.equal(refused.status, 413);
      assert.match(((await refused.json()) as { message: string }).message, /stores 300 kB of its 400 kB, and this file is 200 kB/);
      // Replacing a file counts the new size instead of the old one.
      assert.equal((await put(quotaUser, id, 'a.m4s', Buffer.alloc(350_000, 1))).status, 201);
      const adminContent = (await admin.caller.content.create({ title: 'Admin' })).id;
      assert.equal((await put(admin, adminContent, 'big.m4s', Buffer.alloc(600_000, 1))).status, 201);
    });
  });
}

after(() => rm(ladderDir, { recursive: true, force: true }));
