import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestOrigin, type TestOrigin } from '../test-support/test-origin.ts';
import { jsonNestingDepthExceeds } from './request-limits.ts';

test('nesting depth is counted without parsing; brackets inside strings do not count', () => {
  assert.equal(jsonNestingDepthExceeds('[[[]]]', 3), false);
  assert.equal(jsonNestingDepthExceeds('[[[[]]]]', 3), true);
  assert.equal(jsonNestingDepthExceeds('{"a":"[[[[[[\\"[[["}', 1), false);
  assert.equal(jsonNestingDepthExceeds('{"a":{"b":[1]}}', 2), true);
});

describe('request limits at the HTTP edge', () => {
  let t: TestOrigin;
  before(async () => {
    t = await startTestOrigin('pglite');
  });
  after(() => t.close());

  const nested = (depth: number) => `{"login":${'['.repeat(depth)}${']'.repeat(depth)},"password":"x"}`;

  test('deeply nested JSON is a 400 that says so, on REST and tRPC, and the server keeps answering', async () => {
    const user = await t.user('deep');
    for (const depth of [100, 10_000, 200_000]) {
      for (const [method, pathname] of [
        ['POST', '/api/auth/login'],
        ['PATCH', '/api/me/profile'],
        ['POST', '/trpc/auth.login'],
      ] as const) {
        const response = await fetch(`${t.url}${pathname}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
          body: nested(depth),
        });
        const text = await response.text();
        assert.equal(response.status, 400, `${method} ${pathname} depth ${depth}: ${text.slice(0, 200)}`);
        assert.match(text, /nested more than 64 levels deep/);
      }
    }
    const query = await fetch(`${t.url}/trpc/auth.session?input=${encodeURIComponent('['.repeat(1500) + ']'.repeat(1500))}`);
    assert.equal(query.status, 400, 'a tRPC GET input is held to the same depth');
    const shallow = await t.http('POST', '/api/auth/login', { body: { login: ['a'], password: 'x' } });
    assert.equal(shallow.status, 400);
    assert.match(shallow.body.message, /^login: /, 'ordinary bad input still names the field');
    assert.equal((await t.http('GET', '/healthz')).status, 200);
  });
});
