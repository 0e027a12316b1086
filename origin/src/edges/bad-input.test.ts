import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';

const NUL = 'a\u0000b';
const UNKNOWN_ID = '0190a000-0000-7000-8000-000000000000';
const cursorAt = (date: string) => Buffer.from(JSON.stringify([date, UNKNOWN_ID])).toString('base64url');

for (const kind of await testDatabaseKinds()) {
  describe(`bad input is a 400 naming the field, never a 500 (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let contentId: string;
    before(async () => {
      t = await startTestOrigin(kind);
      creator = await t.user('creator');
      contentId = await readyContent(t, creator, { title: 'Harbour' });
    });
    after(() => t.close());

    test('a NUL character in any text field is refused at the edge, naming the field', async () => {
      const cases: Array<[string, string, unknown, RegExp]> = [
        ['POST', '/api/content', { title: NUL }, /^title: must not contain the NUL character/],
        ['POST', '/api/content', { title: 'ok', description: NUL }, /^description: must not contain the NUL/],
        ['POST', '/api/content', { title: 'ok', genre: NUL }, /^genre: must not contain the NUL/],
        ['POST', '/api/content', { title: 'ok', location: { placeName: NUL, latitude: 1, longitude: 2 } }, /^location\.placeName: must not contain the NUL/],
        ['PATCH', `/api/content/${contentId}`, { title: NUL }, /^title: must not contain the NUL/],
        ['POST', `/api/content/${contentId}/comments`, { body: NUL }, /^body: must not contain the NUL/],
        ['PATCH', '/api/me/profile', { bio: NUL }, /^bio: must not contain the NUL/],
        ['PATCH', '/api/me/profile', { displayName: NUL }, /^displayName: must not contain the NUL/],
        [
          'POST',
          '/api/auth/register',
          { username: 'someone', email: 'someone@example.test', password: 'long enough', displayName: NUL },
          /^displayName: must not contain the NUL/,
        ],
        ['POST', '/api/auth/login', { login: NUL, password: 'whatever' }, /^login: must not contain the NUL/],
      ];
      for (const [method, pathname, body, message] of cases) {
        const response = await t.http(method, pathname, { token: creator.token, body });
        assert.equal(response.status, 400, `${method} ${pathname} ${JSON.stringify(body)}: ${JSON.stringify(response.body)}`);
        assert.match(response.body.message, message);
      }
      for (const [query, message] of [
        [`q=${encodeURIComponent(NUL)}`, /^q: must not contain the NUL/],
        [`genre=${encodeURIComponent(NUL)}`, /^genre: must not contain the NUL/],
      ] as const) {
        const search = await t.http('GET', `/api/search?${query}`);
        assert.equal(search.status, 400, JSON.stringify(search.body));
        assert.match(search.body.message, message);
      }
      const comment = await t.http('POST', `/api/content/${contentId}/comments`, { token: creator.token, body: { body: 'fine' } });
      const edit = await t.http('PATCH', `/api/comments/${comment.body.id}`, { token: creator.token, body: { body: NUL } });
      assert.equal(edit.status, 400);
      assert.match(edit.body.message, /^body: /);
      const trpc = await fetch(`${t.url}/trpc/content.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${creator.token}` },
        body: JSON.stringify({ title: NUL }),
      });
      assert.equal(trpc.status, 400, 'tRPC agrees');
      const titles = await t.origin.services.prisma.content.findMany({ select: { title: true } });
      assert.deepEqual(
        titles.map((row) => row.title),
        ['Harbour'],
        'nothing was stored',
      );
    });

    test('cursors dated year 0 or earlier (or past year 9999) are a 400 `cursor: ...` on every list', async () => {
      const lists = [
        (cursor: string) => `/api/search?cursor=${cursor}&sort=newest`,
        (cursor: string) => `/api/users/${creator.id}/content?cursor=${cursor}`,
        (cursor: string) => `/api/content/${contentId}/comments?cursor=${cursor}`,
        (cursor: string) => `/api/me/history?cursor=${cursor}`,
      ];
      for (const date of [
        '0000-01-01T00:00:00.000Z',
        '0000-12-31T23:59:59.999Z',
        '-000001-06-01T00:00:00.000Z',
        '-271821-04-20T00:00:00.000Z',
        '+010000-01-01T00:00:00.000Z',
        '+275760-09-13T00:00:00.000Z',
      ]) {
        for (const list of lists) {
          const response = await t.http('GET', list(cursorAt(date)), { token: creator.token });
          assert.equal(response.status, 400, `${list('…')} at ${date}: ${JSON.stringify(response.body)}`);
          assert.match(response.body.message, /^cursor: /);
        }
      }
      for (const date of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
        for (const list of lists) {
          const response = await t.http('GET', list(cursorAt(date)), { token: creator.token });
          assert.equal(response.status, 200, `the extremes the database stores still page: ${list('…')} at ${date}: ${JSON.stringify(response.body)}`);
        }
      }
    });
  });
}
