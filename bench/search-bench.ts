// Search at 100,000 (BENCH_SEARCH_ROWS=100000,1000000: and more) content rows on PostgreSQL, 50 concurrent HTTP clients (autocannon).
// Baselines measured in the same run: /healthz under the same load (the HTTP floor), and the same
// text queries run as a naive ILIKE scan in SQL (what the GIN-indexed tsvector replaces).
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { searchInput } from '@spherecast/shared';
import { createOrigin, openDatabase } from '../origin/src/index.ts';
import { buildSearchSql, SEARCH_STATS_SQL, searchPlan, toSearchStats } from '../origin/src/domains/catalog/search.ts';
import { generateContent, QUERY_WORDS, rng } from './lib/catalog-generator.ts';
import { machineLine } from './lib/results.ts';
import { measureShapeCpu, shapeCpuMarkdown, type ShapeCpu } from './search-cpu.ts';
import { queryMix } from './lib/search-mix.ts';

const SIZES = (process.env.BENCH_SEARCH_ROWS ?? '100000').split(',').map((size) => Number(size.replace(/_/g, '')));
const CREATORS = 2_000;
const CONNECTIONS = 50;
/** Seconds per load; the floor and both searches are each loaded ROUNDS times, in turns. */
const DURATION_SECONDS = Number(process.env.BENCH_SEARCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_SEARCH_ROUNDS ?? 3);
/** Keep the loaded database for the next run (same size: no reload). For work on the queries. */
const KEEP = process.env.BENCH_SEARCH_KEEP === '1';
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const PLANS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'search-plans.md');

for (const size of SIZES) {
  if (!Number.isInteger(size) || size < 1_000 || size > 10_000_000) {
    throw new Error(`BENCH_SEARCH_ROWS: "${process.env.BENCH_SEARCH_ROWS}" is not a list of row counts between 1,000 and 10,000,000 (e.g. 100000,1000000)`);
  }
}

/**
 * Loads `rows` generated rows (deterministic: the first 100,000 of a 1,000,000-row catalog are the
 * 100,000-row catalog). Rows go in 5,000 at a time through unnest(), which keeps the GIN indexes'
 * pending lists busy but needs no COPY client; then VACUUM ANALYZE, so the visibility map lets
 * index-only scans skip the heap as they would on a settled production table.
 */
export async function loadCatalog(url: string, rows: number) {
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
  const now = Date.now();
  for (let start = 0; start < rows; start += BATCH) {
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
    for (let i = start; i < Math.min(rows, start + BATCH); i += 1) {
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
      columns.published!.push(new Date(now - row.daysAgo * 86_400_000));
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
    if (rows >= 500_000 && (start / BATCH) % 20 === 19) console.log(`search bench: ${(start + BATCH).toLocaleString('en')} rows`);
  }
  await client.query('VACUUM ANALYZE');
  await client.end();
}

async function withSecondPages(base: string, queries: string[]): Promise<string[]> {
  const out = [...queries];
  for (const query of queries.slice(0, 60)) {
    // identity: autocannon sends no Accept-Encoding either.
    const body = (await (await fetch(`${base}${query}`, { headers: { 'accept-encoding': 'identity' } })).json()) as { nextCursor: string | null };
    if (body.nextCursor) out.push(`${query}&cursor=${body.nextCursor}`);
  }
  return out;
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

/** Rounds of one workload together: requests/s over all of them, latency percentiles of the median round. */
function combine(rounds: Measured[]): Measured {
  const byRps = [...rounds].sort((a, b) => a.rps - b.rps);
  const middle = byRps[Math.floor(byRps.length / 2)]!;
  return {
    rps: rounds.reduce((sum, m) => sum + m.rps, 0) / rounds.length,
    p50: [...rounds].sort((a, b) => a.p50 - b.p50)[Math.floor(rounds.length / 2)]!.p50,
    p99: [...rounds].sort((a, b) => a.p99 - b.p99)[Math.floor(rounds.length / 2)]!.p99,
    errors: rounds.reduce((sum, m) => sum + m.errors, 0),
    total: middle.total,
  };
}

async function load(base: string, paths: string[]): Promise<Measured> {
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

/**
 * CPU milliseconds per PostgreSQL backend of database `dbName` (its process title names the database),
 * by process id; empty where /proc cannot be read. Other databases' backends (other work on a shared
 * machine) are left out, and cpuSince() counts backends that came or went during a load correctly.
 */
function postgresCpuMs(dbName: string): Map<string, number> {
  const ticks = new Map<string, number>();
  try {
    for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      try {
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!title.startsWith('postgres') || !title.includes(` ${dbName} `)) continue;
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks.set(pid, (Number(fields[11]) + Number(fields[12])) * 10); // USER_HZ = 100 on Linux
      } catch {
        // The process ended while being read.
      }
    }
  } catch {
    // No /proc.
  }
  return ticks;
}

/** CPU milliseconds the backends spent between two postgresCpuMs() readings (NaN without /proc). */
function cpuSince(before: Map<string, number>, after: Map<string, number>): number {
  if (after.size === 0) return NaN;
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

async function sqlLatency(client: pg.Client, sql: string, words: string[]): Promise<number> {
  const started = performance.now();
  for (const word of words) await client.query(sql, [word]);
  return (performance.now() - started) / words.length;
}

/** One search of each shape in the mix (first page, and a second page by cursor), for EXPLAIN. */
function queryShapes(paths: string[]): Array<{ shape: string; path: string }> {
  const shapes = [
    { shape: 'one word, relevance', test: (p: string) => /^\/api\/search\?q=[^&%]+$/.test(p) },
    { shape: 'two words, sort=popular', test: (p: string) => p.includes('%20') && p.includes('sort=popular') && !p.includes('cursor=') },
    { shape: 'tag + genre, sort=newest', test: (p: string) => p.includes('genre=') && !p.includes('cursor=') },
    { shape: '50 km radius, sort=popular', test: (p: string) => p.includes('radiusKm=') && !p.includes('cursor=') },
    { shape: 'projection, sort=popular', test: (p: string) => p.includes('projection=') && p.includes('sort=popular') && !p.includes('cursor=') },
    { shape: 'projection, sort=newest', test: (p: string) => p.includes('projection=') && p.includes('sort=newest') && !p.includes('cursor=') },
    { shape: 'word + tag, relevance', test: (p: string) => p.includes('q=') && p.includes('tags=') && !p.includes('cursor=') },
    { shape: 'one word, relevance, second page', test: (p: string) => /^\/api\/search\?q=[^&%]+&cursor=/.test(p) },
    { shape: 'tag + genre, sort=newest, second page', test: (p: string) => p.includes('genre=') && p.includes('cursor=') },
    { shape: '50 km radius, sort=popular, second page', test: (p: string) => p.includes('radiusKm=') && p.includes('cursor=') },
  ];
  return shapes.flatMap(({ shape, test }) => {
    const found = paths.find(test);
    return found ? [{ shape, path: found }] : [];
  });
}

let explainSerial = 0;

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the exact statement the origin runs for `apiPath`, on the plan it
 * runs: planned for the call's values, or the generic plan of a prepared statement (searchPlan).
 */
async function explain(client: pg.Client, apiPath: string): Promise<{ plan: string; ms: number; generic: boolean }> {
  const params = Object.fromEntries(new URL(apiPath, 'http://x').searchParams);
  // The statistics the origin reads for choosing a text search's path (searchStats in search.ts).
  const stats = toSearchStats((await client.query(SEARCH_STATS_SQL)).rows[0]);
  const input = searchInput.parse(params);
  const sql = buildSearchSql(input, stats);
  const generic = searchPlan(input) === 'generic';
  let result: pg.QueryResult<{ 'QUERY PLAN': string }>;
  if (generic) {
    // EXPLAIN EXECUTE takes no protocol parameters: the values go in as literals.
    const literal = (value: unknown): string =>
      value === null
        ? 'NULL'
        : value instanceof Date
          ? client.escapeLiteral(value.toISOString())
          : Array.isArray(value)
            ? client.escapeLiteral(`{${value.map((item) => `"${String(item).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`)
            : typeof value === 'number'
              ? String(value)
              : client.escapeLiteral(typeof value === 'string' ? value : JSON.stringify(value));
    const name = `explain_${(explainSerial += 1)}`;
    await client.query(`PREPARE ${name} AS ${sql.text}`);
    await client.query('SET plan_cache_mode = force_generic_plan');
    try {
      result = await client.query(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE ${name}(${sql.values.map(literal).join(', ')})`);
    } finally {
      await client.query('RESET plan_cache_mode');
      await client.query(`DEALLOCATE ${name}`);
    }
  } else {
    result = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, sql.values);
  }
  const plan = result.rows.map((row) => row['QUERY PLAN']).join('\n');
  const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
  return { plan, ms, generic };
}

interface SizeResult {
  rows: number;
  loadSeconds: number;
  paths: number;
  floor: Measured;
  search: Measured;
  coldStart: Measured;
  uncached: Measured;
  /** Cache off, the statement through Prisma's client (as before the driver path). */
  viaPrisma: Measured;
  /** Median over the rounds of cache-off / floor within each round. */
  roundRatios: { rps: number; p99: number };
  /** The same for viaPrisma's throughput. */
  prismaRatio: number;
  /** CPU per cache-off request over the rounds: PostgreSQL's processes, and this process (origin + load generator). */
  uncachedCpu: { postgresMs: number; benchMs: number; floorBenchMs: number; prismaPostgresMs: number; prismaBenchMs: number };
  fts: number;
  ilike: number;
  plans: Array<{ shape: string; path: string; plan: string; ms: number; generic: boolean }>;
  /** One backend's CPU per statement by shape: custom vs generic plans, with and without sending the rows. */
  shapeCpu: ShapeCpu[];
  version: string;
}

async function prepareDatabase(rows: number): Promise<{ url: string; loadSeconds: number }> {
  const dbName = `spherecast_bench_search_${rows}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rows.length > 0;
  const url = new URL(SERVER_URL);
  url.pathname = `/${dbName}`;
  if (exists && KEEP) {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const count = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM "Content"').catch(() => ({ rows: [{ n: '0' }] }))).rows[0]?.n);
    await client.end();
    if (count === rows) {
      await admin.end();
      // Pending migrations (new indexes) are applied by openDatabase.
      return { url: url.toString(), loadSeconds: NaN };
    }
  }
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  await database.close();
  const loadStarted = performance.now();
  await loadCatalog(url.toString(), rows);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  console.log(`search bench: ${rows.toLocaleString('en')} rows loaded in ${loadSeconds.toFixed(1)} s`);
  return { url: url.toString(), loadSeconds };
}

async function benchSize(rows: number): Promise<SizeResult> {
  const { url, loadSeconds } = await prepareDatabase(rows);
  const dbName = new URL(url).pathname.slice(1);
  const database = await openDatabase({ kind: 'postgres', url });
  await database.prisma.$executeRawUnsafe('ANALYZE "Content"');
  const origin = await createOrigin({ port: 0, host: '127.0.0.1', database, seedDemo: false, dataDir: '/tmp/spherecast-bench-search' });
  const uncachedOrigin = await createOrigin({
    port: 0,
    host: '127.0.0.1',
    database,
    seedDemo: false,
    dataDir: '/tmp/spherecast-bench-search',
    searchCacheMs: 0,
  });
  // The same, with the statement through Prisma's client as before the driver path (Database.query).
  const { query: _driverPath, ...withoutDriverPath } = database;
  const prismaOrigin = await createOrigin({
    port: 0,
    host: '127.0.0.1',
    database: withoutDriverPath,
    seedDemo: false,
    dataDir: '/tmp/spherecast-bench-search',
    searchCacheMs: 0,
  });
  try {
    const paths = await withSecondPages(origin.url, queryMix());
    origin.services.searchCache.invalidate();
    const coldStart = await load(origin.url, paths);
    // Steady state: every search of the mix has been made once (as popular searches have in production).
    for (const query of paths) await fetch(`${origin.url}${query}`).then((response) => response.arrayBuffer());
    // The floor, the cached and the uncached search take turns, ROUNDS times: on a shared machine the
    // load changes from minute to minute, and each ratio is taken within one round.
    const rounds: Array<{ floor: Measured; search: Measured; uncached: Measured; viaPrisma: Measured }> = [];
    const cpuTotals = { postgresMs: 0, benchMs: 0, requests: 0, floorBenchMs: 0, floorRequests: 0 };
    const prismaCpu = { postgresMs: 0, benchMs: 0, requests: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      const floorCpuBefore = process.cpuUsage();
      const floor = await load(origin.url, ['/healthz']);
      const floorCpu = process.cpuUsage(floorCpuBefore);
      cpuTotals.floorBenchMs += (floorCpu.user + floorCpu.system) / 1000;
      cpuTotals.floorRequests += floor.total;
      const search = await load(origin.url, paths);
      const [pgBefore, cpuBefore] = [postgresCpuMs(dbName), process.cpuUsage()];
      const uncached = await load(uncachedOrigin.url, paths);
      const cpu = process.cpuUsage(cpuBefore);
      cpuTotals.postgresMs += cpuSince(pgBefore, postgresCpuMs(dbName));
      cpuTotals.benchMs += (cpu.user + cpu.system) / 1000;
      cpuTotals.requests += uncached.total;
      const [pgBeforePrisma, cpuBeforePrisma] = [postgresCpuMs(dbName), process.cpuUsage()];
      const viaPrisma = await load(prismaOrigin.url, paths);
      const cpuPrisma = process.cpuUsage(cpuBeforePrisma);
      prismaCpu.postgresMs += cpuSince(pgBeforePrisma, postgresCpuMs(dbName));
      prismaCpu.benchMs += (cpuPrisma.user + cpuPrisma.system) / 1000;
      prismaCpu.requests += viaPrisma.total;
      rounds.push({ floor, search, uncached, viaPrisma });
      console.log(
        `search bench: ${rows} rows, round ${round + 1}: floor ${floor.rps.toFixed(0)}/s p99 ${floor.p99}, cached ${search.rps.toFixed(0)}/s p99 ${search.p99}, cache off ${uncached.rps.toFixed(0)}/s p99 ${uncached.p99}, cache off through Prisma ${viaPrisma.rps.toFixed(0)}/s p99 ${viaPrisma.p99}`,
      );
    }
    const pick = (key: 'floor' | 'search' | 'uncached' | 'viaPrisma') => combine(rounds.map((round) => round[key]));
    const [floor, search, uncached, viaPrisma] = [pick('floor'), pick('search'), pick('uncached'), pick('viaPrisma')];
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const roundRatios = {
      rps: median(rounds.map((round) => round.uncached.rps / round.floor.rps)),
      p99: median(rounds.map((round) => round.uncached.p99 / Math.max(1, round.floor.p99))),
    };

    const client = new pg.Client({ connectionString: url, options: '-c random_page_cost=1.1' });
    await client.connect();
    const plans: SizeResult['plans'] = [];
    for (const { shape, path: apiPath } of queryShapes(paths)) {
      await explain(client, apiPath); // warm
      plans.push({ shape, path: apiPath, ...(await explain(client, apiPath)) });
    }
    const shapeCpu = await measureShapeCpu(url, paths);
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
    const version = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? '?';
    await client.end();
    const uncachedCpu = {
      postgresMs: cpuTotals.postgresMs / cpuTotals.requests,
      benchMs: cpuTotals.benchMs / cpuTotals.requests,
      floorBenchMs: cpuTotals.floorBenchMs / cpuTotals.floorRequests,
      prismaPostgresMs: prismaCpu.postgresMs / prismaCpu.requests,
      prismaBenchMs: prismaCpu.benchMs / prismaCpu.requests,
    };
    const prismaRatio = median(rounds.map((round) => round.viaPrisma.rps / round.floor.rps));
    return {
      rows,
      loadSeconds,
      paths: paths.length,
      floor,
      search,
      coldStart,
      uncached,
      viaPrisma,
      roundRatios,
      prismaRatio,
      uncachedCpu,
      fts,
      ilike,
      plans,
      shapeCpu,
      version,
    };
  } finally {
    await prismaOrigin.close();
    await uncachedOrigin.close();
    await origin.close();
    await database.close();
    if (!KEEP) {
      const cleanup = new pg.Client({ connectionString: SERVER_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS spherecast_bench_search_${rows} WITH (FORCE)`);
      await cleanup.end();
    }
  }
}

const ratio = (value: number, base: number, digits = 2) => `${(value / base).toFixed(digits)}x`;

export async function runSearchBench(): Promise<{ markdown: string }> {
  const results: SizeResult[] = [];
  for (const rows of SIZES) results.push(await benchSize(rows));
  const lines: string[] = [`## Search at ${SIZES.map((rows) => rows.toLocaleString('en')).join(' and ')} rows (PostgreSQL, HTTP)`, ''];
  lines.push(
    `Machine: ${machineLine()}. PostgreSQL ${results[0]?.version}. Run: ${new Date().toISOString()}.`,
    `Public ready rows from ${CREATORS} creators (generated titles, descriptions, tags, 60% located). Load: autocannon, ${CONNECTIONS} connections, ${DURATION_SECONDS} s per load; the floor, the cached search and the uncached search take turns ${ROUNDS} times (requests/s: mean of the rounds; p50/p99: median round), over the same mix of distinct searches (words, two-word queries, tag+genre filters, 50 km radius around places, sorts, second pages by cursor). The origin's search cache is on (as shipped) or off (SEARCH_CACHE_SECONDS=0: every request reaches PostgreSQL). Ratios are against GET /healthz measured in the same run. On PostgreSQL the origin sends the search statement straight to the pg driver (Database.query: prepared once per connection; text, radius and unfiltered searches on a generic plan made once per connection, tag and genre filters planned for each call's values: searchPlan in search.ts); the row through Prisma's client is the same origin with the statement sent as before, loaded in the same rounds.`,
    '',
  );
  for (const r of results) {
    const targetRps = r.roundRatios.rps >= 0.1;
    const targetP99 = r.roundRatios.p99 <= 20;
    lines.push(
      `### ${r.rows.toLocaleString('en')} rows${Number.isNaN(r.loadSeconds) ? ' (database kept from an earlier run)' : `, loaded in ${r.loadSeconds.toFixed(1)} s`}; ${r.paths} distinct searches`,
      '',
      '| workload | requests/s | x floor | p50 ms | p99 ms | p99 x floor | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...(
        [
          ['GET /api/search (mix), as shipped, steady state (each search made once before)', r.search],
          ['GET /api/search (mix), as shipped, starting with an empty cache', r.coldStart],
          ['GET /api/search (mix), cache off (SEARCH_CACHE_SECONDS=0)', r.uncached],
          ["GET /api/search (mix), cache off, the statement through Prisma's client (before the driver path)", r.viaPrisma],
          ['baseline: GET /healthz (HTTP floor)', r.floor],
        ] as const
      ).map(
        ([name, m]) =>
          `| ${name} | ${m.rps.toFixed(0)} | ${ratio(m.rps, r.floor.rps, 3)} | ${m.p50} | ${m.p99} | ${ratio(m.p99, Math.max(1, r.floor.p99), 1)} | ${m.errors} |`,
      ),
      '',
      `Cache off, median over the rounds of the ratio within each round: ${r.roundRatios.rps.toFixed(3)}x the floor's throughput (target ≥ 0.1x: **${targetRps ? 'met' : 'NOT met'}**), p99 ${r.roundRatios.p99.toFixed(1)}x the floor's p99 (target ≤ 20x: **${targetP99 ? 'met' : 'NOT met'}**). Steady state with the cache: ${ratio(r.search.rps, r.floor.rps)} the floor, p99 ${r.search.p99} ms (target p99 < 50 ms: **${r.search.p99 < 50 ? 'met' : 'NOT met'}**).`,
      '',
      `CPU per cache-off request (over the rounds; less sensitive to the machine's other load than requests/s): PostgreSQL (the bench database's backends) ${r.uncachedCpu.postgresMs.toFixed(2)} ms, the bench process (origin and load generator) ${r.uncachedCpu.benchMs.toFixed(2)} ms (${r.uncachedCpu.floorBenchMs.toFixed(3)} ms per /healthz request of the floor). Through Prisma's client: PostgreSQL ${r.uncachedCpu.prismaPostgresMs.toFixed(2)} ms, the bench process ${r.uncachedCpu.prismaBenchMs.toFixed(2)} ms; ${r.prismaRatio.toFixed(3)}x the floor's throughput (median of the rounds).`,
      '',
      `SQL, one client, 20 single-word queries: tsvector + GIN ranking every match ${r.fts.toFixed(2)} ms/query vs naive ILIKE scan ${r.ilike.toFixed(2)} ms/query.`,
      '',
      "PostgreSQL CPU per statement by query shape (bench/search-cpu.ts): one connection runs each shape's statements of the mix (the origin's SQL, prepared once) 300 times, and its backend's on-CPU time (/proc/<pid>/schedstat) is divided by the calls. Custom: planned for each call's values; generic: planned once per connection; no rows out: custom, wrapped in SELECT count(*) (planning and execution without sending the page). The origin's plan per shape is searchPlan in search.ts.",
      '',
      ...shapeCpuMarkdown(r.shapeCpu),
      '',
      '| query shape (EXPLAIN ANALYZE of the statement the origin runs, on its plan) | plan | execution ms |',
      '| --- | --- | ---: |',
      ...r.plans.map((p) => `| ${p.shape} | ${p.generic ? 'generic' : 'custom'} | ${p.ms.toFixed(2)} |`),
      '',
    );
  }
  if (results.length > 1) {
    const [small, large] = [results[0]!, results.at(-1)!];
    lines.push(
      `### Growth from ${small.rows.toLocaleString('en')} to ${large.rows.toLocaleString('en')} rows, cache off`,
      '',
      '| | ' + results.map((r) => r.rows.toLocaleString('en')).join(' | ') + ` | growth ${large.rows / small.rows}x rows |`,
      '| --- | ' + results.map(() => '---: | ').join('') + '---: |',
      `| requests/s | ${results.map((r) => r.uncached.rps.toFixed(0)).join(' | ')} | ${ratio(large.uncached.rps, small.uncached.rps)} |`,
      `| p50 ms | ${results.map((r) => r.uncached.p50).join(' | ')} | ${ratio(large.uncached.p50, Math.max(1, small.uncached.p50))} |`,
      `| p99 ms | ${results.map((r) => r.uncached.p99).join(' | ')} | ${ratio(large.uncached.p99, Math.max(1, small.uncached.p99))} |`,
      `| throughput x same-run floor | ${results.map((r) => ratio(r.uncached.rps, r.floor.rps, 3)).join(' | ')} | |`,
      ...small.plans.map((p, i) => {
        const at = results.map((r) => r.plans[i]?.ms.toFixed(2) ?? '-');
        return `| EXPLAIN ms: ${p.shape} | ${at.join(' | ')} | ${ratio(results.at(-1)!.plans[i]?.ms ?? NaN, p.ms)} |`;
      }),
      '',
    );
  }
  lines.push(`The plans (EXPLAIN (ANALYZE, BUFFERS)) of every query shape are in [search-plans.md](search-plans.md).`);
  const plans = [
    '# Search query plans',
    '',
    `Written by \`npm run bench -- search\` (bench/search-bench.ts): EXPLAIN (ANALYZE, BUFFERS) of the exact statement the origin runs (buildSearchSql in origin/src/domains/catalog/search.ts) for one search of each shape in the bench mix, second run (warm cache). Machine: ${machineLine()}. Run: ${new Date().toISOString()}.`,
    '',
    'The plans before the text search chose its path by rows read (probe of the GIN indexes, walk bounded by the rows it reads, pg_stats for common words) are kept in [search-plans-before.md](search-plans-before.md).',
    '',
    "The origin prepares each statement once per connection. Text, radius and unfiltered searches run on a generic plan (planned once per connection, plan_cache_mode=force_generic_plan: their SQL chooses its path at run time), tag and genre filters without text or radius on a plan made for each call's values (force_custom_plan: tag + genre, sort=newest took about 8x the CPU on a generic plan); searchPlan in origin/src/domains/catalog/search.ts, the two pools in origin/src/db/database.ts. Each plan below is the one the origin runs (generic ones through PREPARE and EXPLAIN EXECUTE).",
    '',
    ...results.flatMap((r) =>
      r.plans.flatMap((p) => [`## ${r.rows.toLocaleString('en')} rows: ${p.shape}`, '', `\`GET ${p.path}\``, '', '```', p.plan, '```', '']),
    ),
  ];
  await writeFile(PLANS_FILE, plans.join('\n'));
  console.log(lines.join('\n'));
  return { markdown: lines.join('\n') };
}
