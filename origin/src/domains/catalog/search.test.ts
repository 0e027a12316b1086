import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

interface Seed {
  title: string;
  tags?: string[];
  genre?: string;
  description?: string;
  projection?: 'equirectangular-mono' | 'stereo-top-bottom';
  place?: [string, number, number];
  popularity?: number;
  visibility?: 'public' | 'unlisted' | 'private';
  status?: 'ready' | 'draft';
  daysAgo?: number;
}

const SEEDS: Seed[] = [
  { title: 'Surfing Nazaré giant waves', tags: ['surfing', 'ocean'], genre: 'sport', place: ['Nazaré', 39.6, -9.07], popularity: 50, daysAgo: 3 },
  { title: 'Lisbon tram ride', tags: ['city', 'tram'], genre: 'travel', place: ['Lisbon', 38.72, -9.14], popularity: 80, daysAgo: 2 },
  {
    title: 'Sunrise over the Alps',
    tags: ['mountains', 'timelapse'],
    genre: 'nature',
    description: 'A calm surfing-free morning',
    popularity: 10,
    daysAgo: 1,
    projection: 'stereo-top-bottom',
  },
  {
    title: 'Beach walk',
    tags: ['ocean', 'surfing'],
    genre: 'travel',
    description: 'Waves and surfing at dusk',
    place: ['Porto', 41.15, -8.61],
    popularity: 5,
    daysAgo: 4,
  },
  { title: 'Surfing lessons (private)', tags: ['surfing'], genre: 'sport', visibility: 'private', popularity: 1000 },
  { title: 'Surfing draft', tags: ['surfing'], genre: 'sport', status: 'draft', popularity: 1000 },
  { title: 'Surfing unlisted', tags: ['surfing'], genre: 'sport', visibility: 'unlisted', popularity: 1000 },
];

for (const kind of await testDatabaseKinds()) {
  describe(`search (${kind})`, () => {
    let t: TestOrigin;
    let creator: TestUser;
    const ids = new Map<string, string>();
    before(async () => {
      t = await startTestOrigin(kind);
      creator = await t.user('searcher');
      for (const seed of SEEDS) {
        const created = await creator.caller.content.create({
          title: seed.title,
          tags: seed.tags ?? [],
          genre: seed.genre,
          description: seed.description ?? '',
          projection: seed.projection ?? 'equirectangular-mono',
          visibility: seed.visibility ?? 'public',
          location: seed.place ? { placeName: seed.place[0], latitude: seed.place[1], longitude: seed.place[2] } : undefined,
        });
        await t.origin.services.prisma.content.update({
          where: { id: created.id },
          data: { status: seed.status ?? 'ready', popularity: seed.popularity ?? 0, publishedAt: new Date(Date.now() - (seed.daysAgo ?? 0) * 86_400_000) },
        });
        ids.set(seed.title, created.id);
      }
    });
    after(() => t.close());

    const search = async (query: string) => {
      const response = await t.http('GET', `/api/search?${query}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body.items.map((item: { title: string }) => item.title) as string[];
    };

    test('full-text search ranks title matches above description matches, and only public ready content', async () => {
      const titles = await search('q=surfing');
      assert.deepEqual(titles, ['Surfing Nazaré giant waves', 'Beach walk', 'Sunrise over the Alps']);
    });

    test('stemming: "waves" finds "wave"-words; several words must all match', async () => {
      assert.ok((await search('q=wave')).includes('Surfing Nazaré giant waves'));
      assert.deepEqual(await search('q=lisbon%20tram'), ['Lisbon tram ride']);
      assert.deepEqual(await search('q=lisbon%20mountains'), []);
    });

    test('tag, genre and projection filters', async () => {
      assert.deepEqual(await search('tags=ocean,surfing&sort=popular'), ['Surfing Nazaré giant waves', 'Beach walk']);
      assert.deepEqual(await search('genre=travel&sort=newest'), ['Lisbon tram ride', 'Beach walk']);
      assert.deepEqual(await search('projection=stereo-top-bottom'), ['Sunrise over the Alps']);
    });

    test('distance filter returns located content within the radius with its distance', async () => {
      const response = await t.http('GET', '/api/search?near=38.7223,-9.1393&radiusKm=150&sort=popular');
      const items = response.body.items as Array<{ title: string; distanceKm: number }>;
      assert.deepEqual(
        items.map((i) => i.title),
        ['Lisbon tram ride', 'Surfing Nazaré giant waves'],
      );
      assert.ok(items[0]!.distanceKm < 1);
      assert.ok(items[1]!.distanceKm > 90 && items[1]!.distanceKm < 110, String(items[1]!.distanceKm));
    });

    test('sorts: popular and newest', async () => {
      assert.deepEqual(await search('sort=popular'), ['Lisbon tram ride', 'Surfing Nazaré giant waves', 'Sunrise over the Alps', 'Beach walk']);
      assert.deepEqual(await search('sort=newest'), ['Sunrise over the Alps', 'Lisbon tram ride', 'Surfing Nazaré giant waves', 'Beach walk']);
    });

    test('cursor pagination walks every sort without repeats or gaps', async () => {
      for (const query of ['sort=popular', 'sort=newest', 'q=surfing']) {
        const all = await search(`${query}&limit=50`);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await t.http('GET', `/api/search?${query}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
          paged.push(...page.body.items.map((item: { title: string }) => item.title));
          cursor = page.body.nextCursor;
        } while (cursor);
        assert.deepEqual(paged, all, query);
      }
    });

    test('SQL meta-characters in the query are just text', async () => {
      for (const q of ['\'; DROP TABLE "Content"; --', "surfing') OR 1=1 --", '\\\\', '%_%', '!!&&||', '"unterminated', ':*']) {
        const response = await t.http('GET', `/api/search?q=${encodeURIComponent(q)}`);
        assert.equal(response.status, 200, q);
      }
      assert.ok((await t.origin.services.prisma.content.count()) >= SEEDS.length);
    });

    test('content made private or deleted leaves search results at once, even after a cached search', async () => {
      const created = await creator.caller.content.create({ title: 'Ephemeral aurora', tags: ['aurora'] });
      await t.origin.services.prisma.content.update({ where: { id: created.id }, data: { status: 'ready', publishedAt: new Date() } });
      t.origin.services.searchCache.invalidate();
      assert.deepEqual(await search('q=aurora'), ['Ephemeral aurora']);
      await t.http('PATCH', `/api/content/${created.id}`, { token: creator.token, body: { visibility: 'private' } });
      assert.deepEqual(await search('q=aurora'), []);
      await t.http('PATCH', `/api/content/${created.id}`, { token: creator.token, body: { visibility: 'public' } });
      assert.deepEqual(await search('q=aurora'), ['Ephemeral aurora']);
      await t.http('DELETE', `/api/content/${created.id}`, { token: creator.token });
      assert.deepEqual(await search('q=aurora'), []);
    });

    test('bad search input is a 400 naming the parameter', async () => {
      const cases: Array<[string, RegExp]> = [
        [`q=${'x'.repeat(201)}`, /^q: /],
        ['near=91,0&radiusKm=5', /^near/],
        ['near=abc', /^near: /],
        ['radiusKm=10', /^radiusKm: /],
        ['radiusKm=-1&near=1,1', /^radiusKm: /],
        ['sort=random', /^sort: /],
        ['limit=1000', /^limit: /],
        ['projection=fisheye', /^projection: /],
        ['cursor=zzz', /^cursor: /],
        [`cursor=${Buffer.from(JSON.stringify([1, '-'.repeat(36)])).toString('base64url')}`, /^cursor: /],
        [`sort=newest&cursor=${Buffer.from(JSON.stringify(['not a date', '0190aaaa-0000-7000-8000-000000000000'])).toString('base64url')}`, /^cursor: /],
        [`sort=popular&cursor=${Buffer.from(JSON.stringify(['2026-01-01', '0190aaaa-0000-7000-8000-000000000000'])).toString('base64url')}`, /^cursor: /],
      ];
      for (const [query, message] of cases) {
        const response = await t.http('GET', `/api/search?${query}`);
        assert.equal(response.status, 400, query);
        assert.match(response.body.message, message, query);
      }
    });
  });
}
