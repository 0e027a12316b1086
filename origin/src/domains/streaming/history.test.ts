import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent, tickingClock } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

for (const kind of await testDatabaseKinds()) {
  describe(`watch history (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let viewer: TestUser;
    const ids: Record<string, string> = {};
    before(async () => {
      t = await startTestOrigin(kind, { now: tickingClock() });
      owner = await t.user('owner');
      viewer = await t.user('viewer', 'viewer');
      for (const title of ['First', 'Second', 'Third', 'Later private']) ids[title] = await readyContent(t, owner, { title, durationSeconds: 100 });
      // First: finished, then started again and left at 20 s. Second: 40 s. Third: finished.
      const first = await viewer.caller.streaming.start({ id: ids.First! });
      await viewer.caller.streaming.heartbeat({ sessionId: first.sessionId, positionSeconds: 100 });
      await viewer.caller.streaming.start({ id: ids['Later private']! });
      const second = await viewer.caller.streaming.start({ id: ids.Second! });
      await viewer.caller.streaming.heartbeat({ sessionId: second.sessionId, positionSeconds: 40 });
      const third = await viewer.caller.streaming.start({ id: ids.Third! });
      await viewer.caller.streaming.heartbeat({ sessionId: third.sessionId, positionSeconds: 0, ended: true });
      const firstAgain = await viewer.caller.streaming.start({ id: ids.First! });
      await viewer.caller.streaming.heartbeat({ sessionId: firstAgain.sessionId, positionSeconds: 20 });
      await t.origin.services.prisma.content.update({ where: { id: ids['Later private']! }, data: { visibility: 'private' } });
    });
    after(() => t.close());

    test('one entry per content, latest first, with the last position and completed flag; pages with cursors', async () => {
      const page1 = await t.http('GET', '/api/me/history?limit=2', { token: viewer.token });
      assert.equal(page1.status, 200, JSON.stringify(page1.body));
      assert.deepEqual(
        page1.body.items.map((item: { content: { title: string }; positionSeconds: number; completed: boolean }) => [
          item.content.title,
          item.positionSeconds,
          item.completed,
        ]),
        [
          ['First', 20, false],
          ['Third', 0, true],
        ],
      );
      assert.equal(page1.body.items[0].content.owner.email, undefined);
      const page2 = await t.http('GET', `/api/me/history?limit=2&cursor=${page1.body.nextCursor}`, { token: viewer.token });
      assert.deepEqual(
        page2.body.items.map((item: { content: { title: string } }) => item.content.title),
        ['Second'],
        'content made private by its owner has left the history',
      );
      assert.equal(page2.body.nextCursor, null);
      const forged = Buffer.from(JSON.stringify([new Date().toISOString(), '-'.repeat(36)])).toString('base64url');
      const bad = await t.http('GET', `/api/me/history?cursor=${forged}`, { token: viewer.token });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /^cursor: /);
    });

    test('history is per user and needs a valid sign-in', async () => {
      assert.deepEqual(await owner.caller.streaming.history({}), { items: [], nextCursor: null });
      assert.equal((await t.http('GET', '/api/me/history')).status, 401);
      await t.origin.services.prisma.authSession.updateMany({ where: { userId: viewer.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const expired = await t.http('GET', '/api/me/history', { token: viewer.token });
      assert.equal(expired.status, 401);
      assert.equal(expired.body.message, 'Your session has expired. Sign in again.');
    });
  });
}
