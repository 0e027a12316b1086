import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent, tickingClock } from '../../test-support/content-fixtures.ts';
import { VIEW_RULES } from './view-counting.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const UNKNOWN_ID = '0190a000-0000-7000-8000-000000000000';

for (const kind of await testDatabaseKinds()) {
  describe(`streaming sessions (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let viewer: TestUser;
    let videoId: string;
    // Views count after real playback (wall time the server measures), so the tests move the clock.
    const tick = tickingClock();
    let offsetMs = 0;
    const advance = (ms: number) => {
      offsetMs += ms;
    };
    const played = () => advance((VIEW_RULES.minPlaybackSeconds + 1) * 1000);
    before(async () => {
      t = await startTestOrigin(kind, { now: () => new Date(tick().getTime() + offsetMs) });
      owner = await t.user('owner');
      viewer = await t.user('viewer', 'viewer');
      videoId = await readyContent(t, owner, { title: 'Ride', durationSeconds: 60 });
    });
    after(() => t.close());

    const counters = (id = videoId) => t.origin.services.prisma.content.findUniqueOrThrow({ where: { id }, select: { viewCount: true, popularity: true } });
    const beat = (sessionId: string, body: unknown, options: { token?: string; headers?: Record<string, string> } = {}) =>
      t.http('POST', `/api/streaming/sessions/${sessionId}/heartbeat`, { ...options, body });

    test('a signed-in viewer starts, resumes where they stopped, and a finished session starts over; a view counts after real playback, once per 30 minutes', async () => {
      const start = await t.http('GET', `/api/streaming/${videoId}`, { token: viewer.token });
      assert.equal(start.status, 200, JSON.stringify(start.body));
      assert.equal(start.body.masterUrl, `${t.url}/media/${videoId}/p1/master.m3u8`);
      assert.equal(start.body.segmentHashesUrl, `${t.url}/media/${videoId}/p1/hashes.json`);
      assert.equal(start.body.trackerUrl, 'ws://127.0.0.1:1/tracker');
      assert.equal(start.body.resumePositionSeconds, 0);
      assert.equal(start.body.resumed, false);
      assert.equal(start.body.viewerId, null);
      assert.deepEqual(await counters(), { viewCount: 0, popularity: 0 }, 'starting is not a view');

      played();
      const progress = await beat(start.body.sessionId, { positionSeconds: 30.5 }, { token: viewer.token });
      assert.equal(progress.status, 200, JSON.stringify(progress.body));
      assert.deepEqual(progress.body, { positionSeconds: 30.5, completed: false });
      const resumed = await viewer.caller.streaming.start({ id: videoId });
      assert.equal(resumed.sessionId, start.body.sessionId);
      assert.equal(resumed.resumePositionSeconds, 30.5);
      assert.equal(resumed.resumed, true);
      assert.deepEqual(await counters(), { viewCount: 1, popularity: 1 }, 'the heartbeat after real playback counted the view; a resume is not a view');

      const nearEnd = await viewer.caller.streaming.heartbeat({ sessionId: resumed.sessionId, positionSeconds: 57 });
      assert.deepEqual(nearEnd, { positionSeconds: 57, completed: true }, '95% of 60 s is 57 s');
      const again = await viewer.caller.streaming.start({ id: videoId });
      assert.notEqual(again.sessionId, start.body.sessionId);
      assert.equal(again.resumePositionSeconds, 0);
      assert.equal(again.resumed, false);
      played();
      await viewer.caller.streaming.heartbeat({ sessionId: again.sessionId, positionSeconds: 10, ended: true });
      assert.deepEqual(await counters(), { viewCount: 1, popularity: 1 }, 'the same viewer within 30 minutes is one view');
      advance(VIEW_RULES.windowMs);
      const later = await viewer.caller.streaming.start({ id: videoId });
      played();
      await viewer.caller.streaming.heartbeat({ sessionId: later.sessionId, positionSeconds: 10 });
      assert.deepEqual(await counters(), { viewCount: 2, popularity: 2 });
    });

    test('ended marks a session completed; positions are clamped to the duration and stay completed', async () => {
      const video = await readyContent(t, owner, { title: 'Short', durationSeconds: 10 });
      const session = await viewer.caller.streaming.start({ id: video });
      assert.deepEqual(await viewer.caller.streaming.heartbeat({ sessionId: session.sessionId, positionSeconds: 3, ended: true }), {
        positionSeconds: 3,
        completed: true,
      });
      const row = await t.origin.services.prisma.viewingSession.findUniqueOrThrow({ where: { id: session.sessionId }, select: { endedAt: true } });
      assert.ok(row.endedAt);
      assert.deepEqual(await viewer.caller.streaming.heartbeat({ sessionId: session.sessionId, positionSeconds: 99 }), {
        positionSeconds: 10,
        completed: true,
      });
      assert.deepEqual(await viewer.caller.streaming.heartbeat({ sessionId: session.sessionId, positionSeconds: 1 }), { positionSeconds: 1, completed: true });
    });

    test('an anonymous browser gets an sc_viewer cookie and resumes with it (cookie or header)', async () => {
      const first = await t.http('GET', `/api/streaming/${videoId}`);
      assert.equal(first.status, 200);
      const viewerId = first.body.viewerId as string;
      assert.match(viewerId, /^[A-Za-z0-9_-]{32}$/, '24 random bytes in base64url');
      const cookie = first.headers.get('set-cookie') ?? '';
      assert.match(cookie, new RegExp(`sc_viewer=${viewerId}`));
      assert.match(cookie, /HttpOnly/i);
      const views = (await counters()).viewCount;

      const progress = await beat(first.body.sessionId, { positionSeconds: 12 }, { headers: { 'x-spherecast-viewer': viewerId } });
      assert.equal(progress.status, 200, JSON.stringify(progress.body));
      const byCookie = await t.http('GET', `/api/streaming/${videoId}`, { headers: { cookie: `sc_viewer=${viewerId}` } });
      assert.equal(byCookie.body.sessionId, first.body.sessionId);
      assert.equal(byCookie.body.resumePositionSeconds, 12);
      assert.equal(byCookie.body.viewerId, viewerId);
      assert.equal(byCookie.headers.get('set-cookie'), null, 'a known viewer gets no new cookie');
      assert.equal((await counters()).viewCount, views);

      const other = await t.http('GET', `/api/streaming/${videoId}`, { headers: { 'x-spherecast-viewer': 'another-browser-0123456789' } });
      assert.notEqual(other.body.sessionId, first.body.sessionId);
      assert.equal((await counters()).viewCount, views, 'starting is not a view');
      played();
      assert.equal(
        (await beat(other.body.sessionId, { positionSeconds: 8 }, { headers: { 'x-spherecast-viewer': 'another-browser-0123456789' } })).status,
        200,
      );
      assert.equal((await counters()).viewCount, views + 1, 'another browser that played is another view');
    });

    test("only a session's own user or browser may send heartbeats (others 403, unknown 404)", async () => {
      const anon = await t.http('GET', `/api/streaming/${videoId}`, { headers: { 'x-spherecast-viewer': 'owner-of-this-session-01' } });
      const mine = await viewer.caller.streaming.start({ id: videoId });
      const noIdentity = await beat(anon.body.sessionId, { positionSeconds: 1 });
      assert.equal(noIdentity.status, 403);
      assert.equal((await beat(anon.body.sessionId, { positionSeconds: 1 }, { headers: { 'x-spherecast-viewer': 'somebody-else-entirely-1' } })).status, 403);
      assert.equal((await beat(anon.body.sessionId, { positionSeconds: 1 }, { token: owner.token })).status, 403);
      assert.equal((await beat(mine.sessionId, { positionSeconds: 1 }, { token: owner.token })).status, 403);
      assert.equal((await beat(mine.sessionId, { positionSeconds: 1 })).status, 403);
      assert.equal((await beat(UNKNOWN_ID, { positionSeconds: 1 }, { token: viewer.token })).status, 404);
    });

    test('bad heartbeat input is a 400 naming the field', async () => {
      const session = await viewer.caller.streaming.start({ id: videoId });
      const cases: Array<[unknown, RegExp]> = [
        [{ positionSeconds: -1 }, /^positionSeconds: /],
        [{ positionSeconds: 'ten' }, /^positionSeconds: /],
        [{ positionSeconds: 1e12 }, /^positionSeconds: /],
        [{}, /^positionSeconds: /],
      ];
      for (const [body, message] of cases) {
        const response = await beat(session.sessionId, body, { token: viewer.token });
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.match(response.body.message, message);
      }
      const badId = await beat('not-a-session', { positionSeconds: 1 }, { token: viewer.token });
      assert.equal(badId.status, 400);
      assert.match(badId.body.message, /^sessionId: /);
    });

    test('every viewer of a video joins one P2P swarm: its path when public; for unlisted media a keyed name that a visibility change replaces', async () => {
      const open = await t.http('GET', `/api/streaming/${videoId}`, { token: viewer.token });
      assert.equal(open.body.swarmId, new URL(open.body.masterUrl as string).pathname);

      const linkOnly = await readyContent(t, owner, { title: 'Link only', visibility: 'unlisted' });
      const first = await t.http('GET', `/api/streaming/${linkOnly}`, { token: viewer.token });
      advance(5000);
      const second = await t.http('GET', `/api/streaming/${linkOnly}`);
      assert.equal(second.status, 200);
      assert.notEqual(first.body.masterUrl, second.body.masterUrl, 'each viewer’s media URL carries its own signature');
      assert.equal(first.body.swarmId, second.body.swarmId, 'but every viewer is in the same swarm');
      const swarmId = first.body.swarmId as string;
      assert.match(swarmId, new RegExp(`^/media/swarm-[A-Za-z0-9_-]{22}/${linkOnly}/p1/master\\.m3u8$`));
      assert.ok(!(first.body.masterUrl as string).includes(swarmId.split('/')[2]!.slice('swarm-'.length)), 'not the URL’s signature');

      // Made private and unlisted again: a new media epoch, a new swarm that earlier viewers do not know.
      await owner.caller.content.update({ id: linkOnly, visibility: 'private' });
      await owner.caller.content.update({ id: linkOnly, visibility: 'unlisted' });
      const renewed = await t.http('GET', `/api/streaming/${linkOnly}`, { token: viewer.token });
      assert.equal(renewed.status, 200);
      assert.notEqual(renewed.body.swarmId, swarmId);
    });

    test("private and unfinished content cannot be streamed by others; an owner's draft is a 409", async () => {
      const secret = await readyContent(t, owner, { title: 'Secret', visibility: 'private' });
      const draft = await readyContent(t, owner, { title: 'Draft', status: 'draft' });
      assert.equal((await t.http('GET', `/api/streaming/${secret}`, { token: viewer.token })).status, 404);
      assert.equal((await t.http('GET', `/api/streaming/${secret}`)).status, 404);
      assert.equal((await t.http('GET', `/api/streaming/${secret}`, { token: owner.token })).status, 200);
      assert.equal((await t.http('GET', `/api/streaming/${draft}`, { token: viewer.token })).status, 404);
      const ownDraft = await t.http('GET', `/api/streaming/${draft}`, { token: owner.token });
      assert.equal(ownDraft.status, 409);
      assert.match(ownDraft.body.message, /draft/);
      assert.equal((await t.http('GET', `/api/streaming/${UNKNOWN_ID}`)).status, 404);
      const badId = await t.http('GET', '/api/streaming/1234');
      assert.equal(badId.status, 400);
      assert.match(badId.body.message, /^id: /);
      assert.equal((await counters(draft)).viewCount, 0);
    });
  });
}
