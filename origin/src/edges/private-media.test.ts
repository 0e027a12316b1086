import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';

const MASTER = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=256x128\n256x128/index.m3u8\n';

const [kind] = await testDatabaseKinds();

describe('private and unlisted media need signed, expiring, revocable URLs', () => {
  let t: TestOrigin;
  let owner: TestUser;
  let viewer: TestUser;
  let clockOffsetMs = 0;

  before(async () => {
    t = await startTestOrigin(kind!, { now: () => new Date(Date.now() + clockOffsetMs), mediaUrlTtlSeconds: 600 });
    owner = await t.user('keeper');
    viewer = await t.user('onlooker', 'viewer');
  });
  after(() => t.close());

  /** A ready content whose published folder holds a master playlist, a segment and a poster. */
  async function publishedContent(visibility: 'public' | 'private' | 'unlisted') {
    const id = await readyContent(t, owner, { title: `A ${visibility} ride`, visibility });
    const folder = path.join(t.origin.config.mediaDir, 'published', id, 'p1');
    await mkdir(path.join(folder, '256x128'), { recursive: true });
    await writeFile(path.join(folder, 'master.m3u8'), MASTER);
    await writeFile(path.join(folder, '256x128', 'seg_000.m4s'), Buffer.alloc(64, 7));
    await writeFile(path.join(folder, 'poster.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    await t.origin.services.prisma.content.update({ where: { id }, data: { posterFile: 'poster.jpg' } });
    return { id, plain: `${t.url}/media/${id}/p1` };
  }

  test('public media stay plain and cacheable by anyone, with nosniff', async () => {
    const { id, plain } = await publishedContent('public');
    const playback = await t.http('GET', `/api/streaming/${id}`);
    assert.equal(playback.body.masterUrl, `${plain}/master.m3u8`);
    const segment = await fetch(`${plain}/256x128/seg_000.m4s`);
    assert.equal(segment.status, 200);
    assert.equal(segment.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(segment.headers.get('x-content-type-options'), 'nosniff');
  });

  test('private media: unsigned is 403, the playback payload signs every playlist and segment, caching is private', async () => {
    const { id, plain } = await publishedContent('private');
    for (const file of ['master.m3u8', '256x128/seg_000.m4s', 'poster.jpg', 'hashes.json']) {
      const response = await fetch(`${plain}/${file}`);
      assert.equal(response.status, 403, file);
      assert.match(((await response.json()) as { message: string }).message, /not public/);
    }
    assert.equal((await t.http('GET', `/api/streaming/${id}`, { token: viewer.token })).status, 404, 'others cannot even get a payload');
    const playback = await t.http('GET', `/api/streaming/${id}`, { token: owner.token });
    const masterUrl = playback.body.masterUrl as string;
    assert.match(masterUrl, new RegExp(`/media/~[^/]+/${id}/p1/master\\.m3u8$`));
    const master = await fetch(masterUrl);
    assert.equal(master.status, 200);
    assert.equal(master.headers.get('cache-control'), 'private, max-age=2, must-revalidate');
    // A player resolves segment URIs against the master's URL, so the token comes along.
    const segment = await fetch(new URL('256x128/seg_000.m4s', masterUrl));
    assert.equal(segment.status, 200);
    assert.equal(segment.headers.get('cache-control'), 'private, max-age=3600');
    const detail = await t.http('GET', `/api/content/${id}`, { token: owner.token });
    assert.equal((await fetch(detail.body.posterUrl as string)).status, 200, "the owner's poster link is signed too");
    const token = new URL(masterUrl).pathname.split('/')[2]!;
    const forged = masterUrl.replace(token, `${token.slice(0, -2)}AA`);
    assert.equal((await fetch(forged)).status, 403);
    const otherContent = await publishedContent('private');
    assert.equal((await fetch(masterUrl.replace(id, otherContent.id))).status, 403, 'a signature is for one folder only');
  });

  test('signed URLs expire', async () => {
    const { id } = await publishedContent('unlisted');
    const playback = await t.http('GET', `/api/streaming/${id}`, { token: viewer.token });
    assert.equal((await fetch(playback.body.masterUrl as string)).status, 200, 'unlisted: anyone with the link may watch');
    clockOffsetMs = 601_000;
    try {
      const expired = await fetch(playback.body.masterUrl as string);
      assert.equal(expired.status, 403);
      assert.match(((await expired.json()) as { message: string }).message, /expired/);
    } finally {
      clockOffsetMs = 0;
    }
  });

  test('making content private revokes every URL handed out before, at once', async () => {
    const { id, plain } = await publishedContent('unlisted');
    const before = (await t.http('GET', `/api/streaming/${id}`, { token: viewer.token })).body.masterUrl as string;
    assert.equal((await fetch(before)).status, 200);
    const made = await t.http('PATCH', `/api/content/${id}`, { token: owner.token, body: { visibility: 'private' } });
    assert.equal(made.status, 200);
    const revoked = await fetch(before);
    assert.equal(revoked.status, 403);
    assert.match(((await revoked.json()) as { message: string }).message, /revoked/);
    assert.equal((await fetch(`${plain}/master.m3u8`)).status, 403);
    const fresh = (await t.http('GET', `/api/streaming/${id}`, { token: owner.token })).body.masterUrl as string;
    assert.equal((await fetch(fresh)).status, 200, 'the owner gets a new link');

    const { id: publicId, plain: publicPlain } = await publishedContent('public');
    assert.equal((await fetch(`${publicPlain}/master.m3u8`)).status, 200);
    await t.http('PATCH', `/api/content/${publicId}`, { token: owner.token, body: { visibility: 'private' } });
    assert.equal((await fetch(`${publicPlain}/master.m3u8`)).status, 403, 'a kept public URL stops working at once');
  });
});
