import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { tickingClock } from '../../test-support/content-fixtures.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

for (const kind of await testDatabaseKinds()) {
  describe(`follows (${kind})`, () => {
    let t: TestOrigin;
    let star: TestUser;
    let fans: TestUser[];
    before(async () => {
      t = await startTestOrigin(kind, { now: tickingClock() });
      star = await t.user('star');
      fans = await Promise.all(['fan_a', 'fan_b', 'fan_c'].map((name) => t.user(name, 'viewer')));
    });
    after(() => t.close());

    test('follow and unfollow are idempotent and report the follower count', async () => {
      const fan = fans[0]!;
      const first = await t.http('POST', '/api/users/star/follow', { token: fan.token, body: {} });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, { following: true, followerCount: 1 });
      assert.deepEqual((await t.http('POST', '/api/users/star/follow', { token: fan.token, body: {} })).body, { following: true, followerCount: 1 });
      const parallel = await Promise.all([1, 2, 3].map(() => fan.caller.profiles.follow({ username: 'star' })));
      assert.ok(parallel.every((state) => state.followerCount === 1));
      assert.deepEqual((await t.http('DELETE', '/api/users/star/follow', { token: fan.token })).body, { following: false, followerCount: 0 });
      assert.deepEqual((await t.http('DELETE', '/api/users/star/follow', { token: fan.token })).body, { following: false, followerCount: 0 });
    });

    test('following yourself is a 400; signed out is 401', async () => {
      const self = await t.http('POST', '/api/users/star/follow', { token: star.token, body: {} });
      assert.equal(self.status, 400);
      assert.match(self.body.message, /^username: you cannot follow yourself/);
      assert.equal((await t.http('DELETE', '/api/users/star/follow', { token: star.token })).status, 400);
      assert.equal((await t.http('POST', '/api/users/star/follow', { body: {} })).status, 401);
    });

    test('followers and following lists are newest first and page with cursors', async () => {
      for (const fan of fans) await fan.caller.profiles.follow({ username: 'star' });
      await star.caller.profiles.follow({ username: 'fan_b' });
      const page1 = await t.http('GET', '/api/users/star/followers?limit=2');
      assert.equal(page1.status, 200);
      assert.deepEqual(
        page1.body.items.map((u: { username: string }) => u.username),
        ['fan_c', 'fan_b'],
      );
      assert.equal(page1.body.items[0].email, undefined);
      assert.ok(page1.body.items[0].followedAt);
      const page2 = await t.http('GET', `/api/users/star/followers?limit=2&cursor=${page1.body.nextCursor}`);
      assert.deepEqual(
        page2.body.items.map((u: { username: string }) => u.username),
        ['fan_a'],
      );
      assert.equal(page2.body.nextCursor, null);
      const following = await t.anonymous.profiles.following({ username: 'star' });
      assert.deepEqual(
        following.items.map((u) => u.username),
        ['fan_b'],
      );
      const forged = await t.http('GET', '/api/users/star/followers?cursor=bm90LWEtY3Vyc29y');
      assert.equal(forged.status, 400);
      assert.match(forged.body.message, /^cursor: /);
      assert.equal((await t.http('GET', '/api/users/star/followers?limit=101')).status, 400);
      assert.equal((await t.http('GET', '/api/users/star/followers?limit=two')).status, 400);
    });
  });
}
