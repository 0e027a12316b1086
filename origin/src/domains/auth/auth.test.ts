import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin } from '../../test-support/test-origin.ts';

for (const kind of await testDatabaseKinds()) {
  describe(`auth (${kind})`, () => {
    let t: TestOrigin;
    before(async () => {
      t = await startTestOrigin(kind);
    });
    after(() => t.close());

    test('register answers a bearer token, sets an httpOnly cookie, and /api/me knows the user', async () => {
      const response = await fetch(`${t.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'Ana_360', email: 'Ana@Example.com', password: 'a long passphrase' }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { token: string; user: { username: string; email: string } };
      assert.equal(body.user.username, 'ana_360');
      assert.equal(body.user.email, 'ana@example.com');
      assert.ok(body.token.length >= 40);
      const cookie = response.headers.get('set-cookie') ?? '';
      assert.match(cookie, /sc_session=/);
      assert.match(cookie, /HttpOnly/i);
      const me = await t.http('GET', '/api/me', { token: body.token });
      assert.equal(me.status, 200);
      assert.equal(me.body.username, 'ana_360');
      assert.equal(me.body.passwordHash, undefined);
    });

    test('passwords are stored as argon2id hashes', async () => {
      const row = await t.origin.services.prisma.user.findUniqueOrThrow({ where: { username: 'ana_360' }, select: { passwordHash: true } });
      assert.match(row.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    test('login works with username or email and rejects a wrong password with 401', async () => {
      const byName = await t.http('POST', '/api/auth/login', { body: { login: 'ana_360', password: 'a long passphrase' } });
      assert.equal(byName.status, 200);
      const byEmail = await t.http('POST', '/api/auth/login', { body: { login: 'ANA@example.com', password: 'a long passphrase' } });
      assert.equal(byEmail.status, 200);
      const wrong = await t.http('POST', '/api/auth/login', { body: { login: 'ana_360', password: 'not the password' } });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.message, 'Wrong username, email or password.');
      const unknown = await t.http('POST', '/api/auth/login', { body: { login: 'nobody', password: 'whatever1' } });
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.message, wrong.body.message, 'unknown users are not told apart from wrong passwords');
    });

    test('a taken username or email is a 409 that says which', async () => {
      const again = await t.http('POST', '/api/auth/register', { body: { username: 'ana_360', email: 'other@example.com', password: 'a long passphrase' } });
      assert.equal(again.status, 409);
      assert.match(again.body.message, /username/);
      const sameEmail = await t.http('POST', '/api/auth/register', { body: { username: 'other', email: 'ana@example.com', password: 'a long passphrase' } });
      assert.equal(sameEmail.status, 409);
      assert.match(sameEmail.body.message, /email/);
    });

    test('bad registration input is a 400 naming the field', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ username: 'x', email: 'x@example.com', password: 'long enough' }, /^username: /],
        [{ username: 'a'.repeat(5000), email: 'x@example.com', password: 'long enough' }, /^username: /],
        [{ username: 'good_name', email: 'not-an-email', password: 'long enough' }, /^email: /],
        [{ username: 'good_name', email: 'x@example.com', password: 'short' }, /^password: /],
        [{ username: 12345, email: 'x@example.com', password: 'long enough' }, /^username: /],
        [{ username: 'robert\'); DROP TABLE "User";--', email: 'x@example.com', password: 'long enough' }, /^username: /],
      ];
      for (const [body, message] of cases) {
        const response = await t.http('POST', '/api/auth/register', { body });
        assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
        assert.match(response.body.message, message);
        assert.doesNotMatch(JSON.stringify(response.body), /stack|at .*\.ts|prisma|SQL/i);
      }
      const users = await t.origin.services.prisma.user.count();
      assert.equal(users, 1, 'nothing was created by rejected input');
    });

    test('logout revokes the token: it no longer works, and says why', async () => {
      const login = await t.http('POST', '/api/auth/login', { body: { login: 'ana_360', password: 'a long passphrase' } });
      const token = login.body.token as string;
      assert.equal((await t.http('POST', '/api/auth/logout', { token, body: {} })).status, 200);
      const me = await t.http('GET', '/api/me', { token });
      assert.equal(me.status, 401);
      assert.match(me.body.message, /not valid/);
    });

    test('an expired token is refused with 401 and told to sign in again', async () => {
      const user = await t.user('expiring');
      await t.origin.services.prisma.authSession.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const me = await t.http('GET', '/api/me', { token: user.token });
      assert.equal(me.status, 401);
      assert.equal(me.body.message, 'Your session has expired. Sign in again.');
      const create = await t.http('POST', '/api/content', { token: user.token, body: { title: 'Nope' } });
      assert.equal(create.status, 401);
    });

    test('password guessing is throttled: after 10 failures even the right password waits, with a 429 that says how long', async () => {
      await t.http('POST', '/api/auth/register', { body: { username: 'guarded', email: 'guarded@example.com', password: 'the real passphrase' } });
      for (let i = 0; i < 10; i += 1) {
        const wrong = await t.http('POST', '/api/auth/login', { body: { login: 'guarded', password: `guess number ${i}` } });
        assert.equal(wrong.status, 401);
      }
      const blocked = await t.http('POST', '/api/auth/login', { body: { login: 'guarded', password: 'the real passphrase' } });
      assert.equal(blocked.status, 429);
      assert.match(blocked.body.message, /Try again in \d+ minute/);
      const other = await t.http('POST', '/api/auth/login', { body: { login: 'ana_360', password: 'a long passphrase' } });
      assert.equal(other.status, 200, 'other accounts are not affected');
    });

    test('tokens are stored only as hashes', async () => {
      const login = await t.http('POST', '/api/auth/login', { body: { login: 'ana_360', password: 'a long passphrase' } });
      const stored = await t.origin.services.prisma.authSession.findMany({ select: { tokenHash: true } });
      assert.ok(stored.length > 0);
      assert.ok(stored.every((row) => row.tokenHash !== login.body.token && /^[0-9a-f]{64}$/.test(row.tokenHash)));
    });
  });
}
