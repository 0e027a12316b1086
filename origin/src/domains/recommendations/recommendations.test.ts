import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent, tickingClock, type ReadyContentOptions } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const CATALOG: Array<[string, ReadyContentOptions]> = [
  ['Surf Nazaré', { tags: ['surfing', 'ocean'], genre: 'sport' }],
  ['Surf Peniche', { tags: ['surfing'], genre: 'sport' }],
  ['Surf lesson', { tags: ['surfing'] }],
  ['Surf Ericeira', { tags: ['surfing', 'ocean'], genre: 'sport', popularity: 2 }],
  ['Surf tag stuffing', { tags: ['surfing', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], popularity: 3 }],
  ['Ocean doc A', { tags: ['ocean'], genre: 'nature' }],
  ['Ocean doc B', { tags: ['ocean'], genre: 'nature' }],
  ['Ocean film', { tags: ['ocean'], genre: 'nature', popularity: 100 }],
  ['Lisbon streets', { tags: ['city'], genre: 'travel' }],
  ['Porto at night', { tags: ['city', 'night'], genre: 'travel', popularity: 1000 }],
  ['Alps timelapse', { tags: ['mountains'], genre: 'landscape', popularity: 50 }],
  ['Forest', { tags: ['forest'], popularity: 5 }],
  ['Surf private', { tags: ['surfing', 'ocean'], genre: 'sport', visibility: 'private', popularity: 5000 }],
  ['Surf unlisted', { tags: ['surfing', 'ocean'], genre: 'sport', visibility: 'unlisted', popularity: 5000 }],
  ['Surf draft', { tags: ['surfing', 'ocean'], genre: 'sport', status: 'draft', popularity: 5000 }],
];

for (const kind of await testDatabaseKinds()) {
  describe(`recommendations (${kind})`, () => {
    let t: TestOrigin;
    let surfer: TestUser;
    const ids: Record<string, string> = {};
    before(async () => {
      t = await startTestOrigin(kind, { now: tickingClock() });
      const maker = await t.user('maker');
      surfer = await t.user('surfer');
      for (const [title, options] of CATALOG) ids[title] = await readyContent(t, maker, { title, durationSeconds: 100, ...options });
      ids['My own surf'] = await readyContent(t, surfer, { title: 'My own surf', tags: ['surfing', 'ocean'], genre: 'sport', popularity: 5000 });

      // Watched two surfing videos to the end, a third 30 %, and rated a city video 1.
      for (const title of ['Surf Nazaré', 'Surf Peniche']) {
        const session = await surfer.caller.streaming.start({ id: ids[title]! });
        await surfer.caller.streaming.heartbeat({ sessionId: session.sessionId, positionSeconds: 100 });
      }
      const partial = await surfer.caller.streaming.start({ id: ids['Surf lesson']! });
      await surfer.caller.streaming.heartbeat({ sessionId: partial.sessionId, positionSeconds: 30 });
      await surfer.caller.engagement.rate({ id: ids['Lisbon streets']!, score: 1 });
      // The creator's own video was watched too: it must not shape, nor appear in, their picks.
      const own = await surfer.caller.streaming.start({ id: ids['My own surf'] });
      await surfer.caller.streaming.heartbeat({ sessionId: own.sessionId, positionSeconds: 100 });
    });
    after(() => t.close());

    test('a surfer gets the unwatched surfing video first, never finished, rated, own or hidden content, and nothing city-like', async () => {
      const response = await t.http('GET', '/api/recommendations?limit=50', { token: surfer.token });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.basis, 'personal');
      const titles = response.body.items.map((item: { title: string }) => item.title) as string[];
      const [docA, docB] = ids['Ocean doc A']! < ids['Ocean doc B']! ? ['Ocean doc A', 'Ocean doc B'] : ['Ocean doc B', 'Ocean doc A'];
      // Profile: surfing 1 + 1 + 0.3 = 2.3, ocean 1, sport 2 (the lesson has no genre), city −2, travel −2.
      // Ericeira (2.3 + 1) / √2 + 2 = 4.33 · (1 + ln 3 / 10); lesson 2.3 (its own 30 % counts: keep watching);
      // stuffing 2.3 / 3 · (1 + ln 4 / 10); ocean content 1 · popularity factor, the film first, equal docs by id.
      // Then popular content that overlaps nothing: Alps (50), Forest (5). Porto (city) is pushed away.
      assert.deepEqual(titles, ['Surf Ericeira', 'Surf lesson', 'Ocean film', docA, docB, 'Surf tag stuffing', 'Alps timelapse', 'Forest']);
      const first = response.body.items[0];
      assert.equal(first.reason, 'Because you watched Surf Nazaré');
      assert.ok(Math.abs(first.score - (3.3 / Math.SQRT2 + 2) * (1 + Math.log(3) / 10)) < 1e-5, String(first.score));
      assert.equal(response.body.items.at(-1).reason, 'Popular');
      assert.equal(response.body.items.find((item: { title: string }) => item.title === 'Ocean film').reason, 'Because you watched Surf Nazaré');
      assert.equal(first.owner.email, undefined);
    });

    test('the result is deterministic and honours limit', async () => {
      const a = await surfer.caller.recommendations.list({ limit: 3 });
      const b = await surfer.caller.recommendations.list({ limit: 3 });
      assert.deepEqual(a, b);
      assert.deepEqual(
        a.items.map((item) => item.title),
        ['Surf Ericeira', 'Surf lesson', 'Ocean film'],
      );
    });

    test('anonymous viewers and users without history get popular content, ties by id', async () => {
      const anonymous = await t.http('GET', '/api/recommendations?limit=5');
      assert.equal(anonymous.status, 200);
      assert.equal(anonymous.body.basis, 'popular');
      // 'My own surf' keeps its fixture popularity (5000): starting a session no longer counts a view
      // (and so no longer recomputes popularity from the counters); only real playback does.
      assert.deepEqual(anonymous.body.items.map((item: { title: string }) => item.title).slice(0, 5), [
        'My own surf',
        'Porto at night',
        'Ocean film',
        'Alps timelapse',
        'Forest',
      ]);
      assert.ok(anonymous.body.items.every((item: { reason: string }) => item.reason === 'Popular'));
      const newcomer = await t.user('newcomer', 'viewer');
      const fresh = await newcomer.caller.recommendations.list({ limit: 50 });
      assert.equal(fresh.basis, 'popular');
      const titles = fresh.items.map((item) => item.title);
      assert.ok(!titles.some((title) => /private|unlisted|draft/.test(title)));
      const popularity = await t.origin.services.prisma.content.findMany({
        where: { id: { in: fresh.items.map((item) => item.id) } },
        select: { id: true, popularity: true },
      });
      const byId = new Map(popularity.map((row) => [row.id, row.popularity]));
      const keys = fresh.items.map((item) => [byId.get(item.id)!, item.id] as const);
      const sorted = [...keys].sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? -1 : 1));
      assert.deepEqual(keys, sorted);
    });

    test('limit is validated', async () => {
      for (const limit of ['0', '51', 'many', '2.5']) {
        const response = await t.http('GET', `/api/recommendations?limit=${limit}`);
        assert.equal(response.status, 400, limit);
        assert.match(response.body.message, /^limit: /);
      }
    });
  });
}
