import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

describe('tour ratings and comments (postgres)', () => {
  let t: TestOrigin;
  let owner: TestUser;
  let fan: TestUser;
  let critic: TestUser;
  let tourId: string;
  let draftId: string;
  before(async () => {
    t = await startTestOrigin('postgres');
    [owner, fan, critic] = await Promise.all([t.user('guide_e'), t.user('fan_e', 'viewer'), t.user('critic_e', 'viewer')]);
    const scene = await readyContent(t, owner, { title: 'Quay' });
    const scenes = [{ id: 'quay', contentId: scene, title: 'Quay' }];
    tourId = (await owner.caller.tours.create({ title: 'Rated tour', scenes })).id;
    await owner.caller.tours.publish({ id: tourId });
    draftId = (await owner.caller.tours.create({ title: 'Still a draft', scenes })).id;
  });
  after(() => t.close());

  test('viewers rate a published tour 1-5 over REST; the average counts one rating per viewer', async () => {
    assert.equal((await t.http('PUT', `/api/tours/${tourId}/rating`, { token: fan.token, body: { score: 5 } })).status, 200);
    await critic.caller.tours.rate({ id: tourId, score: 2 });
    await critic.caller.tours.rate({ id: tourId, score: 3 });
    const seen = await t.http('GET', `/api/tours/${tourId}/rating`);
    assert.deepEqual(seen.body, { myRating: null, ratingCount: 2, ratingAverage: 4 });
    assert.equal((await fan.caller.tours.rating({ id: tourId })).myRating, 5);
    const removed = await t.http('DELETE', `/api/tours/${tourId}/rating`, { token: fan.token });
    assert.deepEqual(removed.body, { myRating: null, ratingCount: 1, ratingAverage: 3 });
    assert.equal((await t.http('PUT', `/api/tours/${tourId}/rating`, { token: fan.token, body: { score: 6 } })).status, 400);
    assert.equal((await t.http('PUT', `/api/tours/${tourId}/rating`, { body: { score: 4 } })).status, 401);
  });

  test('threaded comments: a reply to a reply joins the thread; a deleted comment with replies keeps its place', async () => {
    const first = await t.http('POST', `/api/tours/${tourId}/comments`, { token: fan.token, body: { body: 'Loved the quay at dawn' } });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const reply = await critic.caller.tours.addComment({ id: tourId, body: 'Too short', parentId: first.body.id });
    const nested = await owner.caller.tours.addComment({ id: tourId, body: 'Thanks both', parentId: reply.id });
    assert.equal(nested.parentId, first.body.id);
    const threads = await t.http('GET', `/api/tours/${tourId}/comments`);
    assert.equal(threads.body.items.length, 1);
    assert.equal(threads.body.items[0].replyCount, 2);
    assert.deepEqual(
      threads.body.items[0].replies.map((item: { body: string }) => item.body),
      ['Too short', 'Thanks both'],
    );
    assert.equal((await t.http('DELETE', `/api/tour-comments/${reply.id}`, { token: fan.token })).status, 403);
    assert.equal((await t.http('DELETE', `/api/tour-comments/${first.body.id}`, { token: owner.token })).status, 200, "the tour's creator moderates");
    const after = (await t.anonymous.tours.comments({ id: tourId })).items[0];
    assert.equal(after?.deleted, true);
    assert.equal(after?.body, null);
    assert.equal(after?.replies.length, 2);
    const row = await t.origin.services.prisma.tour.findUniqueOrThrow({ where: { id: tourId }, select: { commentCount: true } });
    assert.equal(row.commentCount, 2);
  });

  test('a draft cannot be rated or commented on, and others do not see that it exists', async () => {
    assert.equal((await t.http('PUT', `/api/tours/${draftId}/rating`, { token: fan.token, body: { score: 4 } })).status, 404);
    assert.equal((await t.http('GET', `/api/tours/${draftId}/comments`)).status, 404);
    const own = await t.http('POST', `/api/tours/${draftId}/comments`, { token: owner.token, body: { body: 'note to self' } });
    assert.equal(own.status, 400);
    assert.match(own.body.message, /publish it/);
  });
});
