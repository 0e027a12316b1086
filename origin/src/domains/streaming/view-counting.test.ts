import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { readyContent, tickingClock } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { PLAYBACK_STARTS_PER_ADDRESS } from '../../core/rate-limit.ts';
import { VIEW_RULES } from './view-counting.ts';

interface Answer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/** HTTP from a chosen loopback address (127.0.0.0/8), so each test is its own "client address". */
function from(
  localAddress: string,
  url: string,
  method: string,
  pathname: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const target = new URL(pathname, url);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        localAddress,
        agent: false,
        headers: { ...options.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode ?? 0, body: parsed, headers: response.headers });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

for (const kind of await testDatabaseKinds()) {
  describe(`view counting and session limits (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let viewer: TestUser;
    const tick = tickingClock();
    let offsetMs = 0;
    const advance = (seconds: number) => {
      offsetMs += seconds * 1000;
    };
    before(async () => {
      t = await startTestOrigin(kind, { now: () => new Date(tick().getTime() + offsetMs) });
      owner = await t.user('owner');
      viewer = await t.user('viewer', 'viewer');
    });
    after(() => t.close());

    const views = async (id: string) => (await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id }, select: { viewCount: true } })).viewCount;
    const start = (address: string, id: string, headers: Record<string, string> = {}) => from(address, t.url, 'GET', `/api/streaming/${id}`, { headers });
    const beat = (address: string, sessionId: string, viewerId: string, body: Record<string, unknown>) =>
      from(address, t.url, 'POST', `/api/streaming/sessions/${sessionId}/heartbeat`, { headers: { 'x-spherecast-viewer': viewerId }, body });

    test('200 anonymous starts from one address count no view, are cut off at the session limit with a 429 and Retry-After, and a resume still works', async () => {
      const video = await readyContent(t, owner, { title: 'Flooded' });
      const address = '127.0.0.11';
      const answers: Answer[] = [];
      for (let i = 0; i < 200; i += 1) answers.push(await start(address, video));
      const ok = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 429);
      assert.equal(ok.length, PLAYBACK_STARTS_PER_ADDRESS.max);
      assert.equal(refused.length, 200 - PLAYBACK_STARTS_PER_ADDRESS.max);
      assert.match(refused[0]!.body.message, /^Too many new viewing sessions from your address\. Wait \d+ minute/);
      assert.ok(Number(refused[0]!.headers['retry-after']) > 0, 'Retry-After is set');
      assert.equal(await views(video), 0, 'asking for the stream is not a view');
      assert.equal(await t.origin.services.prisma.viewingSession.count({ where: { contentId: video } }), PLAYBACK_STARTS_PER_ADDRESS.max);

      const first = ok[0]!.body as { sessionId: string; viewerId: string };
      const resumed = await start(address, video, { 'x-spherecast-viewer': first.viewerId });
      assert.equal(resumed.status, 200, 'a resume opens no new session, so it is allowed at the limit');
      assert.equal(resumed.body.sessionId, first.sessionId);
      assert.equal((await start('127.0.0.12', video)).status, 200, 'other addresses are not affected');

      advance(VIEW_RULES.minPlaybackSeconds + 1);
      for (const answer of ok) {
        const { sessionId, viewerId } = answer.body as { sessionId: string; viewerId: string };
        assert.equal((await beat(address, sessionId, viewerId, { positionSeconds: 30 })).status, 200);
      }
      assert.equal(await views(video), VIEW_RULES.anonymousPerAddress, '60 browsers that "played" from one address add at most 5 views per half hour');
    });

    test('a view counts only after real playback: 5 s of wall time since the start AND a position past 5 s (or the end of a shorter clip)', async () => {
      const video = await readyContent(t, owner, { title: 'Real playback', durationSeconds: 120 });
      const address = '127.0.0.21';
      const session = (await start(address, video)).body as { sessionId: string; viewerId: string };
      await beat(address, session.sessionId, session.viewerId, { positionSeconds: 60 });
      assert.equal(await views(video), 0, 'a position reported at once is not playback (wall time too short)');
      advance(VIEW_RULES.minPlaybackSeconds + 1);
      await beat(address, session.sessionId, session.viewerId, { positionSeconds: 2 });
      assert.equal(await views(video), 0, 'wall time alone (a paused or idle player) is not a view either');
      await beat(address, session.sessionId, session.viewerId, { positionSeconds: 6 });
      assert.equal(await views(video), 1);
      await beat(address, session.sessionId, session.viewerId, { positionSeconds: 100 });
      assert.equal(await views(video), 1, 'a session is judged once');

      const short = await readyContent(t, owner, { title: 'Three seconds', durationSeconds: 3 });
      const clip = (await start(address, short)).body as { sessionId: string; viewerId: string };
      advance(3);
      await beat(address, clip.sessionId, clip.viewerId, { positionSeconds: 3, ended: true });
      assert.equal(await views(short), 1, 'a clip shorter than 5 s counts once played to its end');
    });

    test('one view per viewer per content per 30 minutes: a signed-in user, or an anonymous viewer id from one address', async () => {
      const video = await readyContent(t, owner, { title: 'Rewatched', durationSeconds: 60 });
      const watch = async () => {
        const session = await viewer.caller.streaming.start({ id: video });
        advance(VIEW_RULES.minPlaybackSeconds + 1);
        await viewer.caller.streaming.heartbeat({ sessionId: session.sessionId, positionSeconds: 60, ended: true });
      };
      await watch();
      await watch();
      await watch();
      assert.equal(await views(video), 1, 'three full plays within minutes are one view');
      advance(VIEW_RULES.windowMs / 1000);
      await watch();
      assert.equal(await views(video), 2, 'after 30 minutes it is a new view');

      const address = '127.0.0.31';
      const browser = 'anonymous-browser-000001';
      const anonymousWatch = async (from = address, id = browser) => {
        const session = (await start(from, video, { 'x-spherecast-viewer': id })).body as { sessionId: string };
        advance(VIEW_RULES.minPlaybackSeconds + 1);
        assert.equal((await beat(from, session.sessionId, id, { positionSeconds: 60, ended: true })).status, 200);
      };
      await anonymousWatch();
      await anonymousWatch();
      assert.equal(await views(video), 3, 'the same anonymous viewer from the same address: one view');
      await anonymousWatch('127.0.0.32');
      assert.equal(await views(video), 4, 'the same viewer id from another address is another viewer');
      await anonymousWatch(address, 'anonymous-browser-000002');
      assert.equal(await views(video), 5, 'another browser behind the same address is another viewer');
    });

    test('two sessions of one viewer judged at the same moment count one view', async () => {
      const video = await readyContent(t, owner, { title: 'Two tabs' });
      const first = await viewer.caller.streaming.start({ id: video });
      await viewer.caller.streaming.heartbeat({ sessionId: first.sessionId, positionSeconds: 1, ended: true });
      const second = await viewer.caller.streaming.start({ id: video });
      advance(VIEW_RULES.minPlaybackSeconds + 1);
      await Promise.all([
        viewer.caller.streaming.heartbeat({ sessionId: first.sessionId, positionSeconds: 30 }),
        viewer.caller.streaming.heartbeat({ sessionId: second.sessionId, positionSeconds: 30 }),
      ]);
      assert.equal(await views(video), 1);
    });
  });
}
