import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { readyContent, tickingClock } from '../../test-support/content-fixtures.ts';

const UNKNOWN_ID = '0190a000-0000-7000-8000-000000000000';

for (const kind of await testDatabaseKinds()) {
  describe(`likes (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let fan: TestUser;
    let contentId: string;
    before(async () => {
      t = await startTestOrigin(kind, { now: tickingClock() });
      owner = await t.user('owner');
      fan = await t.user('fan', 'viewer');
      contentId = await readyContent(t, owner, { title: 'Nazaré waves' });
    });
    after(() => t.close());

    const counters = () => t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: contentId }, select: { likeCount: true, popularity: true } });

    test('like and unlike are idempotent and keep likeCount and popularity (5 per like) in step', async () => {
      const first = await t.http('POST', `/api/content/${contentId}/like`, { token: fan.token, body: {} });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, { liked: true, likeCount: 1 });
      const again = await t.http('POST', `/api/content/${contentId}/like`, { token: fan.token, body: {} });
      assert.deepEqual(again.body, { liked: true, likeCount: 1 });
      assert.deepEqual(await counters(), { likeCount: 1, popularity: 5 });
      const detail = await fan.caller.content.get({ id: contentId });
      assert.equal(detail.likedByMe, true);

      const unliked = await t.http('DELETE', `/api/content/${contentId}/like`, { token: fan.token });
      assert.deepEqual(unliked.body, { liked: false, likeCount: 0 });
      const unlikedAgain = await t.http('DELETE', `/api/content/${contentId}/like`, { token: fan.token });
      assert.deepEqual(unlikedAgain.body, { liked: false, likeCount: 0 });
      assert.deepEqual(await counters(), { likeCount: 0, popularity: 0 });
    });

    test('10 users liking at once (twice each) give likeCount exactly 10', async () => {
      const users = await Promise.all(Array.from({ length: 10 }, (_, i) => t.user(`liker_${i}`, 'viewer')));
      const results = await Promise.all(
        users.flatMap((user) => [user.caller.engagement.like({ id: contentId }), user.caller.engagement.like({ id: contentId })]),
      );
      assert.ok(results.every((state) => state.liked));
      assert.deepEqual(await counters(), { likeCount: 10, popularity: 50 });
      assert.equal(await t.origin.services.prisma.like.count({ where: { contentId } }), 10);
      await Promise.all(
        users.slice(0, 4).flatMap((user) => [user.caller.engagement.unlike({ id: contentId }), user.caller.engagement.unlike({ id: contentId })]),
      );
      assert.deepEqual(await counters(), { likeCount: 6, popularity: 30 });
    });

    test('/api/me/likes lists what the caller liked and may still see, latest like first, in pages', async () => {
      const collector = await t.user('collector', 'viewer');
      const titles = ['Liked first', 'Liked second', 'Liked third', 'Liked then hidden'];
      const ids = [];
      for (const title of titles) ids.push(await readyContent(t, owner, { title }));
      for (const id of ids) await collector.caller.engagement.like({ id });
      await t.origin.services.prisma.content.update({ where: { id: ids[3]! }, data: { visibility: 'private' } });
      const page1 = await t.http('GET', '/api/me/likes?limit=2', { token: collector.token });
      assert.equal(page1.status, 200, JSON.stringify(page1.body));
      assert.deepEqual(
        page1.body.items.map((c: { title: string }) => c.title),
        ['Liked third', 'Liked second'],
      );
      const page2 = await collector.caller.engagement.myLikes({ limit: 2, cursor: page1.body.nextCursor });
      assert.deepEqual(
        page2.items.map((c) => c.title),
        ['Liked first'],
      );
      assert.equal(page2.nextCursor, null);
      assert.equal((await t.http('GET', '/api/me/likes')).status, 401);
    });

    test('liking needs a sign-in, an existing id and content the caller may see', async () => {
      assert.equal((await t.http('POST', `/api/content/${contentId}/like`, { body: {} })).status, 401);
      assert.equal((await t.http('POST', `/api/content/${UNKNOWN_ID}/like`, { token: fan.token, body: {} })).status, 404);
      const badId = await t.http('POST', '/api/content/12345/like', { token: fan.token, body: {} });
      assert.equal(badId.status, 400);
      assert.match(badId.body.message, /^id: /);
      const secret = await readyContent(t, owner, { title: 'Private', visibility: 'private' });
      const draft = await readyContent(t, owner, { title: 'Draft', status: 'draft' });
      assert.equal((await t.http('POST', `/api/content/${secret}/like`, { token: fan.token, body: {} })).status, 404);
      assert.equal((await t.http('POST', `/api/content/${draft}/like`, { token: fan.token, body: {} })).status, 404);
      assert.equal((await t.http('POST', `/api/content/${secret}/like`, { token: owner.token, body: {} })).status, 200, 'the owner sees their private content');
    });
  });
}
