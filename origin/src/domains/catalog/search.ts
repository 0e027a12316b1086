import { searchInput, searchPageSchema, type ContentSummary } from '@spherecast/shared';
import type { z } from 'zod';
import { publicProcedure } from '../../core/trpc.ts';
import { Prisma, type PrismaClient, type RawQuery } from '../../db/database.ts';
import { toSummary, type ContentSummaryRow } from '../../core/content-view.ts';
import { decodeDateCursor, decodeNumberCursor, encodeCursor } from '../../core/pagination.ts';
import type { MediaLinks } from '../../core/media-links.ts';

type SearchQuery = z.output<typeof searchInput>;
type Sort = 'relevance' | 'popular' | 'newest';

const EARTH_RADIUS_KM = 6371;
const KM_PER_DEGREE = 111.045;
/**
 * How many matches a relevance search ranks: the most popular ones. Five pages of 20; past them,
 * sort by popular or newest (which page through every match).
 */
export const RELEVANCE_CANDIDATES = 100;
/** A radius search's box holding at least this many points is walked in sort order, not read whole. */
export const RADIUS_DENSE_BOX = 1_000;
/** How many rows a text search walks in sort order before it reads the text index's matches instead. */
export const TEXT_WALK = 4_000;
/** A text search with fewer matches than this (read through the GIN index) sorts them all instead of walking. */
export const TEXT_RARE = 1_000;

/**
 * The probe's and the walk's bounds for `count` rows out of a table of `rows`: a walk costs about
 * count x rows / matches, reading the matches costs about matches, so they cost the same at
 * sqrt(count x rows) matches (3,162 for 100 candidates at 100,000 rows, 10,000 at 1,000,000).
 */
export function textBounds(count: number, rows: number): { rare: number; walk: number } {
  const rare = Math.max(TEXT_RARE, Math.round(Math.sqrt(count * rows)));
  return { rare, walk: Math.max(TEXT_WALK, rare) };
}

/**
 * A row count written into the SQL text instead of passed as a parameter: a generic plan (text
 * searches, see searchContent) then knows how few rows a LIMIT lets through, and joins the page's
 * rows by index; with a parameter it assumed a tenth of the table, and read the whole "User" table
 * into a hash. Only small integers from validated input or constants reach it.
 */
function rowCount(count: number): Prisma.Sql {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`rowCount: ${count} is not a row count`);
  return Prisma.raw(String(count));
}

interface SearchRow {
  id: string;
  sort_value: number | Date;
  distance_km: number | null;
  kind: ContentSummaryRow['kind'];
  title: string;
  tags: string[];
  genre: string | null;
  projection: string;
  durationSeconds: number | null;
  status: ContentSummaryRow['status'];
  visibility: ContentSummaryRow['visibility'];
  placeName: string | null;
  latitude: number | null;
  longitude: number | null;
  publishedPath: string | null;
  posterFile: string | null;
  posterWidths: number[];
  mediaEpoch: number;
  viewCount: number;
  likeCount: number;
  ratingCount: number;
  ratingSum: number;
  createdAt: Date;
  publishedAt: Date | null;
  owner_id: string;
  owner_username: string;
  owner_display_name: string;
  owner_avatar_url: string | null;
}

function distanceSql(latitude: number, longitude: number): Prisma.Sql {
  return Prisma.sql`(${EARTH_RADIUS_KM}::float8 * 2 * asin(sqrt(
    power(sin(radians(c."latitude" - ${latitude}::float8) / 2), 2) +
    cos(radians(${latitude}::float8)) * cos(radians(c."latitude")) *
    power(sin(radians(c."longitude" - ${longitude}::float8) / 2), 2))))`;
}

interface Box {
  south: number;
  north: number;
  /** Null where the box crosses the antimeridian or a pole. */
  west: number | null;
  east: number | null;
}

function boxSql(box: Box, latitude: Prisma.Sql, longitude: Prisma.Sql): Prisma.Sql {
  const lon = box.west === null ? Prisma.sql`true` : Prisma.sql`${longitude} BETWEEN ${box.west}::float8 AND ${box.east}::float8`;
  return Prisma.sql`${latitude} BETWEEN ${box.south}::float8 AND ${box.north}::float8 AND ${lon}`;
}

/** What the planner's statistics say about the text column (pg_stats), for choosing a text search's path. */
export interface SearchStats {
  /** Lexemes, quoted as querytree() prints them, that more rows contain than a relevance search probes (textBounds). */
  commonLexemes: string[];
  /** The table's row count as the planner knows it (0: unknown). */
  rows: number;
}

export const NO_STATS: SearchStats = { commonLexemes: [], rows: 0 };

/**
 * The most common lexemes of "searchVector" (ANALYZE keeps up to 10 x the statistics target of
 * them, with their share of rows) and the table's row count; empty before the first ANALYZE.
 */
export const SEARCH_STATS_SQL = `SELECT s."most_common_elems"::text::text[] AS elems, s."most_common_elem_freqs" AS freqs, cl."reltuples" AS rows
  FROM pg_stats s JOIN pg_class cl ON cl."oid" = '"Content"'::regclass
  WHERE s."schemaname" = current_schema() AND s."tablename" = 'Content' AND s."attname" = 'searchVector'`;

export function toSearchStats(row: { elems: string[] | null; freqs: number[] | null; rows: number } | undefined): SearchStats {
  if (!row?.elems || !row.freqs) return NO_STATS;
  const total = Math.max(0, Number(row.rows));
  const { rare } = textBounds(RELEVANCE_CANDIDATES, total);
  const commonLexemes = row.elems.filter((_, i) => Number(row.freqs![i]) * total >= rare).map((lexeme) => `'${lexeme.replace(/'/g, "''")}'`);
  return { commonLexemes, rows: total };
}

const STATS_REFRESH_MS = 60_000;
const statsByClient = new WeakMap<PrismaClient, { at: number; stats: SearchStats; loading: Promise<void> | null }>();

/** The text column's statistics, read at most once a minute per database (in the background once known). */
async function searchStats(prisma: PrismaClient): Promise<SearchStats> {
  let entry = statsByClient.get(prisma);
  const load = async () => {
    try {
      const rows = await prisma.$queryRawUnsafe<Array<{ elems: string[] | null; freqs: number[] | null; rows: number }>>(SEARCH_STATS_SQL);
      entry!.stats = toSearchStats(rows[0]);
    } catch {
      entry!.stats = NO_STATS;
    } finally {
      entry!.at = Date.now();
      entry!.loading = null;
    }
  };
  if (!entry) {
    entry = { at: 0, stats: NO_STATS, loading: null };
    statsByClient.set(prisma, entry);
    entry.loading = load();
    await entry.loading;
  } else if (!entry.loading && Date.now() - entry.at > STATS_REFRESH_MS) {
    entry.loading = load();
  }
  return entry.stats;
}

/**
 * The first `count` rows matching the text query and `filters` in (`sortKey` DESC, id DESC) order,
 * as (id, searchVector, popularity, sort_key, distance_km). The planner cannot tell how many rows a
 * text query matches among the ones it walks (its estimate multiplies word frequencies; a two-word
 * query that matches nothing looked like thousands of rows and walked the whole popularity index:
 * 10 s at a million rows), so the SQL decides at run time, by what it costs in rows read:
 * 1. The GIN index over (searchVector, tags) (the words, and the tags when filtered, in one scan)
 *    reads at most textBounds().rare matches (a bitmap: each heap page once). Fewer than that is
 *    every match: sorted, done. This serves rare words, several words, and a word with a tag (about
 *    500 rows at 100,000 rows, against the thousands of rows a walk in sort order reads to find 100
 *    of them).
 * 2. Otherwise the words are common: walk the sort's index over at most textBounds().walk rows, testing the
 *    text and the other filters on each (count / share of matches rows).
 * 3. If that did not find `count` matches, the GIN index's matches are read whole and sorted.
 * All three give the same rows. `indexFilters` are the conditions the sort's index holds
 * (searchable, the keyset cursor): the walk applies them in the index, and its bound counts the
 * rows it reads from the table whatever the other filters are (a tag filter applied outside the
 * bound made a word + tag search read 18,000 rows).
 */
function textMatches(
  tsQuery: Prisma.Sql,
  indexFilters: Prisma.Sql[],
  otherFilters: Prisma.Sql[],
  sortKey: Prisma.Sql,
  distance: Prisma.Sql,
  count: number,
  stats: SearchStats,
): Prisma.Sql {
  // Known common (one word, no other filter): the probe is skipped. querytree() of a one-word query
  // is its quoted lexeme, the form commonLexemes holds.
  const common =
    otherFilters.length === 0 && stats.commonLexemes.length > 0
      ? Prisma.sql`(numnode(${tsQuery}) = 1 AND querytree(${tsQuery}) = ANY(${stats.commonLexemes}::text[]))`
      : Prisma.sql`false`;
  const bounds = textBounds(count, stats.rows);
  const where = Prisma.join([...indexFilters, ...otherFilters], ' AND ');
  const tested = Prisma.join([...otherFilters, Prisma.sql`c."searchVector" @@ ${tsQuery}`], ' AND ');
  // The CASE hides the tests from the planner on the walk, so that it keeps the sort's index and
  // its LIMIT counts the rows read, not the rows that pass.
  return Prisma.sql`
    WITH common AS (
      SELECT ${common} AS yes
    ), rare AS MATERIALIZED (
      SELECT c."id", c."searchVector", c."popularity", ${sortKey} AS sort_key, ${distance} AS distance_km
      FROM "Content" c
      WHERE ${where} AND c."searchVector" @@ ${tsQuery} AND NOT (SELECT yes FROM common)
      LIMIT ${bounds.rare}
    ), few AS (
      SELECT NOT (SELECT yes FROM common) AND count(*) < ${bounds.rare} AS yes FROM rare
    ), walk AS MATERIALIZED (
      SELECT w."id", w."searchVector", w."popularity", w.sort_key, w.distance_km FROM (
        SELECT c."id", c."searchVector", c."popularity", ${sortKey} AS sort_key, ${distance} AS distance_km,
          CASE WHEN ${tested} THEN true ELSE false END AS matched
        FROM "Content" c
        WHERE ${Prisma.join(indexFilters, ' AND ')} AND NOT (SELECT yes FROM few)
        ORDER BY ${sortKey} DESC, c."id" DESC
        LIMIT ${bounds.walk}
      ) w
      WHERE w.matched
      LIMIT ${rowCount(count)}
    ), walked AS (
      SELECT count(*) >= ${rowCount(count)} AS enough FROM walk
    ), matches AS MATERIALIZED (
      SELECT c."id", c."searchVector", c."popularity", ${sortKey} AS sort_key, ${distance} AS distance_km
      FROM "Content" c
      WHERE ${where} AND c."searchVector" @@ ${tsQuery} AND NOT (SELECT yes FROM few) AND NOT (SELECT enough FROM walked)
    )
    SELECT * FROM (SELECT * FROM rare ORDER BY sort_key DESC, "id" DESC LIMIT ${rowCount(count)}) r WHERE (SELECT yes FROM few)
    UNION ALL
    SELECT * FROM walk WHERE NOT (SELECT yes FROM few) AND (SELECT enough FROM walked)
    UNION ALL
    SELECT * FROM (SELECT * FROM matches ORDER BY sort_key DESC, "id" DESC LIMIT ${rowCount(count)}) m WHERE NOT (SELECT yes FROM few) AND NOT (SELECT enough FROM walked)`;
}

/**
 * The one SQL statement a search runs: it filters, ranks and pages (keyset cursors, stable under
 * inserts), returning every column a result card needs. Exported so that the benchmark can
 * EXPLAIN exactly what the origin runs.
 */
export function buildSearchSql(query: SearchQuery, stats: SearchStats = NO_STATS): Prisma.Sql {
  const text = query.q && query.q.length > 0 ? query.q : null;
  const sort: Sort = query.sort ?? (text ? 'relevance' : 'popular');
  const effectiveSort: Sort = sort === 'relevance' && !text ? 'popular' : sort;
  const dateCursor = effectiveSort === 'newest' ? decodeDateCursor(query.cursor) : null;
  const numberCursor = effectiveSort === 'newest' ? null : decodeNumberCursor(query.cursor);

  // "searchable" = public and ready/live/ended, kept by a trigger; one equality lets the planner walk
  // the (searchable, popularity) and (searchable, publishedAt) indexes in order and stop at the limit.
  // indexFilters: what the sort's index holds (walked in order); filters: the rest.
  const indexFilters: Prisma.Sql[] = [Prisma.sql`c."searchable"`];
  const filters: Prisma.Sql[] = [];
  // A scalar subquery: evaluated once per execution (an InitPlan), whatever the plan. Written inline,
  // a generic plan (Database.query's 'generic') would call websearch_to_tsquery for every row a walk
  // reads (3.1 ms of the backend's CPU per one-word search instead of 1.4); a custom plan folds it either way.
  const tsQuery = text ? Prisma.sql`(SELECT websearch_to_tsquery('english', ${text}))` : null;
  if (query.tags && query.tags.length > 0) filters.push(Prisma.sql`c."tags" @> ${query.tags}::text[]`);
  if (query.genre) filters.push(Prisma.sql`c."genre" = ${query.genre}`);
  if (query.projection) filters.push(Prisma.sql`c."projection" = ${query.projection}`);
  if (query.kind) filters.push(Prisma.sql`c."kind" = ${query.kind}::"ContentKind"`);

  let distance: Prisma.Sql = Prisma.sql`NULL::float8`;
  // The bounding box of a radius search (null without a radius).
  let box: Box | null = null;
  if (query.near) {
    const { latitude, longitude } = query.near;
    distance = distanceSql(latitude, longitude);
    filters.push(Prisma.sql`c."latitude" IS NOT NULL AND c."longitude" IS NOT NULL`);
    if (query.radiusKm !== undefined) {
      // A bounding box that indexes can use, then the exact great-circle distance.
      const dLat = query.radiusKm / KM_PER_DEGREE;
      const cosLat = Math.cos((latitude * Math.PI) / 180);
      const dLon = cosLat > 0.01 ? query.radiusKm / (KM_PER_DEGREE * cosLat) : 360;
      const lonInside = longitude - dLon >= -180 && longitude + dLon <= 180;
      box = { south: latitude - dLat, north: latitude + dLat, west: lonInside ? longitude - dLon : null, east: lonInside ? longitude + dLon : null };
      filters.push(Prisma.sql`${distance} <= ${query.radiusKm}::float8`);
    }
  }

  const pageSize = query.limit + 1;
  let hits: Prisma.Sql;
  if (effectiveSort === 'relevance') {
    // Ranking reads every candidate's tsvector, so rank a bounded set: the RELEVANCE_CANDIDATES most
    // popular matches (the planner walks the (searchable, popularity, id) index and stops there, or
    // for a rare word takes the GIN bitmap), then order those by text rank nudged by popularity, so
    // that among equal matches the loved one wins. The cost no longer grows with the number of
    // matches, and the candidate set is the same for every page of one search (stable cursors).
    if (box) filters.push(boxSql(box, Prisma.sql`c."latitude"`, Prisma.sql`c."longitude"`));
    const cursor = numberCursor ? Prisma.sql`WHERE (r.sort_value, r."id") < (${numberCursor.value}::float8, ${numberCursor.id}::uuid)` : Prisma.empty;
    const candidates = textMatches(tsQuery!, indexFilters, filters, Prisma.sql`c."popularity"`, distance, RELEVANCE_CANDIDATES, stats);
    hits = Prisma.sql`
      SELECT r."id", r.sort_value, r.distance_km FROM (
        SELECT m."id", (ts_rank_cd(m."searchVector", ${tsQuery!}, 1)::float8 * (1 + ln(1 + m."popularity") / 10)) AS sort_value, m.distance_km
        FROM (${candidates}) m
      ) r
      ${cursor}
      ORDER BY r.sort_value DESC, r."id" DESC
      LIMIT ${rowCount(pageSize)}`;
  } else {
    // Popular and newest walk the (searchable, popularity, id) / (searchable, publishedAt, id) /
    // (searchable, genre, publishedAt, id) indexes in order (keyset cursor as an index condition)
    // and stop after one page; the (latitude, longitude) index serves small radii instead. Only the
    // page's ids leave this subquery: the wide columns are read for those rows alone.
    const sortValue = effectiveSort === 'newest' ? Prisma.sql`c."publishedAt"` : Prisma.sql`c."popularity"`;
    // Content without a publication date has no place in "newest" (viewable content always has one).
    if (effectiveSort === 'newest') indexFilters.push(Prisma.sql`c."publishedAt" IS NOT NULL`);
    if (dateCursor) indexFilters.push(Prisma.sql`(${sortValue}, c."id") < (${dateCursor.at}::timestamp, ${dateCursor.id}::uuid)`);
    if (numberCursor) indexFilters.push(Prisma.sql`(${sortValue}, c."id") < (${numberCursor.value}::float8, ${numberCursor.id}::uuid)`);
    const hitsWhere = (boxFilter: Prisma.Sql) => Prisma.sql`
      SELECT c."id", ${sortValue} AS sort_value, ${distance} AS distance_km
      FROM "Content" c
      WHERE ${Prisma.join([...indexFilters, ...filters, boxFilter], ' AND ')}
      ORDER BY ${sortValue} DESC, c."id" DESC
      LIMIT ${rowCount(pageSize)}`;
    if (tsQuery) {
      if (box) filters.push(boxSql(box, Prisma.sql`c."latitude"`, Prisma.sql`c."longitude"`));
      hits = Prisma.sql`SELECT t."id", t.sort_key AS sort_value, t.distance_km FROM (${textMatches(tsQuery, indexFilters, filters, sortValue, distance, pageSize, stats)}) t`;
    } else if (!box) {
      hits = hitsWhere(Prisma.sql`true`);
    } else {
      // Two ways to a radius page, chosen by how crowded the box is (the planner cannot tell:
      // latitude and longitude are correlated, places cluster). A box with fewer than
      // RADIUS_DENSE_BOX points is read whole through the covering (latitude, longitude, ...) index
      // and sorted; a crowded one is filtered while walking the sort's index, which reaches a page
      // after about limit / (share of rows in the box) entries, and the box test reads only index
      // columns. On that branch the box test is wrapped in a CASE: the planner cannot use it on the
      // box index nor take its (wrong, independent-columns) estimate, and so walks the sort's index.
      const inBoxByWalk = Prisma.sql`(CASE WHEN ${boxSql(box, Prisma.sql`c."latitude"`, Prisma.sql`c."longitude"`)} THEN true ELSE false END)`;
      const inBox = boxSql(box, Prisma.sql`c."latitude"`, Prisma.sql`c."longitude"`);
      hits = Prisma.sql`
        WITH crowded AS (
          SELECT count(*) >= ${RADIUS_DENSE_BOX} AS yes FROM (SELECT 1 FROM "Content" c WHERE c."searchable" AND ${inBox} LIMIT ${RADIUS_DENSE_BOX}) b
        )
        SELECT * FROM (${hitsWhere(inBox)}) sparse WHERE NOT (SELECT yes FROM crowded)
        UNION ALL
        SELECT * FROM (${hitsWhere(inBoxByWalk)}) dense WHERE (SELECT yes FROM crowded)`;
    }
  }

  return Prisma.sql`
    SELECT c."id", h.sort_value, h.distance_km,
      c."kind", c."title", c."tags", c."genre", c."projection", c."durationSeconds", c."status", c."visibility",
      c."placeName", c."latitude", c."longitude", c."publishedPath", c."posterFile", c."posterWidths", c."mediaEpoch", c."viewCount", c."likeCount",
      c."ratingCount", c."ratingSum", c."createdAt", c."publishedAt",
      u."id" AS owner_id, u."username" AS owner_username, u."displayName" AS owner_display_name, u."avatarUrl" AS owner_avatar_url
    FROM (${hits}) h JOIN "Content" c ON c."id" = h."id" JOIN "User" u ON u."id" = c."ownerId"
    ORDER BY h.sort_value DESC, h."id" DESC`;
}

/** Where a search runs: Prisma, and the driver without Prisma's client where there is one (PostgreSQL). */
export interface SearchDatabase {
  prisma: PrismaClient;
  rawQuery?: RawQuery | undefined;
}

/**
 * How PostgreSQL plans a search's statement on the driver path. A text search's SQL chooses its path
 * itself at run time (textMatches: probe, walk or all matches; the tsquery computed once), and so
 * does a radius search's (crowded box or not); a search filtered only by columns no index holds
 * (projection, kind) has one path, the sort's index. For those one generic plan per connection serves
 * every call: planning each call for its values cost about 0.3-0.5 ms of the backend's CPU, as much as
 * running it (bench/search-cpu.ts). A tag or genre filter without text or radius relies on the planner
 * seeing its values (a tag + genre, sort=newest search took 4.9 ms of CPU on a generic plan against
 * 0.6 ms on a custom one: it cannot tell a rare tag from a common one) and stays custom. Row counts in
 * these statements are literals (rowCount), so that a generic plan knows its LIMITs.
 */
export function searchPlan(query: SearchQuery): 'generic' | 'custom' {
  const text = query.q !== undefined && query.q.length > 0;
  const radius = query.near !== undefined && query.radiusKm !== undefined;
  const valuesMatter = (query.tags !== undefined && query.tags.length > 0) || (query.genre !== undefined && query.genre.length > 0);
  return text || radius || !valuesMatter ? 'generic' : 'custom';
}

/**
 * Full-text search over published public content (see buildSearchSql). On PostgreSQL the statement
 * goes straight to the driver: Prisma's client took about as much of the origin's CPU per search as
 * everything else in the request (its raw-query path serializes the arguments and converts each of
 * the page's ~600 values); the rows are the same (search-raw-query.test.ts), and so are those of a
 * generic plan (searchPlan; search-raw-query.test.ts, search-text-paths.test.ts).
 */
export async function searchContent(db: SearchDatabase, query: SearchQuery, links: MediaLinks) {
  const sql = buildSearchSql(query, await searchStats(db.prisma));
  const rows = db.rawQuery ? await db.rawQuery<SearchRow>(sql.text, sql.values, { plan: searchPlan(query) }) : await db.prisma.$queryRaw<SearchRow[]>(sql);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  // No spreads of the 28-column row or of the summary: copying them took more of the origin's CPU
  // than toSummary itself (a CPU profile under the search bench's load).
  const items = page.map((row) => {
    const withOwner = row as SearchRow & Pick<ContentSummaryRow, 'owner'>;
    withOwner.owner = { id: row.owner_id, username: row.owner_username, displayName: row.owner_display_name, avatarUrl: row.owner_avatar_url };
    const item = toSummary(withOwner, links) as ContentSummary & { distanceKm: number | null };
    item.distanceKm = row.distance_km === null ? null : Math.round(Number(row.distance_km) * 100) / 100;
    return item;
  });
  const nextCursor =
    rows.length > query.limit && last ? encodeCursor(last.sort_value instanceof Date ? last.sort_value.toISOString() : Number(last.sort_value), last.id) : null;
  return { items, nextCursor };
}

export const searchProcedure = publicProcedure
  .meta({ openapi: { method: 'GET', path: '/search', tags: ['catalog'], summary: 'Full-text search with filters, distance and cursor pagination' } })
  .input(searchInput)
  .output(searchPageSchema)
  .query(({ ctx, input }) => ctx.searchCache.get(`${ctx.baseUrl} ${JSON.stringify(input)}`, () => searchContent(ctx, input, ctx.mediaLinks)));
