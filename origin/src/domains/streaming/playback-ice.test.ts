import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { loadOriginConfig } from '../../core/config.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin } from '../../test-support/test-origin.ts';

const SECRET = 'static-auth-secret-for-the-test-0001';
const NOW = new Date('2026-12-01T12:00:00.000Z');

for (const kind of await testDatabaseKinds()) {
  describe(`playback payload ICE servers (${kind})`, () => {
    let plain: TestOrigin;
    let withTurn: TestOrigin;
    let plainVideo: string;
    let turnVideo: string;
    before(async () => {
      plain = await startTestOrigin(kind);
      const ice = loadOriginConfig({
        STUN_URLS: 'stun:127.0.0.1:3478',
        TURN_URLS: 'turn:127.0.0.1:3478?transport=udp',
        TURN_SECRET: SECRET,
        TURN_TTL_SECONDS: '900',
      }).ice;
      withTurn = await startTestOrigin(kind, { ice, now: () => NOW });
      plainVideo = await readyContent(plain, await plain.user('owner'), { title: 'Plain', durationSeconds: 10 });
      turnVideo = await readyContent(withTurn, await withTurn.user('owner'), { title: 'Relayed', durationSeconds: 10 });
    });
    after(async () => {
      await plain?.close();
      await withTurn?.close();
    });

    test('an origin without STUN/TURN configuration hands out no ICE servers', async () => {
      const start = await plain.http('GET', `/api/streaming/${plainVideo}`);
      assert.equal(start.status, 200, JSON.stringify(start.body));
      assert.deepEqual(start.body.iceServers, []);
      assert.equal(start.body.relayPolicy, 'fallback');
    });

    test('a configured origin hands each viewer STUN and TURN with a credential for its own session that expires after TURN_TTL_SECONDS', async () => {
      const first = await withTurn.http('GET', `/api/streaming/${turnVideo}`);
      const second = await withTurn.http('GET', `/api/streaming/${turnVideo}`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const [stun, turn] = first.body.iceServers;
      assert.deepEqual(stun, { urls: ['stun:127.0.0.1:3478'] });
      assert.deepEqual(turn.urls, ['turn:127.0.0.1:3478?transport=udp']);
      assert.equal(turn.username, `${NOW.getTime() / 1000 + 900}:${first.body.sessionId}`);
      assert.equal(turn.credential, createHmac('sha1', SECRET).update(turn.username).digest('base64'));
      assert.notEqual(second.body.iceServers[1].username, turn.username, 'another viewer, another credential');
      assert.ok(!JSON.stringify(first.body).includes(SECRET), 'the shared secret never reaches a client');
      const viaTrpc = await withTurn.anonymous.streaming.start({ id: turnVideo });
      assert.equal(viaTrpc.iceServers.length, 2);
    });
  });
}
