import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

for (const kind of await testDatabaseKinds()) {
  describe(`feed (${kind})`, () => {
    let t: TestOrigin;
    let reader: TestUser;
    before(async () => {
      t = await startTestOrigin(kind);
      reader = await t.user('reader', 'viewer');
      const followed = await t.user('followed');
      const other = await t.user('stranger');
      await readyContent(t, followed, { title: 'Old', publishedAt: daysAgo(3) });
      await readyContent(t, followed, { title: 'Newest', publishedAt: daysAgo(0) });
      await readyContent(t, followed, { title: 'Middle', publishedAt: daysAgo(1) });
      await readyContent(t, followed, { title: 'Hidden', visibility: 'private' });
      await readyContent(t, followed, { title: 'Unlisted', visibility: 'unlisted' });
      await readyContent(t, followed, { title: 'Draft', status: 'draft' });
      await readyContent(t, other, { title: 'Not followed', publishedAt: daysAgo(0) });
      await readyContent(t, followed, { title: 'Second newest', publishedAt: daysAgo(0.5) });
      await reader.caller.profiles.follow({ username: 'followed' });
    });
    after(() => t.close());

    test('the feed has public ready content of followed creators only, newest first, in cursor pages', async () => {
      const page1 = await t.http('GET', '/api/feed?limit=2', { token: reader.token });
      assert.equal(page1.status, 200, JSON.stringify(page1.body));
      assert.deepEqual(
        page1.body.items.map((c: { title: string }) => c.title),
        ['Newest', 'Second newest'],
      );
      assert.equal(page1.body.items[0].owner.username, 'followed');
      assert.equal(page1.body.items[0].owner.email, undefined);
      const page2 = await t.http('GET', `/api/feed?limit=2&cursor=${page1.body.nextCursor}`, { token: reader.token });
      assert.deepEqual(
        page2.body.items.map((c: { title: string }) => c.title),
        ['Middle', 'Old'],
      );
      assert.equal(page2.body.nextCursor, null);
    });

    test('the feed needs a sign-in and is empty when following nobody', async () => {
      assert.equal((await t.http('GET', '/api/feed')).status, 401);
      const loner = await t.user('loner', 'viewer');
      assert.deepEqual(await loner.caller.profiles.feed({}), { items: [], nextCursor: null });
    });
  });
}
