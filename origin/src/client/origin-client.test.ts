import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';
import { FaultProxy } from '../test-support/fault-proxy.ts';
import { createOriginClient, errorMessage, errorStatus, OriginApiError, UNREACHABLE_MESSAGE } from './index.ts';

/** The typed client against a real origin (PGlite), and behind a real proxy that answers in the origin's place. */
describe('createOriginClient', () => {
  let t: TestOrigin;
  let alice: TestUser;
  let proxy: FaultProxy;

  before(async () => {
    t = await startTestOrigin('pglite');
    alice = await t.user('alice');
    proxy = new FaultProxy(t.url);
    await proxy.start();
  });
  after(async () => {
    await proxy?.stop();
    await t?.close();
  });

  test('login answers the origin’s AuthResult with dates revived; the token then signs every call', async () => {
    let token: string | null = null;
    const client = createOriginClient({ baseUrl: `${t.url}/`, token: () => token });
    assert.equal(client.baseUrl, t.url, 'a trailing slash is dropped');
    const answer = await client.login({ login: 'ALICE@example.test', password: 'password-123' });
    assert.equal(answer.user.username, 'alice');
    assert.ok(answer.expiresAt instanceof Date && answer.expiresAt.getTime() > Date.now());
    assert.ok(answer.user.createdAt instanceof Date);
    assert.equal((await client.api.auth.session.query()).user, null, 'no token sent yet');
    token = answer.token;
    assert.equal((await client.api.auth.session.query()).user?.username, 'alice');
  });

  test('errorStatus and errorMessage: the origin’s own sentence and status, 0 and a sentence for the network', async () => {
    const client = createOriginClient({ baseUrl: t.url });
    const wrong = await client.login({ login: 'alice', password: 'nope-nope-nope' }).catch((e: unknown) => e);
    assert.equal(errorStatus(wrong), 401);
    assert.equal(errorMessage(wrong), 'Wrong username, email or password.');
    const missing = await client.api.content.get.query({ id: '6f1c1c4e-5b0e-4a53-9d1a-1f1f1f1f1f1f' }).catch((e: unknown) => e);
    assert.equal(errorStatus(missing), 404);

    const down = await createOriginClient({ baseUrl: 'http://127.0.0.1:9' })
      .api.auth.session.query()
      .catch((e: unknown) => e);
    assert.equal(errorStatus(down), 0);
    assert.equal(errorMessage(down), UNREACHABLE_MESSAGE);
  });

  test('a proxy’s error page is a status with a sentence, not its HTML; a 200 that is not an origin’s answer is refused', async () => {
    proxy.rule = () => ({ status: 502, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' });
    const viaProxy = createOriginClient({ baseUrl: proxy.url });
    const failed = await viaProxy.api.auth.session.query().catch((e: unknown) => e);
    assert.equal(errorStatus(failed), 502);
    assert.match(errorMessage(failed), /^The server answered 502\./);
    assert.doesNotMatch(errorMessage(failed), /html/i);

    proxy.rule = () => ({ status: 200, body: JSON.stringify({ result: { data: { token: 'x' } } }), contentType: 'application/json' });
    const stranger = await createOriginClient({ baseUrl: proxy.url, batch: false })
      .login({ login: 'alice', password: 'password-123' })
      .catch((e: unknown) => e);
    assert.ok(stranger instanceof OriginApiError);
    assert.match(stranger.message, /not like a Spherecast origin/);
    proxy.reset();
  });

  test('uploadMedia stages a file (typed answer with its sha256); without a token it is the origin’s 401 sentence', async () => {
    const created = await alice.caller.content.create({ title: 'Upload target' });
    const bytes = new TextEncoder().encode('#EXTM3U\n');
    const anonymous = createOriginClient({ baseUrl: t.url });
    const refused = await anonymous.uploadMedia({ contentId: created.id, path: 'v0/index.m3u8', body: bytes }).catch((e: unknown) => e);
    assert.ok(refused instanceof OriginApiError);
    assert.equal(errorStatus(refused), 401);
    assert.match(errorMessage(refused), /sign in/i);

    const client = createOriginClient({ baseUrl: t.url, token: () => alice.token });
    const streamed = Readable.from([bytes.slice(0, 3), bytes.slice(3)]);
    const staged = await client.uploadMedia({ contentId: created.id, path: 'v0/index.m3u8', body: streamed, size: bytes.length });
    assert.deepEqual(staged, { path: 'v0/index.m3u8', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    assert.deepEqual((await client.api.content.uploads.query({ id: created.id })).files, [staged]);
  });
});
