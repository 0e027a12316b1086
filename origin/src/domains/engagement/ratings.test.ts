import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { changeCounters } from '../../core/counters.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';

const UNKNOWN_ID = '0190a000-0000-7000-8000-000000000000';

for (const kind of await testDatabaseKinds()) {
  describe(`ratings (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let ana: TestUser;
    let ben: TestUser;
    let contentId: string;
    before(async () => {
      t = await startTestOrigin(kind);
      owner = await t.user('owner');
      ana = await t.user('ana', 'viewer');
      ben = await t.user('ben', 'viewer');
      contentId = await readyContent(t, owner, { title: 'Tram 28' });
    });
    after(() => t.close());

    const counters = (id = contentId) =>
      t.origin.services.prisma.content.findUniqueOrThrow({ where: { id }, select: { ratingCount: true, ratingSum: true, popularity: true } });
    const rate = (user: TestUser, score: unknown, id = contentId) => t.http('PUT', `/api/content/${id}/rating`, { token: user.token, body: { score } });

    test('a rating is an upsert; count, sum, average and popularity (2 per point above 3) stay exact', async () => {
      const first = await rate(ana, 5);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, { myRating: 5, ratingCount: 1, ratingAverage: 5 });
      assert.deepEqual(await counters(), { ratingCount: 1, ratingSum: 5, popularity: 4 });
      const changed = await rate(ana, 4);
      assert.deepEqual(changed.body, { myRating: 4, ratingCount: 1, ratingAverage: 4 });
      const second = await rate(ben, 1);
      assert.deepEqual(second.body, { myRating: 1, ratingCount: 2, ratingAverage: 2.5 });
      // 2·((4 − 3) + (1 − 3)) = −2, floored at 0.
      assert.deepEqual(await counters(), { ratingCount: 2, ratingSum: 5, popularity: 0 });
      const detail = await ana.caller.content.get({ id: contentId });
      assert.equal(detail.myRating, 4);
      assert.equal(detail.ratingAverage, 2.5);

      const removed = await t.http('DELETE', `/api/content/${contentId}/rating`, { token: ben.token });
      assert.deepEqual(removed.body, { myRating: null, ratingCount: 1, ratingAverage: 4 });
      const removedAgain = await t.http('DELETE', `/api/content/${contentId}/rating`, { token: ben.token });
      assert.deepEqual(removedAgain.body, { myRating: null, ratingCount: 1, ratingAverage: 4 });
      assert.deepEqual(await counters(), { ratingCount: 1, ratingSum: 4, popularity: 2 });
    });

    test('concurrent ratings by many users, and repeated by one, keep count and sum exact', async () => {
      const video = await readyContent(t, owner, { title: 'Busy' });
      const users = await Promise.all(Array.from({ length: 8 }, (_, i) => t.user(`rater_${i}`, 'viewer')));
      // Every user rates 2, then 5, at the same time as everyone else: only the last write per user counts.
      await Promise.all(
        users.map(async (user) => {
          await user.caller.engagement.rate({ id: video, score: 2 });
          await user.caller.engagement.rate({ id: video, score: 5 });
        }),
      );
      await Promise.all(
        users
          .map((user) => user.caller.engagement.rate({ id: video, score: 3 }))
          .concat(users.map((user) => user.caller.engagement.rate({ id: video, score: 3 }))),
      );
      const rows = await t.origin.services.prisma.rating.aggregate({ where: { contentId: video }, _count: true, _sum: { score: true } });
      const stored = await counters(video);
      assert.equal(stored.ratingCount, rows._count);
      assert.equal(stored.ratingSum, rows._sum.score);
      assert.deepEqual(stored, { ratingCount: 8, ratingSum: 24, popularity: 0 });
    });

    test('popularity is one formula over all counters: views + 5 likes + 3 comments + 2 Σ(score − 3)', async () => {
      const video = await readyContent(t, owner, { title: 'Formula' });
      await changeCounters(t.origin.services.prisma, video, { viewCount: 7 });
      await ana.caller.engagement.like({ id: video });
      await ana.caller.engagement.addComment({ id: video, body: 'nice' });
      await ana.caller.engagement.rate({ id: video, score: 5 });
      assert.deepEqual(await counters(video), { ratingCount: 1, ratingSum: 5, popularity: 7 + 5 + 3 + 4 });
    });

    test('bad scores are a 400 naming score; unknown or private content is 404; signed out is 401', async () => {
      for (const score of [0, 6, 3.5, 'five', null]) {
        const response = await rate(ana, score);
        assert.equal(response.status, 400, String(score));
        assert.match(response.body.message, /^score: /);
      }
      assert.equal((await rate(ana, 3, UNKNOWN_ID)).status, 404);
      assert.equal((await t.http('DELETE', `/api/content/${UNKNOWN_ID}/rating`, { token: ana.token })).status, 404);
      const secret = await readyContent(t, owner, { title: 'Secret', visibility: 'private' });
      assert.equal((await rate(ana, 3, secret)).status, 404);
      assert.equal((await t.http('PUT', `/api/content/${contentId}/rating`, { body: { score: 3 } })).status, 401);
    });
  });
}
