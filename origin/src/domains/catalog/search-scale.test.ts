// Search behaviour that only shows with more rows than search.test.ts seeds: the bounded candidate
// set of relevance ranking, and the two ways to a radius page (a crowded box walked in sort order, a
// sparse one read whole) giving the same answers as a plain computation over every row.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin } from '../../test-support/test-origin.ts';
import { RADIUS_DENSE_BOX, RELEVANCE_CANDIDATES } from './search.ts';

interface Item {
  id: string;
  title: string;
  distanceKm: number | null;
}

const CENTER = { latitude: 10, longitude: 20 };

function distanceKm(latitude: number, longitude: number): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const a =
    Math.sin(rad(latitude - CENTER.latitude) / 2) ** 2 +
    Math.cos(rad(CENTER.latitude)) * Math.cos(rad(latitude)) * Math.sin(rad(longitude - CENTER.longitude) / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.sqrt(a));
}

/** Deterministic numbers in [0, 1). */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

for (const kind of await testDatabaseKinds()) {
  describe(`search at scale (${kind})`, () => {
    let t: TestOrigin;
    let ownerId: string;
    const located: Array<{ id: string; latitude: number; longitude: number; popularity: number; publishedAt: Date }> = [];
    const quokka = { titleMatch: '', descriptionOnly: [] as Array<{ id: string; popularity: number }> };

    before(async () => {
      t = await startTestOrigin(kind);
      ownerId = (await t.user('scale')).id;
      const prisma = t.origin.services.prisma;
      const base = { ownerId, status: 'ready' as const, visibility: 'public' as const };
      // RELEVANCE_CANDIDATES + 10 matches of "quokka": all in the description, popularity 11 and up,
      // but the least popular (popularity 1) has it in its title.
      const rows = await prisma.content.createManyAndReturn({
        data: Array.from({ length: RELEVANCE_CANDIDATES + 9 }, (_, i) => ({
          ...base,
          title: `Island walk ${i}`,
          description: 'A quokka crosses the path',
          popularity: 11 + i,
          publishedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
        })),
        select: { id: true, popularity: true },
      });
      quokka.descriptionOnly = rows;
      const titled = await prisma.content.create({
        data: { ...base, title: 'Quokka selfie', popularity: 1, publishedAt: new Date(Date.UTC(2026, 0, 2)) },
        select: { id: true },
      });
      quokka.titleMatch = titled.id;

      // A crowded place: 2 * RADIUS_DENSE_BOX points within ±0.3° of CENTER (two thirds of them within 30 km).
      const random = numbers(42);
      const points = Array.from({ length: 2 * RADIUS_DENSE_BOX }, (_, i) => ({
        latitude: CENTER.latitude + (random() - 0.5) * 0.6,
        longitude: CENTER.longitude + (random() - 0.5) * 0.6,
        popularity: Math.floor(random() * 50),
        publishedAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 300) * 86_400_000 + i),
      }));
      const created = await prisma.content.createManyAndReturn({
        data: points.map((point, i) => ({ ...base, title: `Harbour view ${i}`, placeName: 'Harbour', ...point })),
        select: { id: true, latitude: true, longitude: true, popularity: true, publishedAt: true },
      });
      for (const row of created)
        located.push({ id: row.id, latitude: row.latitude!, longitude: row.longitude!, popularity: row.popularity, publishedAt: row.publishedAt! });
    });
    after(() => t.close());

    const pages = async (query: string, limit: number): Promise<Item[]> => {
      const all: Item[] = [];
      let cursor: string | null = null;
      do {
        const response = await t.http('GET', `/api/search?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.ok(Array.isArray(response.body.items), JSON.stringify(response.body));
        all.push(...(response.body.items as Item[]));
        cursor = response.body.nextCursor;
      } while (cursor);
      return all;
    };

    test('relevance ranks the most popular matches only, title matches first among them, and pages through them once', async () => {
      const ranked = await pages('q=quokka', 30);
      assert.equal(ranked.length, RELEVANCE_CANDIDATES, 'one page set of RELEVANCE_CANDIDATES items');
      assert.equal(new Set(ranked.map((item) => item.id)).size, ranked.length, 'no repeats across pages');
      const expected = quokka.descriptionOnly.filter((row) => row.popularity > 10 + 9).map((row) => row.id);
      assert.deepEqual(new Set(ranked.map((item) => item.id)), new Set(expected), 'the RELEVANCE_CANDIDATES most popular matches');
      assert.ok(!ranked.some((item) => item.id === quokka.titleMatch), 'the least popular match is past the candidates');

      // Sorting by popularity pages through every match, the title match last.
      const popular = await pages('q=quokka&sort=popular', 40);
      assert.equal(popular.length, RELEVANCE_CANDIDATES + 10);
      assert.equal(popular.at(-1)!.id, quokka.titleMatch);

      // Among the candidates, a title match outranks more popular description-only matches.
      await t.origin.services.prisma.content.update({ where: { id: quokka.titleMatch }, data: { popularity: 500 } });
      const first = (await t.http('GET', '/api/search?q=quokka&limit=1')).body.items as Item[];
      assert.equal(first[0]?.id, quokka.titleMatch);
      await t.origin.services.prisma.content.update({ where: { id: quokka.titleMatch }, data: { popularity: 1 } });
    });

    const expectedWithin = (radiusKm: number, sort: 'popular' | 'newest') =>
      located
        .map((row) => ({ ...row, distance: distanceKm(row.latitude, row.longitude) }))
        .filter((row) => row.distance <= radiusKm)
        .sort((a, b) => {
          const byValue = sort === 'popular' ? b.popularity - a.popularity : b.publishedAt.getTime() - a.publishedAt.getTime();
          return byValue !== 0 ? byValue : b.id < a.id ? -1 : b.id > a.id ? 1 : 0;
        });

    test('a crowded radius (walked in sort order) answers as a computation over every row, by popularity and by date, across pages', async () => {
      for (const sort of ['popular', 'newest'] as const) {
        const expected = expectedWithin(30, sort);
        assert.ok(expected.length >= RADIUS_DENSE_BOX, `the box is crowded (${expected.length} points)`);
        assert.ok(expected.length < located.length, 'some points of the box are outside the circle');
        const firstPages: Item[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 3; page += 1) {
          const response = await t.http(
            'GET',
            `/api/search?near=${CENTER.latitude},${CENTER.longitude}&radiusKm=30&sort=${sort}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
          );
          assert.equal(response.status, 200, JSON.stringify(response.body));
          firstPages.push(...(response.body.items as Item[]));
          cursor = response.body.nextCursor;
        }
        assert.deepEqual(
          firstPages.map((item) => item.id),
          expected.slice(0, 150).map((row) => row.id),
          sort,
        );
        for (const item of firstPages) assert.ok(item.distanceKm !== null && item.distanceKm <= 30, String(item.distanceKm));
      }
    });

    test('a sparse radius (read whole, then sorted) answers as a computation over every row', async () => {
      const expected = expectedWithin(3, 'popular');
      assert.ok(expected.length > 0 && expected.length < RADIUS_DENSE_BOX, `the box is sparse (${expected.length} points)`);
      const all = await pages(`near=${CENTER.latitude},${CENTER.longitude}&radiusKm=3&sort=popular`, 7);
      assert.deepEqual(
        all.map((item) => item.id),
        expected.map((row) => row.id),
      );
    });

    test('newest lists content by publication date and leaves out content without one', async () => {
      const [undated] = located;
      await t.origin.services.prisma.content.update({ where: { id: undated!.id }, data: { publishedAt: null, popularity: 10_000 } });
      const newest = await pages('sort=newest', 100);
      assert.ok(!newest.some((item) => item.id === undated!.id));
      assert.equal(newest.length, located.length - 1 + RELEVANCE_CANDIDATES + 10);
      const popular = (await t.http('GET', '/api/search?sort=popular&limit=1')).body.items as Item[];
      assert.equal(popular[0]?.id, undated!.id, 'still found by the other sorts');
    });
  });
}
