import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

for (const kind of await testDatabaseKinds()) {
  describe(`profiles (${kind})`, () => {
    let t: TestOrigin;
    let maria: TestUser;
    let joao: TestUser;
    before(async () => {
      t = await startTestOrigin(kind);
      maria = await t.user('maria');
      joao = await t.user('joao', 'viewer');
      await readyContent(t, maria, { title: 'Public one' });
      await readyContent(t, maria, { title: 'Public two' });
      await readyContent(t, maria, { title: 'Private', visibility: 'private' });
      await readyContent(t, maria, { title: 'Unlisted', visibility: 'unlisted' });
      await readyContent(t, maria, { title: 'Draft', status: 'draft' });
    });
    after(() => t.close());

    test('a profile counts followers, following and public ready content, and never shows the email', async () => {
      await joao.caller.profiles.follow({ username: 'maria' });
      const anonymous = await t.http('GET', '/api/users/maria');
      assert.equal(anonymous.status, 200);
      assert.equal(anonymous.body.username, 'maria');
      assert.equal(anonymous.body.followerCount, 1);
      assert.equal(anonymous.body.followingCount, 0);
      assert.equal(anonymous.body.contentCount, 2);
      assert.equal(anonymous.body.followedByMe, false);
      assert.equal(anonymous.body.email, undefined);
      assert.equal(anonymous.body.passwordHash, undefined);
      const asJoao = await t.http('GET', '/api/users/Maria', { token: joao.token });
      assert.equal(asJoao.body.followedByMe, true, 'usernames are case-insensitive');
      const joaoProfile = await maria.caller.profiles.get({ username: 'joao' });
      assert.equal(joaoProfile.followingCount, 1);
      assert.equal(joaoProfile.followedByMe, false);
    });

    test('unknown users are 404; malformed usernames are 400 naming the field', async () => {
      assert.equal((await t.http('GET', '/api/users/nobody_here')).status, 404);
      assert.equal((await t.http('POST', '/api/users/nobody_here/follow', { token: joao.token, body: {} })).status, 404);
      assert.equal((await t.http('GET', '/api/users/nobody_here/followers')).status, 404);
      const bad = await t.http('GET', `/api/users/${'x'.repeat(40)}`);
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /^username: /);
      const weird = await t.http('GET', '/api/users/a%20b');
      assert.equal(weird.status, 400);
    });

    test('PATCH /api/me/profile changes only the caller, and validates each field', async () => {
      const updated = await t.http('PATCH', '/api/me/profile', {
        token: joao.token,
        body: { displayName: 'João S.', bio: 'Surfs in Ericeira', avatarUrl: 'https://example.com/j.png' },
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.equal(updated.body.displayName, 'João S.');
      assert.equal(updated.body.bio, 'Surfs in Ericeira');
      assert.equal(updated.body.avatarUrl, 'https://example.com/j.png');
      assert.equal(updated.body.email, undefined);
      const cleared = await joao.caller.profiles.update({ avatarUrl: null });
      assert.equal(cleared.avatarUrl, null);
      assert.equal(cleared.bio, 'Surfs in Ericeira');
      const cases: Array<[unknown, RegExp]> = [
        [{ displayName: 'x'.repeat(81) }, /^displayName: /],
        [{ displayName: '  ' }, /^displayName: /],
        [{ bio: 'x'.repeat(2001) }, /^bio: /],
        [{ bio: 7 }, /^bio: /],
        [{ avatarUrl: 'javascript:alert(1)' }, /^avatarUrl: /],
      ];
      for (const [body, message] of cases) {
        const response = await t.http('PATCH', '/api/me/profile', { token: joao.token, body });
        assert.equal(response.status, 400, JSON.stringify(body).slice(0, 60));
        assert.match(response.body.message, message);
      }
      assert.equal((await t.http('PATCH', '/api/me/profile', { body: { bio: 'anon' } })).status, 401);
      const maria2 = await maria.caller.profiles.get({ username: 'maria' });
      assert.equal(maria2.bio, '');
    });

    test('an expired token is refused', async () => {
      const late = await t.user('late', 'viewer');
      await t.origin.services.prisma.authSession.updateMany({ where: { userId: late.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const response = await t.http('PATCH', '/api/me/profile', { token: late.token, body: { bio: 'hi' } });
      assert.equal(response.status, 401);
      assert.equal(response.body.message, 'Your session has expired. Sign in again.');
    });
  });
}
