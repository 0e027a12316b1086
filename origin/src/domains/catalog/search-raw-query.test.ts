// On PostgreSQL a search runs its statement straight on the driver (Database.query), not through
// Prisma's client. Both must give the same pages: every field of every item (dates, arrays, nulls,
// locations, distances) and the same cursors, whatever the process's time zone (pg reads a
// `timestamp` column as local time, Prisma as UTC; a cursor's Date parameter likewise).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { searchInput } from '@spherecast/shared';
import { createTestDatabase, testDatabaseKinds } from '../../test-support/databases.ts';
import type { Database } from '../../db/database.ts';
import { MediaLinks, MediaUrlSigner } from '../../core/media-links.ts';
import { buildSearchSql, searchContent, searchPlan } from './search.ts';

const PLACES: Array<[string, number, number]> = [
  ['Lisbon', 38.72, -9.14],
  ['Porto', 41.15, -8.61],
  ['Kyoto', 35.01, 135.77],
];

const QUERIES: Array<Record<string, string>> = [
  { q: 'surfing' },
  { q: 'surfing', limit: '5' },
  { q: 'surfing lisbon', sort: 'popular', limit: '4' },
  { q: 'kyoto', sort: 'newest', limit: '3' },
  { tags: 'ocean', sort: 'newest', limit: '4' },
  { genre: 'sport', sort: 'newest', limit: '4' },
  { near: '38.72,-9.14', radiusKm: '50', sort: 'popular', limit: '4' },
  { near: '38.72,-9.14', limit: '4' },
  { sort: 'popular', projection: 'stereo-top-bottom', limit: '6' },
  { q: 'surfing', tags: 'ocean' },
];

if ((await testDatabaseKinds()).includes('postgres')) {
  describe('search on the driver without Prisma (postgres)', () => {
    let database: Database;
    const links = new MediaLinks('http://origin.test', new MediaUrlSigner(Buffer.alloc(32, 7), 3600, () => new Date()));

    before(async () => {
      database = await createTestDatabase('postgres');
      const owner = await database.prisma.user.create({
        data: { username: 'rawpath', email: 'rawpath@example.test', passwordHash: 'x', displayName: 'Raw Path', avatarUrl: 'https://example.test/a.png' },
        select: { id: true },
      });
      await database.prisma.content.createMany({
        data: Array.from({ length: 60 }, (_, i) => {
          const place = i % 4 === 3 ? null : PLACES[i % PLACES.length]!;
          return {
            ownerId: owner.id,
            status: 'ready' as const,
            visibility: 'public' as const,
            title: `${i % 2 === 0 ? 'Surfing' : 'Hiking'} ${place?.[0] ?? 'somewhere'} ${i}`,
            description: i % 5 === 0 ? 'ocean waves, surfing at dawn' : '',
            tags: i % 3 === 0 ? ['ocean', 'surfing'] : ['city'],
            genre: i % 2 === 0 ? 'sport' : 'travel',
            projection: i % 5 === 0 ? 'stereo-top-bottom' : 'equirectangular-mono',
            durationSeconds: i % 7 === 0 ? null : 30 + i / 4,
            placeName: place?.[0] ?? null,
            latitude: place ? place[1] + i / 1000 : null,
            longitude: place ? place[2] - i / 1000 : null,
            popularity: (i * 37) % 50,
            viewCount: i * 3,
            likeCount: i % 4,
            ratingCount: i % 3,
            ratingSum: (i % 3) * 4,
            publishedPath: `content/${i}`,
            posterFile: i % 2 === 0 ? 'poster.jpg' : null,
            posterWidths: i % 2 === 0 ? [320, 640] : [],
            // Milliseconds and times near midnight: a time-zone shift would show.
            publishedAt: new Date(Date.UTC(2026, 0, 1 + i, 23, 30, 15, 123 + i)),
          };
        }),
      });
      await database.prisma.$executeRawUnsafe('ANALYZE "Content"');
    });
    after(() => database.close());

    /** A page and every page after it by cursor. */
    async function pages(run: (input: ReturnType<typeof searchInput.parse>) => Promise<unknown>, params: Record<string, string>) {
      const all: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page = (await run(searchInput.parse(cursor ? { ...params, cursor } : params))) as { nextCursor: string | null };
        all.push(page);
        cursor = page.nextCursor;
      } while (cursor && all.length < 20);
      return all;
    }

    test('text, radius and unfiltered searches run on generic plans, tag and genre filters on custom ones, with the same rows', async () => {
      const query = database.query;
      assert.ok(query, 'PostgreSQL has the driver path');
      const mode = async (plan: 'generic' | 'custom') =>
        (await query<{ mode: string }>(`SELECT current_setting('plan_cache_mode') AS mode`, [], { plan }))[0]!.mode;
      assert.equal(await mode('generic'), 'force_generic_plan');
      assert.equal(await mode('custom'), 'force_custom_plan');
      const plans = QUERIES.map((params) => searchPlan(searchInput.parse(params)));
      assert.deepEqual(plans, ['generic', 'generic', 'generic', 'generic', 'custom', 'custom', 'generic', 'generic', 'generic', 'generic']);
      for (const params of QUERIES) {
        const sql = buildSearchSql(searchInput.parse(params));
        // Twice each: a generic plan is made at the first call and reused.
        for (let i = 0; i < 2; i += 1) {
          const generic: unknown[] = await query(sql.text, sql.values, { plan: 'generic' });
          const custom: unknown[] = await query(sql.text, sql.values, { plan: 'custom' });
          assert.deepEqual(generic, custom, JSON.stringify(params));
        }
      }
    });

    for (const timeZone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata']) {
      test(`every query shape gives the same pages as through Prisma (TZ=${timeZone})`, async () => {
        const saved = process.env.TZ;
        process.env.TZ = timeZone;
        try {
          assert.ok(database.query, 'PostgreSQL has the driver path');
          for (const params of QUERIES) {
            const direct = await pages((input) => searchContent({ prisma: database.prisma, rawQuery: database.query }, input, links), params);
            const throughPrisma = await pages((input) => searchContent({ prisma: database.prisma }, input, links), params);
            assert.deepEqual(direct, throughPrisma, JSON.stringify(params));
            const first = direct[0] as { items: unknown[] };
            assert.ok(first.items.length > 0, `${JSON.stringify(params)} finds something`);
          }
        } finally {
          if (saved === undefined) delete process.env.TZ;
          else process.env.TZ = saved;
        }
      });
    }
  });
}
