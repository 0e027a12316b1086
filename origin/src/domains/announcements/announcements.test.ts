import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const HOUR = 3600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

for (const kind of await testDatabaseKinds()) {
  describe(`announcements (${kind})`, () => {
    let t: TestOrigin;
    let admin: TestUser;
    let creator: TestUser;
    before(async () => {
      t = await startTestOrigin(kind);
      admin = await t.user('boss', 'admin');
      creator = await t.user('maker');
    });
    after(() => t.close());

    const post = (body: unknown, token = admin.token) => t.http('POST', '/api/announcements', { token, body });

    test('an admin publishes; anyone sees only the announcements active now, newest first', async () => {
      const older = await post({ title: 'Maintenance tonight', body: 'Down 02:00-03:00 UTC', startsAt: at(-2 * HOUR), endsAt: at(2 * HOUR) });
      assert.equal(older.status, 200, JSON.stringify(older.body));
      assert.equal(older.body.author.username, 'boss');
      assert.equal(older.body.author.email, undefined);
      const newer = await post({ title: 'New: stereo uploads', body: 'Top-bottom 3D is in', startsAt: at(-1 * HOUR), endsAt: at(24 * HOUR) });
      await post({ title: 'Past', body: 'over', startsAt: at(-3 * HOUR), endsAt: at(-1 * HOUR) });
      await post({ title: 'Future', body: 'later', startsAt: at(HOUR), endsAt: at(2 * HOUR) });
      const active = await t.http('GET', '/api/announcements/active');
      assert.equal(active.status, 200);
      assert.deepEqual(
        active.body.items.map((a: { title: string }) => a.title),
        ['New: stereo uploads', 'Maintenance tonight'],
      );
      assert.equal(active.body.items[0].id, newer.body.id);
      const viaTrpc = await t.anonymous.announcements.active();
      assert.equal(viaTrpc.items.length, 2);
      const all = await admin.caller.announcements.list();
      assert.equal(all.items.length, 4);
    });

    test('non-admins get 403, signed-out callers 401, expired admin tokens 401', async () => {
      const body = { title: 'Hi', body: 'there', startsAt: at(0), endsAt: at(HOUR) };
      assert.equal((await post(body, creator.token)).status, 403);
      assert.equal((await t.http('POST', '/api/announcements', { body })).status, 401);
      const someId = (await t.anonymous.announcements.active()).items[0]!.id;
      assert.equal((await t.http('PATCH', `/api/announcements/${someId}`, { token: creator.token, body: { title: 'Mine now' } })).status, 403);
      assert.equal((await t.http('DELETE', `/api/announcements/${someId}`, { token: creator.token })).status, 403);
      assert.equal((await t.http('GET', '/api/announcements', { token: creator.token })).status, 403);
      const lateAdmin = await t.user('late_boss', 'admin');
      await t.origin.services.prisma.authSession.updateMany({ where: { userId: lateAdmin.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const expired = await post(body, lateAdmin.token);
      assert.equal(expired.status, 401);
      assert.equal(expired.body.message, 'Your session has expired. Sign in again.');
    });

    test('bad input is a 400 naming the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ title: 'x', body: 'y', startsAt: at(HOUR), endsAt: at(0) }, /^endsAt: must be after startsAt/],
        [{ title: 'x', body: 'y', startsAt: at(0), endsAt: at(0) }, /^endsAt: /],
        [{ title: 'x'.repeat(201), body: 'y', startsAt: at(0), endsAt: at(HOUR) }, /^title: /],
        [{ title: 'x', body: 'y'.repeat(4001), startsAt: at(0), endsAt: at(HOUR) }, /^body: /],
        [{ title: 'x', body: 'y', startsAt: 12345, endsAt: at(HOUR) }, /^startsAt: /],
        [{ title: 'x', body: 'y', startsAt: 'next tuesday', endsAt: at(HOUR) }, /^startsAt: /],
        [{ title: '   ', body: 'y', startsAt: at(0), endsAt: at(HOUR) }, /^title: /],
      ];
      for (const [body, message] of cases) {
        const response = await post(body);
        assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
        assert.match(response.body.message, message);
        assert.doesNotMatch(JSON.stringify(response.body), /stack|at .*\.ts|prisma|SQL/i);
      }
    });

    test('update changes only the given fields and checks the window against stored values', async () => {
      const created = await admin.caller.announcements.create({ title: 'Draft title', body: 'Body', startsAt: at(-HOUR), endsAt: at(HOUR) });
      const renamed = await t.http('PATCH', `/api/announcements/${created.id}`, { token: admin.token, body: { title: 'Final title' } });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.title, 'Final title');
      assert.equal(renamed.body.body, 'Body');
      const inverted = await t.http('PATCH', `/api/announcements/${created.id}`, { token: admin.token, body: { endsAt: at(-2 * HOUR) } });
      assert.equal(inverted.status, 400);
      assert.match(inverted.body.message, /^endsAt: must be after startsAt/);
      const unknown = await t.http('PATCH', '/api/announcements/0190a000-0000-7000-8000-000000000000', { token: admin.token, body: { title: 'x' } });
      assert.equal(unknown.status, 404);
      const badId = await t.http('PATCH', '/api/announcements/not-a-uuid', { token: admin.token, body: { title: 'x' } });
      assert.equal(badId.status, 400);
      assert.match(badId.body.message, /^id: /);
    });

    test('delete removes it from the active list; unknown ids are 404', async () => {
      const created = await admin.caller.announcements.create({ title: 'Short-lived', body: 'Bye', startsAt: at(-HOUR), endsAt: at(HOUR) });
      assert.ok((await t.anonymous.announcements.active()).items.some((a) => a.id === created.id));
      assert.equal((await t.http('DELETE', `/api/announcements/${created.id}`, { token: admin.token })).status, 200);
      assert.ok(!(await t.anonymous.announcements.active()).items.some((a) => a.id === created.id));
      assert.equal((await t.http('DELETE', `/api/announcements/${created.id}`, { token: admin.token })).status, 404);
    });

    test('the OpenAPI document describes the announcement routes', async () => {
      const doc = await t.http('GET', '/openapi.json');
      assert.equal(doc.status, 200);
      assert.ok(doc.body.paths['/announcements/active'].get);
      assert.ok(doc.body.paths['/announcements/{id}'].patch);
    });
  });
}
