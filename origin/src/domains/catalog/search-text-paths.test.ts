// The three ways a text search reaches its matches (buildSearchSql's textMatches): few matches read
// whole through the GIN indexes, common words walked in sort order, and the walk's fallback. Each
// must answer as a computation over every row, and none may read more of the table than its bound:
// a common word with a rare tag once walked the whole table, because the walk's LIMIT counted the
// rows that passed the tag filter instead of the rows it read.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { searchInput } from '@spherecast/shared';
import { createTestDatabase, testDatabaseKinds } from '../../test-support/databases.ts';
import type { Database } from '../../db/database.ts';
import { buildSearchSql, RELEVANCE_CANDIDATES, SEARCH_STATS_SQL, TEXT_RARE, TEXT_WALK, toSearchStats, type SearchStats } from './search.ts';

/** More rows than one walk reads, all matching the word "wombat". */
const ROWS = TEXT_WALK + 2_000;
/** A tag on a few of the least popular rows (read whole through the GIN indexes). */
const FEW = 30;
/** A tag on the least popular rows, more of them than TEXT_RARE but none within the walk's reach. */
const TAIL = TEXT_RARE + 200;

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Subplan Name'?: string;
  Plans?: PlanNode[];
}

/** Rows the plan read from "Content" (returned or filtered out) under the CTE `cte` (all of them without). */
function contentRowsRead(node: PlanNode, cte?: string, inside = cte === undefined): number {
  const here = inside || node['Subplan Name'] === `CTE ${cte}`;
  const own =
    here && node['Relation Name'] === 'Content'
      ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + contentRowsRead(child, cte, here), 0);
}

for (const kind of await testDatabaseKinds()) {
  describe(`search text paths (${kind})`, () => {
    let database: Database;
    // Most popular first (popularity = ROWS - i).
    const rows: Array<{ id: string; popularity: number; tags: string[] }> = [];

    before(async () => {
      database = await createTestDatabase(kind);
      const prisma = database.prisma;
      const owner = await prisma.user.create({
        data: { username: 'wombats', email: 'wombats@example.test', passwordHash: 'x', displayName: 'Wombats' },
        select: { id: true },
      });
      const created = await prisma.content.createManyAndReturn({
        data: Array.from({ length: ROWS }, (_, i) => ({
          ownerId: owner.id,
          status: 'ready' as const,
          visibility: 'public' as const,
          title: `Wombat trail ${i}`,
          tags: [...(i % 3 === 0 ? ['third'] : []), ...(i >= ROWS - FEW ? ['few'] : []), ...(i >= ROWS - TAIL ? ['tail'] : [])],
          popularity: ROWS - i,
          publishedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
        })),
        select: { id: true, popularity: true, tags: true },
      });
      rows.push(...created.sort((a, b) => b.popularity - a.popularity));
      // Statistics, as autovacuum keeps them on a server: "wombat" is a common word.
      await prisma.$executeRawUnsafe('ANALYZE "Content"');
    });
    after(() => database.close());

    const run = async (params: Record<string, string>, stats?: SearchStats) => {
      const sql = buildSearchSql(searchInput.parse(params), stats);
      const found = await database.prisma.$queryRawUnsafe<Array<{ id: string }>>(sql.text, ...sql.values);
      // On PostgreSQL's driver path a text search runs on a generic plan (searchPlan): each path
      // gives the same rows on it as on a plan made for the call's values.
      const driverQuery = database.query;
      if (driverQuery) {
        for (const plan of ['generic', 'custom'] as const) {
          const driver: Array<{ id: string }> = await driverQuery(sql.text, sql.values, { plan });
          assert.deepEqual(
            driver.map((row) => row.id),
            found.map((row) => row.id),
            `${plan} plan: ${JSON.stringify(params)}`,
          );
        }
      }
      const explained = await database.prisma.$queryRawUnsafe<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> | string }>>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql.text}`,
        ...sql.values,
      );
      const raw = explained[0]!['QUERY PLAN'];
      const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>;
      if (process.env.SEARCH_PLAN_DEBUG) appendFileSync(process.env.SEARCH_PLAN_DEBUG, `${JSON.stringify(plan[0]!.Plan)}\n`);
      return { ids: found.map((row) => row.id), walked: contentRowsRead(plan[0]!.Plan, 'walk'), probed: contentRowsRead(plan[0]!.Plan, 'rare') };
    };

    const mostPopular = (tag: string | null, count: number) =>
      rows
        .filter((row) => tag === null || row.tags.includes(tag))
        .slice(0, count)
        .map((row) => row.id);

    test('a common word with a rare tag reads the few matches: the walk in sort order is bounded by the rows it reads', async () => {
      const { ids, walked } = await run({ q: 'wombat', tags: 'few' });
      assert.equal(ids.length, 21);
      for (const id of ids) assert.ok(mostPopular('few', FEW).includes(id), 'one of the matches');
      assert.ok(walked <= TEXT_WALK, `the walk read ${walked} rows of Content`);
      const popular = await run({ q: 'wombat', tags: 'few', sort: 'popular', limit: '10' });
      assert.deepEqual(popular.ids.slice(0, 10), mostPopular('few', 10));
      assert.ok(popular.walked <= TEXT_WALK, `the walk read ${popular.walked} rows of Content`);
    });

    test('a common word alone, and with a common tag, is walked in sort order', async () => {
      const alone = await run({ q: 'wombat' });
      assert.equal(alone.ids.length, 21);
      for (const id of alone.ids) assert.ok(mostPopular(null, RELEVANCE_CANDIDATES).includes(id), 'among the most popular matches');
      assert.ok(alone.walked > 0 && alone.walked <= RELEVANCE_CANDIDATES, `the walk read ${alone.walked} rows of Content`);
      // With the statistics, a common word skips the probe of the GIN index, with the same answer.
      const stats = toSearchStats((await database.prisma.$queryRawUnsafe<Parameters<typeof toSearchStats>[0][]>(SEARCH_STATS_SQL))[0]);
      assert.ok(stats.commonLexemes.includes("'wombat'"), JSON.stringify(stats.commonLexemes));
      const known = await run({ q: 'wombat' }, stats);
      assert.deepEqual(known.ids, alone.ids);
      assert.equal(known.probed, 0);
      assert.ok(alone.probed >= TEXT_RARE, `without statistics the probe read ${alone.probed} rows`);
      const rare = await run({ q: 'wombat', tags: 'few', sort: 'popular', limit: '10' }, stats);
      assert.deepEqual(rare.ids.slice(0, 10), mostPopular('few', 10), 'a filter keeps the probe');
      const third = await run({ q: 'wombat', tags: 'third', sort: 'popular', limit: '20' });
      assert.deepEqual(third.ids.slice(0, 20), mostPopular('third', 20));
      assert.ok(third.walked > 0 && third.walked <= 3 * 21, `the walk read ${third.walked} rows of Content`);
    });

    test('matches out of the walk’s reach are read whole and sorted, the walk within its bound', async () => {
      const { ids, walked } = await run({ q: 'wombat', tags: 'tail' });
      assert.equal(ids.length, 21);
      for (const id of ids) assert.ok(mostPopular('tail', RELEVANCE_CANDIDATES).includes(id), 'among the most popular tail matches');
      assert.ok(walked <= TEXT_WALK, `the walk read ${walked} rows of Content`);
      const popular = await run({ q: 'wombat', tags: 'tail', sort: 'popular', limit: '10' });
      assert.deepEqual(popular.ids.slice(0, 10), mostPopular('tail', 10));
    });
  });
}
