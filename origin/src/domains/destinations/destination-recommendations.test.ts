import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DestinationCreateInput } from '@spherecast/shared';
import { readyContent, tickingClock } from '../../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

const PLACES: Array<DestinationCreateInput> = [
  { name: 'Lisbon', country: 'Portugal', latitude: 38.72, longitude: -9.14, radiusKm: 25, tags: ['rooftops', 'city', 'ocean'] },
  { name: 'Porto', country: 'Portugal', latitude: 41.15, longitude: -8.61, radiusKm: 25, tags: ['city', 'wine', 'river'] },
  { name: 'Nazaré', country: 'Portugal', latitude: 39.6, longitude: -9.07, radiusKm: 10, tags: ['surfing', 'ocean'] },
  { name: 'Madeira', country: 'Portugal', latitude: 32.65, longitude: -16.9, radiusKm: 25, tags: ['ocean'] },
  { name: 'Barcelona', country: 'Spain', latitude: 41.39, longitude: 2.17, tags: ['city', 'rooftops', 'beach'] },
  { name: 'Bali', country: 'Indonesia', latitude: -8.34, longitude: 115.09, tags: ['surfing', 'beach', 'temples'] },
  { name: 'Chamonix', country: 'France', latitude: 45.92, longitude: 6.87, tags: ['mountains', 'snow'] },
  { name: 'Bordeaux', country: 'France', latitude: 44.84, longitude: -0.58, tags: ['wine', 'river'] },
  { name: 'Reykjavik', country: 'Iceland', latitude: 64.14, longitude: -21.94, tags: ['city', 'northern lights'] },
  { name: 'Sahara', country: 'Morocco', latitude: 31.1, longitude: -4.0, tags: ['desert'] },
];

for (const kind of await testDatabaseKinds()) {
  describe(`destination recommendations (${kind})`, () => {
    let t: TestOrigin;
    let traveler: TestUser;
    const ids: Record<string, string> = {};
    before(async () => {
      t = await startTestOrigin(kind, { now: tickingClock() });
      const maker = await t.user('maker');
      traveler = await t.user('traveler', 'viewer');
      const others = [await t.user('other1', 'viewer'), await t.user('other2', 'viewer')];
      for (const place of PLACES) ids[place.name] = (await maker.caller.destinations.create(place)).id;

      // A video located in Lisbon (inside its radius, not linked) that the traveler rated 5: weight 2.
      const rooftops = await readyContent(t, maker, {
        title: 'Lisbon rooftops',
        durationSeconds: 100,
        location: { placeName: 'Alfama', latitude: 38.711, longitude: -9.13 },
      });
      await traveler.caller.engagement.rate({ id: rooftops, score: 5 });
      // A video without a location, linked to Nazaré by its creator, watched half-way and liked: 0.5 + 1.
      const waves = await readyContent(t, maker, { title: 'Nazaré waves', durationSeconds: 100 });
      await maker.caller.destinations.link({ id: ids['Nazaré']!, contentId: waves });
      const session = await traveler.caller.streaming.start({ id: waves });
      await traveler.caller.streaming.heartbeat({ sessionId: session.sessionId, positionSeconds: 50 });
      await traveler.caller.engagement.like({ id: waves });
      // Porto, rated 1: weight −2. An interest stated on the profile: weight 1 on "snow".
      await traveler.caller.destinations.rate({ id: ids.Porto!, score: 1 });
      await traveler.caller.destinations.setInterests({ interests: ['Snow'] });
      // Others made Sahara (2 ratings) and Reykjavik (1) popular.
      for (const other of others) await other.caller.destinations.rate({ id: ids.Sahara!, score: 4 });
      await others[0]!.caller.destinations.rate({ id: ids.Reykjavik!, score: 4 });
    });
    after(() => t.close());

    test('places like the ones the traveler watched, liked, rated and is interested in, with the known order, scores and reasons', async () => {
      const response = await t.http('GET', '/api/recommendations/destinations?limit=20', { token: traveler.token });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.basis, 'personal');
      const items = response.body.items as Array<{ name: string; reason: string; score: number }>;
      // Tag weights: rooftops 2, city 2 − 2 = 0, ocean 2 + 1.5 = 3.5, surfing 1.5, wine −2, river −2, snow 1.
      // Lisbon, Nazaré and Porto were visited; Bordeaux (wine, river) scores −4/√2 and is pushed away.
      // Madeira 3.5/√1; Barcelona (0 + 2 + 0)/√3; Bali 1.5/√3; Chamonix 1/√2; Reykjavik 0/√2 is not personal.
      assert.deepEqual(
        items.map((item) => [item.name, item.reason]),
        [
          ['Madeira', 'Because you rated Lisbon rooftops 5 stars'],
          ['Barcelona', 'Because you rated Lisbon rooftops 5 stars'],
          ['Bali', 'Because you liked Nazaré waves'],
          ['Chamonix', "Because you're interested in snow"],
          ['Sahara', 'Popular'],
          ['Reykjavik', 'Popular'],
        ],
      );
      const round = (value: number) => Math.round(value * 1e6) / 1e6;
      assert.deepEqual(
        items.slice(0, 4).map((item) => item.score),
        [3.5, round(2 / Math.sqrt(3)), round(1.5 / Math.sqrt(3)), round(1 / Math.SQRT2)],
      );
    });

    test('limit is honoured and the answer is deterministic', async () => {
      const a = await traveler.caller.destinations.recommended({ limit: 2 });
      const b = await traveler.caller.destinations.recommended({ limit: 2 });
      assert.deepEqual(a, b);
      assert.deepEqual(
        a.items.map((item) => item.name),
        ['Madeira', 'Barcelona'],
      );
    });

    test('anonymous viewers get popular destinations: rating count, rating sum, then id', async () => {
      const response = await t.http('GET', '/api/recommendations/destinations?limit=3');
      assert.equal(response.status, 200);
      assert.equal(response.body.basis, 'popular');
      // Reykjavik (1 rating of 4) before Porto (1 rating of 1).
      assert.deepEqual(
        response.body.items.map((item: { name: string; reason: string }) => [item.name, item.reason]),
        [
          ['Sahara', 'Popular'],
          ['Reykjavik', 'Popular'],
          ['Porto', 'Popular'],
        ],
      );
      const bad = await t.http('GET', '/api/recommendations/destinations?limit=0');
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /^limit: /);
    });
  });
}
