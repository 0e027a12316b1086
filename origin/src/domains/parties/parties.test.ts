import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PARTY_LIMITS, realtimeEventSchema, type RealtimeEvent } from '@spherecast/shared';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { readyContent } from '../../test-support/content-fixtures.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

/** A member's party subscription through createCaller: collects events until closed. */
class PartyFeed {
  readonly events: RealtimeEvent[] = [];
  ended = false;
  error: unknown = null;
  #iterator: AsyncIterator<unknown> | null = null;
  #done: Promise<void> = Promise.resolve();

  static async open(user: TestUser, partyId: string): Promise<PartyFeed> {
    const feed = new PartyFeed();
    const iterable = (await user.caller.parties.events({ partyId })) as AsyncIterable<unknown>;
    feed.#iterator = iterable[Symbol.asyncIterator]();
    feed.#done = feed.#pump();
    await feed.waitFor((event) => event.type === 'ready');
    return feed;
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.#iterator!.next();
        if (next.done) break;
        // Through createCaller a tracked() event is its envelope: [id, data, marker].
        const data = Array.isArray(next.value) ? (next.value as unknown[])[1] : next.value;
        this.events.push(realtimeEventSchema.parse(data));
      }
    } catch (error) {
      this.error = error;
    } finally {
      this.ended = true;
    }
  }

  async waitFor(match: (event: RealtimeEvent) => boolean, timeoutMs = 10_000): Promise<RealtimeEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.ended || Date.now() > deadline)
        throw new Error(`no matching party event (ended: ${this.ended}, error: ${String(this.error)}): ${JSON.stringify(this.events)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async waitEnded(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the party subscription did not end');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.#iterator?.return?.();
    await this.#done;
  }
}

/** A subscription refused: its first step fails (the generator runs when first read). */
async function assertSubscribeRefused(user: TestUser, partyId: string, code: string): Promise<void> {
  await assert.rejects(
    async () => {
      const iterable = (await user.caller.parties.events({ partyId })) as AsyncIterable<unknown>;
      const iterator = iterable[Symbol.asyncIterator]();
      await iterator.next();
      await iterator.return?.();
    },
    { code },
  );
}

for (const kind of await testDatabaseKinds()) {
  describe(`watch parties (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    let host: TestUser;
    let friend: TestUser;
    let stranger: TestUser;
    let contentId: string;
    const feeds: PartyFeed[] = [];
    const feed = async (user: TestUser, partyId: string) => {
      const opened = await PartyFeed.open(user, partyId);
      feeds.push(opened);
      return opened;
    };

    before(async () => {
      t = await startTestOrigin(kind);
      creator = await t.user('wp_creator');
      host = await t.user('wp_host', 'viewer');
      friend = await t.user('wp_friend', 'viewer');
      stranger = await t.user('wp_stranger', 'viewer');
      contentId = await readyContent(t, creator, { title: 'Lisbon rooftops' });
    });
    after(async () => {
      await Promise.all(feeds.map((f) => f.close()));
      await t.close();
    });

    test('a party is opened with an unguessable invitation; only members read it, subscribe, look around or chat', async () => {
      const party = await host.caller.parties.create({ contentId });
      assert.match(party.id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(party.invitePath, `/watch/${contentId}?party=${party.id}`);
      assert.deepEqual(
        party.members.map((m) => [m.username, m.host]),
        [['wp_host', true]],
      );
      const partyId = party.id;
      await assert.rejects(stranger.caller.parties.get({ partyId }), { code: 'FORBIDDEN' });
      await assertSubscribeRefused(stranger, partyId, 'FORBIDDEN');
      await assert.rejects(stranger.caller.parties.view({ partyId, yaw: 10, pitch: 0 }), { code: 'FORBIDDEN' });
      await assert.rejects(stranger.caller.parties.chat({ partyId, body: 'hi' }), { code: 'FORBIDDEN' });
      await assert.rejects(t.anonymous.parties.join({ partyId }), { code: 'UNAUTHORIZED' });
      await assert.rejects(friend.caller.parties.join({ partyId: 'A'.repeat(22) }), { code: 'NOT_FOUND' });
      const bad = await t.http('POST', '/trpc/parties.join', { token: friend.token, body: { partyId: 'not-a-party' } });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /watch party id/);

      const hostFeed = await feed(host, partyId);
      const joined = await friend.caller.parties.join({ partyId });
      assert.deepEqual(joined.members.map((m) => m.username).sort(), ['wp_friend', 'wp_host']);
      await hostFeed.waitFor((e) => e.type === 'party.members' && e.members.length === 2);
      const friendFeed = await feed(friend, partyId);
      assert.ok(friendFeed.events.some((e) => e.type === 'party.state' && e.state.revision === 0));

      // The host's play, anchored at its estimate of the server clock; a member's control is refused.
      const at = Date.now() - 120;
      const state = await host.caller.parties.control({ partyId, action: 'play', positionSeconds: 3.5, at });
      assert.deepEqual([state.playing, state.positionSeconds, state.anchoredAtMs, state.revision], [true, 3.5, at, 1]);
      const seen = await friendFeed.waitFor((e) => e.type === 'party.state' && e.state.revision === 1);
      assert.ok(seen.type === 'party.state' && seen.state.anchoredAtMs === at);
      await assert.rejects(friend.caller.parties.control({ partyId, action: 'pause', positionSeconds: 4 }), { code: 'FORBIDDEN' });
      // A clock far off is not trusted: the server's clock anchors the state.
      const skewed = await host.caller.parties.control({ partyId, action: 'seek', positionSeconds: 8, at: Date.now() + 60_000 });
      assert.ok(Math.abs(skewed.anchoredAtMs - Date.now()) < 5000, 'anchored at the server clock');
      assert.equal(skewed.playing, true, 'a seek keeps the party playing');
      // The tours hook: a scene change carries its scene id to every member.
      await host.caller.parties.control({ partyId, action: 'scene', sceneId: 'scene-rooftop', positionSeconds: 0 });
      await friendFeed.waitFor((e) => e.type === 'party.state' && e.state.sceneId === 'scene-rooftop');

      // View directions reach the other members, coalesced per tick.
      await friend.caller.parties.view({ partyId, yaw: 40, pitch: -10 });
      await friend.caller.parties.view({ partyId, yaw: 45, pitch: -12 });
      await hostFeed.waitFor((e) => e.type === 'party.views' && e.views.some((v) => v.userId === friend.id && v.yaw === 45 && v.pitch === -12));
      const friendViews = hostFeed.events.flatMap((e) => (e.type === 'party.views' ? e.views.filter((v) => v.userId === friend.id) : []));
      assert.ok(friendViews.length <= 2);

      const message = await friend.caller.parties.chat({ partyId, body: 'look left!' });
      await hostFeed.waitFor((e) => e.type === 'party.chat' && e.message.id === message.id && e.message.author.username === 'wp_friend');
      // A member joining later gets the chat of the last minutes.
      const late = await t.user('wp_late', 'viewer');
      // Two joins of one viewer at once (a page asking twice) both succeed: joining is idempotent.
      await Promise.all([late.caller.parties.join({ partyId }), late.caller.parties.join({ partyId })]);
      const lateFeed = await feed(late, partyId);
      assert.ok(lateFeed.events.some((e) => e.type === 'party.chat' && e.message.body === 'look left!'));

      // Leaving ends the member's subscription.
      await late.caller.parties.leave({ partyId });
      await lateFeed.waitEnded();
      await assert.rejects(late.caller.parties.view({ partyId, yaw: 0, pitch: 0 }), { code: 'FORBIDDEN' });
      // Only the host ends the party for everyone; a member is told to leave instead.
      await assert.rejects(friend.caller.parties.end({ partyId }), { code: 'FORBIDDEN', message: /Leave/ });
      // The host leaving hands the party to the member who joined first after them, who now leads.
      await host.caller.parties.leave({ partyId });
      await friendFeed.waitFor((e) => e.type === 'party.members' && e.members.length === 1 && e.members[0]!.id === friend.id && e.members[0]!.host);
      assert.equal((await friend.caller.parties.get({ partyId })).hostId, friend.id);
      const led = await friend.caller.parties.control({ partyId, action: 'pause', positionSeconds: 12 });
      assert.equal(led.playing, false);
      await assert.rejects(host.caller.parties.control({ partyId, action: 'play', positionSeconds: 0 }), { code: 'FORBIDDEN' });
      // Back through the invitation, the former host is a member who follows.
      await host.caller.parties.join({ partyId });
      await assert.rejects(host.caller.parties.control({ partyId, action: 'play', positionSeconds: 0 }), { code: 'FORBIDDEN' });
      // The new host ends it for everyone.
      await friend.caller.parties.end({ partyId });
      await friendFeed.waitFor((e) => e.type === 'party.ended');
      await friendFeed.waitEnded();
      await assert.rejects(stranger.caller.parties.join({ partyId }), { code: 'NOT_FOUND', message: /has ended/ });
    });

    test('the last one out ends the party; two members leaving at once never leave it to someone gone', async () => {
      const alone = await host.caller.parties.create({ contentId });
      await host.caller.parties.leave({ partyId: alone.id });
      await assert.rejects(host.caller.parties.get({ partyId: alone.id }), { code: 'NOT_FOUND', message: /has ended/ });

      const party = await host.caller.parties.create({ contentId });
      const third = await t.user('wp_third', 'viewer');
      await friend.caller.parties.join({ partyId: party.id });
      await third.caller.parties.join({ partyId: party.id });
      // The host and the next in line leave together: the party goes to the third member.
      await Promise.all([host.caller.parties.leave({ partyId: party.id }), friend.caller.parties.leave({ partyId: party.id })]);
      const left = await third.caller.parties.get({ partyId: party.id });
      assert.equal(left.hostId, third.id);
      assert.deepEqual(
        left.members.map((m) => [m.username, m.host]),
        [['wp_third', true]],
      );
      await third.caller.parties.leave({ partyId: party.id });
      await assert.rejects(third.caller.parties.get({ partyId: party.id }), { code: 'NOT_FOUND', message: /has ended/ });
    });

    test('a private video’s party admits only viewers who may see the video', async () => {
      const privateId = await readyContent(t, creator, { title: 'Family trip', visibility: 'private' });
      await assert.rejects(host.caller.parties.create({ contentId: privateId }), { code: 'NOT_FOUND' });
      const party = await creator.caller.parties.create({ contentId: privateId });
      await assert.rejects(friend.caller.parties.join({ partyId: party.id }), { code: 'NOT_FOUND' });
      await assertSubscribeRefused(friend, party.id, 'FORBIDDEN');
      await creator.caller.parties.leave({ partyId: party.id });
    });

    test('parties are REST routes too, described in /openapi.json', async () => {
      const doc = await t.http('GET', '/openapi.json');
      const paths = Object.keys(doc.body.paths as object);
      for (const route of [
        '/parties',
        '/parties/clock',
        '/parties/{partyId}',
        '/parties/{partyId}/join',
        '/parties/{partyId}/control',
        '/parties/{partyId}/chat',
        '/parties/{partyId}/leave',
        '/parties/{partyId}/end',
      ]) {
        assert.ok(paths.includes(route), `${route} in ${paths.filter((p) => p.startsWith('/parties')).join(', ')}`);
      }
      assert.equal(typeof (await t.http('GET', '/api/parties/clock')).body.serverNowMs, 'number');
      assert.equal((await t.http('POST', '/api/parties', { body: { contentId } })).status, 401);
      const opened = await t.http('POST', '/api/parties', { token: stranger.token, body: { contentId } });
      assert.equal(opened.status, 200, JSON.stringify(opened.body));
      const partyId = opened.body.id as string;
      assert.equal((await t.http('POST', `/api/parties/${partyId}/join`, { token: friend.token, body: {} })).status, 200);
      const paused = await t.http('POST', `/api/parties/${partyId}/control`, { token: stranger.token, body: { action: 'pause', positionSeconds: 3 } });
      assert.equal(paused.status, 200, JSON.stringify(paused.body));
      const seen = await t.http('GET', `/api/parties/${partyId}`, { token: friend.token });
      assert.equal(seen.body.state.playing, false);
      assert.equal(seen.body.members.length, 2);
      assert.equal(
        (await t.http('POST', `/api/parties/${partyId}/control`, { token: friend.token, body: { action: 'play', positionSeconds: 3 } })).status,
        403,
      );
      await t.http('POST', `/api/parties/${partyId}/leave`, { token: friend.token, body: {} });
      await t.http('POST', `/api/parties/${partyId}/leave`, { token: stranger.token, body: {} });
    });

    test('limits: members per party, parties per host, view, control and chat rates, chat text', async () => {
      const party = await creator.caller.parties.create({ contentId });
      const partyId = party.id;
      // Fill the party up to the limit straight in the database, then a real join is refused.
      const prisma = t.origin.services.prisma;
      for (let i = 1; i < PARTY_LIMITS.membersMax; i++) {
        const user = await prisma.user.create({
          data: { username: `wp_fill_${i}`, email: `wp_fill_${i}@example.test`, displayName: `Fill ${i}`, passwordHash: 'x' },
          select: { id: true },
        });
        await prisma.watchPartyMember.create({ data: { partyId, userId: user.id } });
      }
      await assert.rejects(friend.caller.parties.join({ partyId }), { code: 'FORBIDDEN', message: /full \(20 members\)/ });
      assert.equal(await prisma.watchPartyMember.count({ where: { partyId } }), PARTY_LIMITS.membersMax);

      for (let i = 0; i < PARTY_LIMITS.viewsPerSecond; i++) await creator.caller.parties.view({ partyId, yaw: i, pitch: 0 });
      await assert.rejects(creator.caller.parties.view({ partyId, yaw: 90, pitch: 0 }), { code: 'TOO_MANY_REQUESTS' });
      await assert.rejects(creator.caller.parties.view({ partyId, yaw: 181, pitch: 0 }), { code: 'BAD_REQUEST' });

      for (const body of ['see https://evil.example', ' ', 'x'.repeat(PARTY_LIMITS.chatMessageMax + 1)]) {
        await assert.rejects(creator.caller.parties.chat({ partyId, body }), { code: 'BAD_REQUEST' });
      }
      for (let i = 0; i < PARTY_LIMITS.chatMessagesPerWindow; i++) await creator.caller.parties.chat({ partyId, body: `hello ${i}` });
      await assert.rejects(creator.caller.parties.chat({ partyId, body: 'one more' }), { code: 'TOO_MANY_REQUESTS', message: /Wait \d+ s/ });

      for (let i = 0; i < PARTY_LIMITS.controlsPerWindow; i++) await creator.caller.parties.control({ partyId, action: 'sync', positionSeconds: i });
      await assert.rejects(creator.caller.parties.control({ partyId, action: 'pause', positionSeconds: 1 }), { code: 'TOO_MANY_REQUESTS' });
      await assert.rejects(creator.caller.parties.control({ partyId, action: 'scene', positionSeconds: 1 } as never), { code: 'BAD_REQUEST' });

      // Parties one user hosts at once (this one counts).
      const more = [];
      for (let i = 1; i < PARTY_LIMITS.hostedMax; i++) more.push(await creator.caller.parties.create({ contentId }));
      await assert.rejects(creator.caller.parties.create({ contentId }), { code: 'TOO_MANY_REQUESTS', message: /End one/ });
      await creator.caller.parties.leave({ partyId: more[0]!.id });
      await creator.caller.parties.create({ contentId });
    });
  });
}
