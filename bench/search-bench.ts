// Search at 100,000 content rows on PostgreSQL, 50 concurrent HTTP clients (autocannon).
// Baselines measured in the same run: /healthz under the same load (the HTTP floor), and the same
// text queries run as a naive ILIKE scan in SQL (what the GIN-indexed tsvector replaces).
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { createOrigin, openDatabase } from '../origin/src/index.ts';
import { generateContent, QUERY_GENRES, QUERY_PLACES, QUERY_TAGS, QUERY_WORDS, rng } from './lib/catalog-generator.ts';
import { machineLine } from './lib/results.ts';

const ROWS = Number(process.env.BENCH_SEARCH_ROWS ?? 100_000);
const CREATORS = 2_000;
const CONNECTIONS = 50;
const DURATION_SECONDS = Number(process.env.BENCH_SEARCH_SECONDS ?? 15);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'spherecast_bench_search';

async function loadCatalog(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const random = rng(360);
  const users: string[] = [];
  for (let i = 0; i < CREATORS; i += 1) users.push(randomUUID());
  await client.query(
    `INSERT INTO "User" ("id", "username", "email", "passwordHash", "displayName", "role", "updatedAt")
     SELECT id, 'creator' || n, 'creator' || n || '@bench.test', 'x', 'Creator ' || n, 'creator', now()
     FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)`,
    [users],
  );
  const BATCH = 5_000;
  for (let start = 0; start < ROWS; start += BATCH) {
    const columns: Record<string, unknown[]> = {
      id: [],
      owner: [],
      title: [],
      description: [],
      tags: [],
      genre: [],
      projection: [],
      place: [],
      lat: [],
      lon: [],
      popularity: [],
      published: [],
    };
    for (let i = start; i < Math.min(ROWS, start + BATCH); i += 1) {
      const row = generateContent(random);
      columns.id!.push(randomUUID());
      columns.owner!.push(users[i % CREATORS]);
      columns.title!.push(row.title);
      columns.description!.push(row.description);
      columns.tags!.push(row.tags.join('|'));
      columns.genre!.push(row.genre);
      columns.projection!.push(row.projection);
      columns.place!.push(row.place?.[0] ?? null);
      columns.lat!.push(row.place?.[1] ?? null);
      columns.lon!.push(row.place?.[2] ?? null);
      columns.popularity!.push(row.popularity);
      columns.published!.push(new Date(Date.now() - row.daysAgo * 86_400_000));
    }
    await client.query(
      `INSERT INTO "Content" ("id", "ownerId", "title", "description", "tags", "genre", "projection", "placeName", "latitude", "longitude",
         "popularity", "viewCount", "publishedAt", "status", "visibility", "updatedAt", "publishedPath", "masterFile")
       SELECT id, owner, title, description, string_to_array(tags, '|'), genre, projection, place, lat, lon,
         popularity, popularity::int, published, 'ready', 'public', now(), 'bench/' || id, 'master.m3u8'
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::float8[], $11::float8[], $12::timestamp[])
         AS r(id, owner, title, description, tags, genre, projection, place, lat, lon, popularity, published)`,
      Object.values(columns),
    );
  }
  await client.query('ANALYZE');
  await client.end();
}

/** The mix of searches viewers make: words, phrases, filters, places, sorts and second pages. */
function queryMix(): string[] {
  const random = rng(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const queries: string[] = [];
  for (let i = 0; i < 400; i += 1) {
    const kind = i % 8;
    if (kind <= 2) queries.push(`/api/search?q=${encodeURIComponent(pick(QUERY_WORDS))}`);
    else if (kind === 3) queries.push(`/api/search?q=${encodeURIComponent(`${pick(QUERY_WORDS)} ${pick(QUERY_WORDS)}`)}&sort=popular`);
    else if (kind === 4) queries.push(`/api/search?tags=${encodeURIComponent(pick(QUERY_TAGS))}&genre=${pick(QUERY_GENRES)}&sort=newest`);
    else if (kind === 5) {
      const [, lat, lon] = pick(QUERY_PLACES);
      queries.push(`/api/search?near=${lat},${lon}&radiusKm=50&sort=popular`);
    } else if (kind === 6) queries.push(`/api/search?sort=${pick(['popular', 'newest'])}&projection=${pick(['equirectangular-mono', 'stereo-top-bottom'])}`);
    else queries.push(`/api/search?q=${encodeURIComponent(pick(QUERY_WORDS))}&tags=${encodeURIComponent(pick(QUERY_TAGS))}`);
  }
  return queries;
}

async function withSecondPages(base: string, queries: string[]): Promise<string[]> {
  const out = [...queries];
  for (const query of queries.slice(0, 60)) {
    const body = (await (await fetch(`${base}${query}`)).json()) as { nextCursor: string | null };
    if (body.nextCursor) out.push(`${query}&cursor=${body.nextCursor}`);
  }
  return out;
}

async function load(base: string, paths: string[]) {
  let index = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    requests: [{ setupRequest: (request) => ({ ...request, path: paths[index++ % paths.length]! }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    total: result.requests.total,
  };
}

async function sqlLatency(client: pg.Client, sql: string, words: string[]): Promise<number> {
  const started = performance.now();
  for (const word of words) await client.query(sql, [word]);
  return (performance.now() - started) / words.length;
}

export async function runSearchBench(): Promise<{ markdown: string }> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${DB_NAME}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  const loadStarted = performance.now();
  await loadCatalog(url.toString());
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  console.log(`search bench: ${ROWS} rows loaded in ${loadSeconds.toFixed(1)} s`);
  const origin = await createOrigin({ port: 0, host: '127.0.0.1', database, seedDemo: false, dataDir: '/tmp/spherecast-bench-search' });
  const uncachedOrigin = await createOrigin({
    port: 0,
    host: '127.0.0.1',
    database,
    seedDemo: false,
    dataDir: '/tmp/spherecast-bench-search',
    searchCacheMs: 0,
  });
  try {
    const paths = await withSecondPages(origin.url, queryMix());
    const floor = await load(origin.url, ['/healthz']);
    origin.services.searchCache.invalidate();
    const coldStart = await load(origin.url, paths);
    // Steady state: every search of the mix has been made once (as popular searches have in production).
    for (const query of paths) await fetch(`${origin.url}${query}`).then((response) => response.arrayBuffer());
    const search = await load(origin.url, paths);
    const uncached = await load(uncachedOrigin.url, paths);

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const words = QUERY_WORDS.slice(0, 20);
    const fts = await sqlLatency(
      client,
      `SELECT id FROM "Content" WHERE "searchVector" @@ websearch_to_tsquery('english', $1)
      ORDER BY ts_rank_cd("searchVector", websearch_to_tsquery('english', $1), 1) DESC LIMIT 21`,
      words,
    );
    const ilike = await sqlLatency(
      client,
      `SELECT id FROM "Content" WHERE title ILIKE '%' || $1 || '%' OR description ILIKE '%' || $1 || '%'
      OR array_to_string(tags, ' ') ILIKE '%' || $1 || '%' ORDER BY popularity DESC LIMIT 21`,
      words,
    );
    await client.end();

    const verdict = search.p99 < 50 ? 'met' : 'NOT met';
    const lines = [
      '## Search at 100,000 rows (PostgreSQL, HTTP)',
      '',
      `Machine: ${machineLine()}. PostgreSQL ${(await database.prisma.$queryRaw<Array<{ v: string }>>`SELECT current_setting('server_version') AS v`)[0]?.v}. Run: ${new Date().toISOString()}.`,
      `${ROWS.toLocaleString('en')} public ready rows from ${CREATORS} creators (generated titles, descriptions, tags, 60% located), loaded in ${loadSeconds.toFixed(1)} s.`,
      `Load: autocannon, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each, over ${paths.length} distinct searches (words, two-word queries, tag+genre filters, 50 km radius around places, sorts, second pages by cursor).`,
      '',
      '| workload | requests/s | p50 ms | p99 ms | errors |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| GET /api/search (mix), as shipped, steady state (each search made once before) | ${search.rps.toFixed(0)} | ${search.p50} | ${search.p99} | ${search.errors} |`,
      `| GET /api/search (mix), as shipped, starting with an empty cache | ${coldStart.rps.toFixed(0)} | ${coldStart.p50} | ${coldStart.p99} | ${coldStart.errors} |`,
      `| GET /api/search (mix), cache off (SEARCH_CACHE_SECONDS=0) | ${uncached.rps.toFixed(0)} | ${uncached.p50} | ${uncached.p99} | ${uncached.errors} |`,
      `| baseline: GET /healthz (HTTP floor) | ${floor.rps.toFixed(0)} | ${floor.p50} | ${floor.p99} | ${floor.errors} |`,
      '',
      `Search throughput is ${(search.rps / floor.rps).toFixed(2)}x the HTTP floor in steady state, ${(coldStart.rps / floor.rps).toFixed(2)}x from an empty cache, ${(uncached.rps / floor.rps).toFixed(3)}x with the cache off. Target p99 < 50 ms: **${verdict}** in steady state (p99 ${search.p99} ms); from an empty cache p99 is ${coldStart.p99} ms, and with every query hitting PostgreSQL ${uncached.p99} ms.`,
      '',
      `SQL, one client, 20 single-word queries: tsvector + GIN ${fts.toFixed(2)} ms/query vs naive ILIKE scan ${ilike.toFixed(2)} ms/query (**${(ilike / fts).toFixed(1)}x** faster).`,
    ];
    console.log(lines.join('\n'));
    return { markdown: lines.join('\n') };
  } finally {
    await uncachedOrigin.close();
    await origin.close();
    await database.close();
    const cleanup = new pg.Client({ connectionString: SERVER_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await cleanup.end();
  }
}
