import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { loadOriginConfig } from '../../core/config.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const SECRET = 'static-auth-secret-for-the-refresh-test';
const TTL_SECONDS = 900;

for (const kind of await testDatabaseKinds()) {
  describe(`fresh ICE servers for a viewing session (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let viewer: TestUser;
    let nowMs = Date.parse('2026-12-01T12:00:00.000Z');
    before(async () => {
      const ice = loadOriginConfig({
        STUN_URLS: 'stun:127.0.0.1:3478',
        TURN_URLS: 'turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp',
        TURN_SECRET: SECRET,
        TURN_TTL_SECONDS: String(TTL_SECONDS),
      }).ice;
      t = await startTestOrigin(kind, { ice, now: () => new Date(nowMs) });
      owner = await t.user('owner');
      viewer = await t.user('viewer', 'viewer');
    });
    after(() => t?.close());

    const refresh = (sessionId: string, headers: Record<string, string> = {}) => t.http('GET', `/api/streaming/sessions/${sessionId}/ice-servers`, { headers });
    const sessions = async (contentId: string) => t.origin.services.prisma.viewingSession.count({ where: { contentId } });
    const views = async (contentId: string) =>
      (await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: contentId }, select: { viewCount: true } })).viewCount;

    test('a browser that watched to the end gets a later TURN credential for the same session; starting again would have opened a new session', async () => {
      const video = await readyContent(t, owner, { title: 'Long watch', durationSeconds: 60 });
      const start = await t.http('GET', `/api/streaming/${video}`);
      assert.equal(start.status, 200, JSON.stringify(start.body));
      const { sessionId, viewerId } = start.body as { sessionId: string; viewerId: string };
      const headers = { 'x-spherecast-viewer': viewerId };
      const ended = await t.http('POST', `/api/streaming/sessions/${sessionId}/heartbeat`, { headers, body: { positionSeconds: 60, ended: true } });
      assert.equal(ended.status, 200, JSON.stringify(ended.body));
      const viewsBefore = await views(video);

      nowMs += 700_000; // three quarters of the lifetime later, when the player asks
      const fresh = await refresh(sessionId, headers);
      assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
      assert.equal(fresh.body.relayPolicy, 'fallback');
      const [stun, turn] = fresh.body.iceServers as Array<{ urls: string[]; username?: string; credential?: string }>;
      assert.deepEqual(stun, { urls: ['stun:127.0.0.1:3478'] });
      assert.ok(turn?.username, JSON.stringify(fresh.body));
      assert.equal(turn.username, `${nowMs / 1000 + TTL_SECONDS}:${sessionId}`, 'a credential of the same session, valid from now');
      assert.notEqual(turn.username, start.body.iceServers[1].username);
      assert.equal(turn.credential, createHmac('sha1', SECRET).update(turn.username).digest('base64'));
      assert.equal(await sessions(video), 1, 'no new session');
      assert.equal(await views(video), viewsBefore, 'no view counted');

      // What GET /api/streaming/{id} does for a completed session (why the player cannot refresh through it).
      const again = await t.http('GET', `/api/streaming/${video}`, { headers });
      assert.notEqual(again.body.sessionId, sessionId);
      assert.equal(await sessions(video), 2);
    });

    test('another browser, a signed-in stranger and a caller without the viewer id are refused; unknown and malformed ids say so', async () => {
      const video = await readyContent(t, owner, { title: 'Mine only' });
      const start = await t.http('GET', `/api/streaming/${video}`);
      const { sessionId } = start.body as { sessionId: string };
      const other = await refresh(sessionId, { 'x-spherecast-viewer': 'another-browsers-viewer-id-000000' });
      assert.equal(other.status, 403);
      assert.match(other.body.message, /belongs to another viewer/);
      assert.equal((await refresh(sessionId)).status, 403);
      assert.equal((await t.http('GET', `/api/streaming/sessions/${sessionId}/ice-servers`, { token: viewer.token })).status, 403);
      assert.equal((await refresh(randomUUID())).status, 404);
      const malformed = await refresh('not-an-id');
      assert.equal(malformed.status, 400);
      assert.match(JSON.stringify(malformed.body), /must be an id/);
    });

    test('a signed-in viewer refreshes through tRPC while the content is viewable, and no longer once it turned private', async () => {
      const video = await readyContent(t, owner, { title: 'Soon private' });
      const playback = await viewer.caller.streaming.start({ id: video });
      const fresh = await viewer.caller.streaming.iceServers({ sessionId: playback.sessionId });
      assert.equal(fresh.iceServers.length, 2);
      assert.equal(fresh.iceServers[1]?.username?.endsWith(`:${playback.sessionId}`), true);
      await t.origin.services.prisma.content.update({ where: { id: video }, data: { visibility: 'private' } });
      await assert.rejects(viewer.caller.streaming.iceServers({ sessionId: playback.sessionId }), { code: 'NOT_FOUND' });
    });
  });
}
