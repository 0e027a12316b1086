import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client.ts';
import { applyMigrations, loadMigrations, type MigrationConnection, type MigrationResult } from './migrate.ts';

export type { PrismaClient } from './generated/client.ts';
export { Prisma } from './generated/client.ts';

export type DatabaseOptions =
  | { kind: 'postgres'; url: string }
  /** `dir` undefined keeps the database in memory (tests). */
  | { kind: 'pglite'; dir?: string };

export interface Database {
  kind: DatabaseOptions['kind'];
  prisma: PrismaClient;
  migrations: MigrationResult;
  /** The embedded database itself (PGlite only): the processing job queue runs its SQL on it (domains/processing/job-queue.ts). */
  pglite?: PGlite;
  /** The server's URL (PostgreSQL only): the real-time event bus opens its own LISTEN connection with it. */
  url?: string;
  /**
   * Runs one SQL statement straight on the driver, without Prisma's client (PostgreSQL only): for hot
   * read paths (search), where Prisma's handling of a raw query cost more CPU than the driver's own.
   * Rows as objects; `timestamp` columns as UTC Dates and Date parameters as UTC, as Prisma does.
   * Each distinct text is prepared once per connection. By default each call is planned for its own
   * values (a custom plan); with `{ plan: 'generic' }` the statement runs on connections that plan it
   * once, for any values (a generic plan): for statements whose SQL itself decides their path at run
   * time, where planning each call cost as much CPU as running it.
   */
  query?: RawQuery;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RawQueryOptions {
  /** 'custom' (default): planned for each call's values. 'generic': planned once per connection, for any values. */
  plan?: 'custom' | 'generic';
}

export type RawQuery = <Row>(text: string, values: readonly unknown[], options?: RawQueryOptions) => Promise<Row[]>;

const TIMESTAMP_OID = 1114;
/** Distinct statement texts whose names are remembered (beyond it a name is hashed again each call). */
const MAX_PREPARED_TEXTS = 1_000;
/** `timestamp without time zone` holds UTC here (Prisma writes it so); pg would read it as local time. */
const parseUtcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
const utcTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID ? parseUtcTimestamp : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

function pgRawQuery(pool: pg.Pool, genericPool: pg.Pool): RawQuery {
  // A named (prepared) statement per distinct text: each connection sends and parses it once, later
  // calls send only their values. The main pool plans every call for its own values
  // (plan_cache_mode=force_custom_plan), as an unnamed statement would be: the same plans, minus
  // parsing the text each time. The generic pool (plan_cache_mode=force_generic_plan) plans each
  // text once per connection and runs that plan for every call.
  const names = new Map<string, string>();
  return async <Row>(text: string, values: readonly unknown[], options?: RawQueryOptions) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `raw_${createHash('sha1').update(text).digest('base64url')}`;
      if (names.size < MAX_PREPARED_TEXTS) names.set(text, name);
    }
    // pg would send a Date in local time with an offset, which a ::timestamp cast drops.
    const params = values.map((value) => (value instanceof Date ? value.toISOString() : value));
    const target = options?.plan === 'generic' ? genericPool : pool;
    return (await target.query({ name, text, values: params, types: utcTypes })).rows as Row[];
  };
}

function pgliteConnection(db: PGlite): MigrationConnection {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <Row>(sql: string, params?: unknown[]) => (await db.query<Row>(sql, params)).rows,
  };
}

function pgConnection(client: pg.PoolClient): MigrationConnection {
  return {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <Row>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as Row[],
  };
}

/** Opens the database, applies pending migrations, and returns a Prisma client on it. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const migrations = await loadMigrations();
  if (options.kind === 'pglite') {
    if (options.dir) await mkdir(options.dir, { recursive: true });
    const pglite = new PGlite(options.dir);
    await pglite.waitReady;
    const result = await applyMigrations(pgliteConnection(pglite), migrations);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      kind: 'pglite',
      pglite,
      prisma,
      migrations: result,
      ping: async () => {
        await pglite.query('SELECT 1');
      },
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
      },
    };
  }
  // random_page_cost 1.1: storage is SSD, not the spinning disk the default (4) assumes. With the
  // default the planner scans the whole table for common search words instead of using the GIN index.
  // force_custom_plan: prepared statements (Database.query) are planned for each call's values, never
  // with a generic plan (as Prisma's unnamed statements are), unless they ask for the generic pool.
  const pool = new pg.Pool({ connectionString: options.url, max: 20, options: '-c random_page_cost=1.1 -c plan_cache_mode=force_custom_plan' });
  // force_generic_plan: Database.query's { plan: 'generic' } statements, planned once per connection.
  // Its connections open when such a statement first runs (search); they stay open a minute idle
  // (pg's default: 10 s), since a new one plans each statement again: about 20 ms of PostgreSQL's
  // CPU for the search bench's 12 generic statements, paid by every connection after each pause.
  const genericPool = new pg.Pool({
    connectionString: options.url,
    max: 20,
    idleTimeoutMillis: 60_000,
    options: '-c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan',
  });
  // An idle client losing its server connection must not crash the origin; the pool replaces it.
  pool.on('error', () => undefined);
  genericPool.on('error', () => undefined);
  const client = await pool.connect();
  let result: MigrationResult;
  try {
    result = await applyMigrations(pgConnection(client), migrations);
  } finally {
    client.release();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: 'postgres',
    url: options.url,
    prisma,
    migrations: result,
    query: pgRawQuery(pool, genericPool),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await genericPool.end();
      await pool.end();
    },
  };
}
