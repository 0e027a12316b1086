import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LIMITS } from '@spherecast/shared';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin } from '../../test-support/test-origin.ts';

const PASSWORD = 'the real passphrase';

interface BatchItem {
  result?: { data: { token: string } };
  error?: { message: string; data: { httpStatus: number } };
}

/** One tRPC batch request of auth.login calls, as httpBatchLink sends it. */
async function batchLogin(t: TestOrigin, passwords: string[], login: string): Promise<{ status: number; items: BatchItem[]; retryAfter: string | null }> {
  const paths = passwords.map(() => 'auth.login').join(',');
  const body = Object.fromEntries(passwords.map((password, i) => [String(i), { login, password }]));
  const response = await fetch(`${t.url}/trpc/${paths}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, items: (await response.json()) as BatchItem[], retryAfter: response.headers.get('retry-after') };
}

const statusOf = (item: BatchItem) => item.error?.data.httpStatus ?? 200;

for (const kind of await testDatabaseKinds()) {
  describe(`sign-in throttle across transports (${kind})`, () => {
    let t: TestOrigin;
    before(async () => {
      t = await startTestOrigin(kind);
      for (const name of ['batched', 'concurrent', 'single']) {
        const registered = await t.http('POST', '/api/auth/register', { body: { username: name, email: `${name}@example.test`, password: PASSWORD } });
        assert.equal(registered.status, 200);
      }
    });
    after(() => t.close());

    test('100 logins in tRPC batches (the cap is 50 per batch), the right password last: refused, and only 10 passwords were checked', async () => {
      assert.equal(LIMITS.trpcBatchMax, 50);
      const guesses = Array.from({ length: 100 }, (_, i) => (i === 99 ? PASSWORD : `guess ${i}`));
      const first = await batchLogin(t, guesses.slice(0, 50), 'batched');
      const second = await batchLogin(t, guesses.slice(50), 'batched');
      const items = [...first.items, ...second.items];
      assert.equal(items.length, 100);
      assert.equal(items.filter((item) => statusOf(item) === 401).length, 10, 'exactly the allowed 10 wrong passwords were checked');
      assert.equal(items.filter((item) => statusOf(item) === 429).length, 90);
      const last = items[99]!;
      assert.equal(statusOf(last), 429, 'the right password at position 100 does not sign in');
      assert.equal(last.result, undefined);
      assert.match(last.error!.message, /Too many failed sign-ins for this account from your address\. Try again in \d+ minute/);
      assert.ok(Number(second.retryAfter) > 0, 'Retry-After says when to come back');
      const rest = await t.http('POST', '/api/auth/login', { body: { login: 'batched', password: PASSWORD } });
      assert.equal(rest.status, 429, 'REST agrees with tRPC');
      assert.ok(Number(rest.headers.get('retry-after')) > 600);
    });

    test('a batch over the cap is a 400 that says how many calls a batch may hold', async () => {
      const over = await batchLogin(
        t,
        Array.from({ length: LIMITS.trpcBatchMax + 1 }, () => 'whatever'),
        'single',
      );
      assert.equal(over.status, 400);
      assert.match((over.items as unknown as { error: { message: string } }).error.message, /at most 50 calls; this one has 51/);
      const atCap = await fetch(`${t.url}/trpc/${Array.from({ length: LIMITS.trpcBatchMax }, () => 'auth.session').join(',')}?batch=1&input=%7B%7D`);
      assert.equal(atCap.status, 200, 'a batch at the cap is served');
      assert.equal(((await atCap.json()) as unknown[]).length, 50);
      const ok = await t.http('POST', '/api/auth/login', { body: { login: 'single', password: PASSWORD } });
      assert.equal(ok.status, 200, 'a refused batch checked no password and counted no failure');
    });

    test('30 concurrent REST logins with wrong passwords: 10 are checked, the rest refused at once, and then the right password waits', async () => {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => t.http('POST', '/api/auth/login', { body: { login: 'concurrent', password: `wrong ${i}` } })),
      );
      const statuses = answers.map((answer) => answer.status);
      assert.equal(statuses.filter((status) => status === 401).length, 10, statuses.join(','));
      assert.equal(statuses.filter((status) => status === 429).length, 20, statuses.join(','));
      const right = await t.http('POST', '/api/auth/login', { body: { login: 'concurrent', password: PASSWORD } });
      assert.equal(right.status, 429);
      assert.match(right.body.message, /Try again in \d+ minute/);
    });

    test('a tRPC single call counts against the same throttle', async () => {
      const single = await fetch(`${t.url}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'concurrent', password: PASSWORD }),
      });
      assert.equal(single.status, 429);
      assert.ok(Number(single.headers.get('retry-after')) > 0);
    });
  });
}
