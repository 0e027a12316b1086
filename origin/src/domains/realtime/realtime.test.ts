import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { REALTIME_LIMITS, type RealtimeEvent } from '@spherecast/shared';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { RealtimeSseClient } from '../../test-support/sse-client.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const isChat = (event: RealtimeEvent): event is Extract<RealtimeEvent, { type: 'chat.message' }> => event.type === 'chat.message';
const inHour = () => new Date(Date.now() + 3600_000).toISOString();

for (const kind of await testDatabaseKinds()) {
  describe(`real-time channel (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let viewer: TestUser;
    let admin: TestUser;
    let liveId: string;
    const clients: RealtimeSseClient[] = [];
    const subscribe = async (input: { contentId?: string; lastEventId?: string | null }, user?: TestUser) => {
      const client = new RealtimeSseClient(t.url, input, user ? { authorization: `Bearer ${user.token}` } : {});
      clients.push(client);
      await client.open();
      assert.equal(client.status, 200, client.errorBody);
      await client.waitFor((event) => event.type === 'ready');
      return client;
    };

    before(async () => {
      t = await startTestOrigin(kind);
      creator = await t.user('rt_creator');
      viewer = await t.user('rt_viewer', 'viewer');
      admin = await t.user('rt_admin', 'admin');
      liveId = await readyContent(t, creator, { title: 'Summit sunrise' });
      await t.origin.services.prisma.content.update({ where: { id: liveId }, data: { status: 'live' } });
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.close()));
      await t.close();
    });

    test('a chat message reaches a subscriber with its stream time, and the VOD history keeps it in stream-time order', async () => {
      const sub = await subscribe({ contentId: liveId });
      await viewer.caller.chat.send({ contentId: liveId, body: 'what a view', streamTimeSeconds: 42.5 });
      await creator.caller.chat.send({ contentId: liveId, body: 'thanks!', streamTimeSeconds: 12 });
      const first = await sub.waitFor((event) => isChat(event) && event.message.body === 'what a view');
      assert.ok(isChat(first));
      assert.equal(first.message.streamTimeSeconds, 42.5);
      assert.equal(first.message.author.username, 'rt_viewer');
      const history = await t.anonymous.chat.history({ contentId: liveId, fromSeconds: 0 });
      assert.deepEqual(
        history.items.map((m) => m.body),
        ['thanks!', 'what a view'],
      );
      assert.deepEqual(
        (await t.anonymous.chat.history({ contentId: liveId, fromSeconds: 20 })).items.map((m) => m.body),
        ['what a view'],
      );
    });

    test('links, empty and too-long messages are refused with a message naming the field', async () => {
      for (const body of ['see https://evil.example', 'go to www.example.org now', 'cheap-stuff.xyz', ' ', 'x'.repeat(REALTIME_LIMITS.chatMessageMax + 1)]) {
        const answer = await t.http('POST', `/api/contents/${liveId}/chat`, { token: viewer.token, body: { body, streamTimeSeconds: 1 } });
        assert.equal(answer.status, 400, body);
        assert.match(answer.body.message, /body/);
      }
    });

    test('the creator deletes a message and mutes its author: subscribers are told, and the muted user is refused', async () => {
      const troll = await t.user('rt_troll', 'viewer');
      const sub = await subscribe({ contentId: liveId });
      const sent = await troll.caller.chat.send({ contentId: liveId, body: 'spam spam', streamTimeSeconds: 50 });
      await assert.rejects(viewer.caller.chat.delete({ contentId: liveId, messageId: sent.id }), { code: 'FORBIDDEN' });
      await creator.caller.chat.delete({ contentId: liveId, messageId: sent.id });
      await sub.waitFor((event) => event.type === 'chat.deleted' && event.messageId === sent.id);
      assert.ok(!(await t.anonymous.chat.history({ contentId: liveId })).items.some((m) => m.id === sent.id));
      await creator.caller.chat.mute({ contentId: liveId, userId: troll.id, muted: true });
      await sub.waitFor((event) => event.type === 'chat.muted' && event.userId === troll.id && event.muted);
      await assert.rejects(troll.caller.chat.send({ contentId: liveId, body: 'let me talk', streamTimeSeconds: 51 }), {
        code: 'FORBIDDEN',
        message: /muted/,
      });
      assert.equal((await troll.caller.chat.history({ contentId: liveId })).muted, true);
      // An admin may moderate too, and unmuting lets the user talk again.
      await admin.caller.chat.mute({ contentId: liveId, userId: troll.id, muted: false });
      await troll.caller.chat.send({ contentId: liveId, body: 'sorry', streamTimeSeconds: 52 });
    });

    test('a user sending faster than the chat limit gets 429 with Retry-After', async () => {
      const chatty = await t.user('rt_chatty', 'viewer');
      for (let i = 0; i < REALTIME_LIMITS.chatMessagesPerWindow; i++) {
        await chatty.caller.chat.send({ contentId: liveId, body: `message ${i}`, streamTimeSeconds: i });
      }
      const answer = await t.http('POST', `/api/contents/${liveId}/chat`, { token: chatty.token, body: { body: 'one more', streamTimeSeconds: 9 } });
      assert.equal(answer.status, 429);
      assert.ok(Number(answer.headers.get('retry-after')) > 0);
    });

    test('chat is refused when the content is not live', async () => {
      const vod = await readyContent(t, creator, { title: 'A recording' });
      await assert.rejects(viewer.caller.chat.send({ contentId: vod, body: 'hello', streamTimeSeconds: 1 }), { code: 'BAD_REQUEST', message: /live/ });
    });

    test('a client reconnecting with its last event id gets the messages it missed, and only those', async () => {
      const first = await subscribe({ contentId: liveId });
      await viewer.caller.chat.send({ contentId: liveId, body: 'before the drop', streamTimeSeconds: 60 });
      await first.waitFor((event) => isChat(event) && event.message.body === 'before the drop');
      const lastEventId = first.lastEventId;
      assert.ok(lastEventId);
      await first.close();
      const talker = await t.user('rt_talker', 'viewer');
      await talker.caller.chat.send({ contentId: liveId, body: 'while you were away', streamTimeSeconds: 61 });
      const again = await subscribe({ contentId: liveId, lastEventId });
      const chats = again.events.map((e) => e.event).filter(isChat);
      assert.deepEqual(
        chats.map((e) => e.message.body),
        ['while you were away'],
      );
    });

    test('reactions are summed per second per broadcast, and viewer counts follow open subscriptions', async () => {
      const content = await readyContent(t, creator, { title: 'Goal!' });
      await t.origin.services.prisma.content.update({ where: { id: content }, data: { status: 'live' } });
      const a = await subscribe({ contentId: content });
      await a.waitFor((event) => event.type === 'viewers' && event.count === 1);
      const b = await subscribe({ contentId: content }, viewer);
      await a.waitFor((event) => event.type === 'viewers' && event.count === 2);
      for (let i = 0; i < 6; i++) await viewer.caller.chat.react({ contentId: content, kind: i % 2 ? 'like' : 'wow' });
      await t.anonymous.chat.react({ contentId: content, kind: 'like' });
      const total = () =>
        b.events
          .map((e) => e.event)
          .filter((e) => e.type === 'reactions')
          .reduce((sum, e) => sum + (e.type === 'reactions' ? Object.values(e.counts).reduce((x, y) => x + y, 0) : 0), 0);
      await b.waitFor(() => total() === 7);
      const ticks = b.events.filter((e) => e.event.type === 'reactions').length;
      assert.ok(ticks < 7, `reactions were sent as ${ticks} events, not summed`);
      await b.close();
      await a.waitFor((event) => event.type === 'viewers' && event.count === 1);
    });

    test('viewer counts are coalesced: many viewers joining at once are at most one count event per second to each subscriber', async () => {
      const content = await readyContent(t, creator, { title: 'Crowd' });
      await t.origin.services.prisma.content.update({ where: { id: content }, data: { status: 'live' } });
      const watcher = await subscribe({ contentId: content });
      const crowd = await Promise.all([1, 2, 3].map((i) => t.user(`rt_crowd${i}`, 'viewer')));
      const joinStart = Date.now();
      await Promise.all(crowd.flatMap((user) => Array.from({ length: 7 }, () => subscribe({ contentId: content }, user))));
      const joinSeconds = (Date.now() - joinStart) / 1000;
      await watcher.waitFor((event) => event.type === 'viewers' && event.count === 22);
      const counts = watcher.events.filter((e) => e.event.type === 'viewers').length;
      // One per tick (1 s) at most, plus the snapshot and the tick in flight: 21 joins were 21 events to each subscriber before.
      assert.ok(counts <= Math.ceil(joinSeconds) + 3, `${counts} viewer count events for 21 joins in ${joinSeconds.toFixed(1)} s`);
    });

    test('subscriptions re-checking access share one read of the content per origin (an alert waking 2,000 of them is not 2,000 queries)', async () => {
      let reads = 0;
      const load = async () => {
        reads += 1;
        return t.origin.services.prisma.content.findUnique({ where: { id: liveId }, select: { visibility: true } });
      };
      const rows = await Promise.all(Array.from({ length: 500 }, () => t.origin.services.realtime.sharedContentRow(liveId, load)));
      assert.equal(reads, 1);
      assert.ok(rows.every((row) => row?.visibility === 'public'));
    });

    test('private content: no events for those who may not view it', async () => {
      const secret = await readyContent(t, creator, { title: 'Rehearsal', visibility: 'private' });
      const stranger = new RealtimeSseClient(t.url, { contentId: secret }, { authorization: `Bearer ${viewer.token}` });
      clients.push(stranger);
      await stranger.open();
      // tRPC answers a subscription's refusal inside the stream (the status is already sent).
      const refused =
        stranger.status === 404 || (await waitUntil(() => stranger.frames.some((f) => f.event === 'serialized-error' && /not found/i.test(f.data))));
      assert.ok(refused, JSON.stringify(stranger.frames));
      assert.ok(!stranger.events.some((e) => e.event.type === 'ready'));
      await subscribe({ contentId: secret }, creator);
    });

    test('one user may hold a bounded number of open subscriptions', async () => {
      const greedy = await t.user('rt_greedy', 'viewer');
      for (let i = 0; i < REALTIME_LIMITS.subscriptionsPerUser; i++) await subscribe({}, greedy);
      const extra = new RealtimeSseClient(t.url, {}, { authorization: `Bearer ${greedy.token}` });
      clients.push(extra);
      await extra.open();
      const refused =
        extra.status === 429 || (await waitUntil(() => extra.frames.some((f) => f.event === 'serialized-error' && /live connections/.test(f.data))));
      assert.ok(refused, JSON.stringify(extra.frames));
    });

    test('an alert from an admin reaches every subscriber, also one larger than a NOTIFY payload, and ends when expired', async () => {
      const home = await subscribe({});
      await assert.rejects(viewer.caller.alerts.create({ headline: 'x', body: 'y', severity: 'info', expiresAt: inHour() }), { code: 'FORBIDDEN' });
      const alert = await admin.caller.alerts.create({
        headline: 'Severe weather warning',
        body: 'Storm cell approaching the summit. Descend now. '.repeat(2) + '⛈'.repeat(1890),
        severity: 'severe',
        area: { kind: 'circle', placeName: 'Zugspitze', latitude: 47.42, longitude: 10.98, radiusKm: 30 },
        expiresAt: inHour(),
      });
      const got = await home.waitFor((event) => event.type === 'alert' && event.alert.id === alert.id);
      assert.ok(got.type === 'alert' && got.alert.body === alert.body);
      // A page opened later gets the alerts in force at once.
      const late = await subscribe({ contentId: liveId });
      assert.ok(late.events.some((e) => e.event.type === 'alert' && e.event.alert.id === alert.id));
      await admin.caller.alerts.expire({ id: alert.id });
      await home.waitFor((event) => event.type === 'alert.ended' && event.alertId === alert.id);
      assert.ok(!(await t.anonymous.alerts.active()).items.some((a) => a.id === alert.id));
    });

    test('an event larger than a NOTIFY payload travels as the id of its stored row', async () => {
      const sub = await subscribe({ contentId: liveId });
      const message = {
        id: '00000000-0000-7000-8000-000000000001',
        contentId: liveId,
        author: { id: viewer.id, username: viewer.username, displayName: viewer.username },
        body: '⛈'.repeat(4000),
        streamTimeSeconds: 1,
        sentAt: new Date().toISOString(),
      };
      assert.ok(Buffer.byteLength(JSON.stringify(message)) > 8000);
      await t.origin.services.events.publish(`content:${liveId}`, { type: 'chat.message', message }, { persist: false });
      const got = await sub.waitFor((event) => isChat(event) && event.message.id === message.id);
      assert.ok(isChat(got) && got.message.body === message.body);
    });

    test('a bad alert is refused with 400 naming the field', async () => {
      const answer = await t.http('POST', '/api/alerts', {
        token: admin.token,
        body: { headline: 'Test', body: 'Body', severity: 'apocalyptic', expiresAt: inHour() },
      });
      assert.equal(answer.status, 400);
      assert.match(answer.body.message, /severity/);
    });
  });
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}
