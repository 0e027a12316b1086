// PostgreSQL CPU per search statement, by query shape: how much of a backend's CPU goes to
// planning, to execution, and to sending the rows. One connection, one backend: its on-CPU time is
// read from /proc/<pid>/schedstat (nanoseconds) around N executions of each shape's statements,
// sent as the origin sends them (a named prepared statement, then one Bind/Execute per call).
// Modes, each over the same statements:
//   custom:   plan_cache_mode=force_custom_plan (what the origin's pool sets): planned every call
//   generic:  plan_cache_mode=force_generic_plan: planned once per connection
//   no rows:  custom, the statement wrapped in SELECT count(*): planning + execution, almost no output
// Run alone: BENCH_SEARCH_DB=<url of a loaded bench database> node --import tsx bench/search-cpu.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { searchInput } from '@spherecast/shared';
import { buildSearchSql, SEARCH_STATS_SQL, searchPlan, toSearchStats } from '../origin/src/domains/catalog/search.ts';

export interface ShapeCpu {
  shape: string;
  /** Share of the bench mix. */
  share: number;
  statements: number;
  customMs: number;
  genericMs: number;
  noRowsMs: number;
  /** Planning time EXPLAIN reports for the custom plan (median over the shape's statements). */
  planningMs: number;
  /** Generic plan's rows equal the custom plan's, for every statement of the shape. */
  sameRows: boolean;
  /** The plan the origin uses for the shape (searchPlan in search.ts). */
  plan: 'generic' | 'custom';
}

const TIMESTAMP_OID = 1114;
const utcTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID
      ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`)
      : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

function backendCpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

let statementSerial = 0;

async function connect(url: string, planCacheMode: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: url, options: `-c random_page_cost=1.1 -c plan_cache_mode=${planCacheMode}` });
  await client.connect();
  const pid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
  return { client, pid };
}

/** CPU ms of the backend per call over `calls` calls cycling through `statements` (each prepared and run twice first). */
async function cpuPerCall(
  url: string,
  planCacheMode: string,
  statements: Array<{ text: string; values: unknown[] }>,
  calls: number,
): Promise<{ ms: number; rows: unknown[][] }> {
  const { client, pid } = await connect(url, planCacheMode);
  try {
    const named = statements.map((s) => ({
      name: `cpu_${(statementSerial += 1)}`,
      text: s.text,
      values: s.values.map((v) => (v instanceof Date ? v.toISOString() : v)),
    }));
    const rows: unknown[][] = [];
    for (const s of named) {
      await client.query({ ...s, types: utcTypes });
      rows.push((await client.query({ ...s, types: utcTypes })).rows);
    }
    const before = backendCpuNs(pid);
    for (let i = 0; i < calls; i += 1) await client.query({ ...named[i % named.length]!, types: utcTypes });
    return { ms: (backendCpuNs(pid) - before) / 1e6 / calls, rows };
  } finally {
    await client.end();
  }
}

/** The shapes of the bench mix (search-bench.ts queryMix): a test on the API path, and its share of the mix. */
export const MIX_SHAPES: Array<{ shape: string; test: (path: string) => boolean }> = [
  { shape: 'one word, relevance', test: (p) => /^\/api\/search\?q=[^&%]+$/.test(p) },
  { shape: 'several words, relevance', test: (p) => /^\/api\/search\?q=[^&]+$/.test(p) },
  { shape: 'words, relevance, next page', test: (p) => /^\/api\/search\?q=[^&]+&cursor=/.test(p) },
  { shape: 'two words, sort=popular', test: (p) => p.includes('q=') && p.includes('sort=popular') },
  { shape: 'tag + genre, sort=newest', test: (p) => p.includes('genre=') },
  { shape: '50 km radius, sort=popular', test: (p) => p.includes('radiusKm=') },
  { shape: 'projection, sort=popular/newest', test: (p) => p.includes('projection=') },
  { shape: 'word + tag, relevance', test: (p) => p.includes('q=') && p.includes('tags=') },
  { shape: 'other', test: () => true },
];

export async function measureShapeCpu(url: string, paths: string[], callsPerShape = 300): Promise<ShapeCpu[]> {
  const statsClient = new pg.Client({ connectionString: url });
  await statsClient.connect();
  const stats = toSearchStats((await statsClient.query(SEARCH_STATS_SQL)).rows[0]);
  const out: ShapeCpu[] = [];
  const assigned = new Set<string>();
  for (const { shape, test } of MIX_SHAPES) {
    const mine = paths.filter((p) => !assigned.has(p) && test(p));
    for (const p of mine) assigned.add(p);
    if (mine.length === 0) continue;
    const distinct = [...new Set(mine)];
    const inputs = distinct.slice(0, 40).map((p) => searchInput.parse(Object.fromEntries(new URL(p, 'http://x').searchParams)));
    const statements = inputs.map((input) => {
      const sql = buildSearchSql(input, stats);
      return { text: sql.text, values: sql.values };
    });
    const custom = await cpuPerCall(url, 'force_custom_plan', statements, callsPerShape);
    const generic = await cpuPerCall(url, 'force_generic_plan', statements, callsPerShape);
    const noRows = await cpuPerCall(
      url,
      'force_custom_plan',
      statements.map((s) => ({ text: `SELECT count(*) FROM (${s.text}) x`, values: s.values })),
      callsPerShape,
    );
    const planning: number[] = [];
    for (const s of statements.slice(0, 10)) {
      const result = await statsClient.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE) ${s.text}`,
        s.values.map((v) => (v instanceof Date ? v.toISOString() : v)),
      );
      planning.push(Number(/Planning Time: ([\d.]+) ms/.exec(result.rows.map((r) => r['QUERY PLAN']).join('\n'))?.[1] ?? NaN));
    }
    planning.sort((a, b) => a - b);
    out.push({
      shape,
      share: mine.length / paths.length,
      statements: statements.length,
      customMs: custom.ms,
      genericMs: generic.ms,
      noRowsMs: noRows.ms,
      planningMs: planning[Math.floor(planning.length / 2)]!,
      sameRows: JSON.stringify(custom.rows) === JSON.stringify(generic.rows),
      plan: searchPlan(inputs[0]!),
    });
  }
  await statsClient.end();
  return out;
}

export function shapeCpuMarkdown(shapes: ShapeCpu[]): string[] {
  const asRun = (s: ShapeCpu) => (s.plan === 'generic' ? s.genericMs : s.customMs);
  const mix = (value: (s: ShapeCpu) => number) => shapes.reduce((sum, s) => sum + s.share * value(s), 0).toFixed(3);
  return [
    '| query shape (share of the mix) | custom plan ms | generic plan ms | custom, no rows out ms | EXPLAIN planning ms | origin uses | as the origin runs it ms | generic rows = custom |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | :---: |',
    ...shapes.map(
      (s) =>
        `| ${s.shape} (${(s.share * 100).toFixed(0)}%) | ${s.customMs.toFixed(3)} | ${s.genericMs.toFixed(3)} | ${s.noRowsMs.toFixed(3)} | ${s.planningMs.toFixed(3)} | ${s.plan} | ${asRun(s).toFixed(3)} | ${s.sameRows ? 'yes' : 'NO'} |`,
    ),
    `| **mix** | **${mix((s) => s.customMs)}** | **${mix((s) => s.genericMs)}** | **${mix((s) => s.noRowsMs)}** | **${mix((s) => s.planningMs)}** | | **${mix(asRun)}** | |`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.BENCH_SEARCH_DB ?? 'postgres://postgres:postgres@127.0.0.1:5432/spherecast_bench_search_100000';
  const { queryMixWithPages } = await import('./lib/search-mix.ts');
  const paths = await queryMixWithPages(url);
  console.log(shapeCpuMarkdown(await measureShapeCpu(url, paths, Number(process.env.BENCH_SEARCH_CPU_CALLS ?? 300))).join('\n'));
}
