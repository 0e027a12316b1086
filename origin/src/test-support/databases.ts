import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../db/database.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** The PostgreSQL server tests use: TEST_DATABASE_URL, else the one .ci/run starts. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

let available: Promise<DatabaseKind[]> | undefined;

/**
 * The databases tests run against: embedded PGlite always, and a real PostgreSQL server when one
 * answers. In CI a missing server is an error, not a skip.
 */
export function testDatabaseKinds(): Promise<DatabaseKind[]> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return ['pglite', 'postgres'] as DatabaseKind[];
    } catch (error) {
      if (process.env.CI) throw new Error(`CI needs PostgreSQL at ${TEST_SERVER_URL}: ${(error as Error).message}`, { cause: error });
      console.warn(`# PostgreSQL not reachable at ${TEST_SERVER_URL}; running database tests on PGlite only.`);
      return ['pglite'] as DatabaseKind[];
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return available;
}

/** A new, empty database on the test PostgreSQL server, for a test or for processes that open it themselves. */
export async function createServerDatabase(prefix = 'spherecast_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: TEST_SERVER_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A fresh, migrated database of the given kind; closing it drops it. */
export async function createTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') return openDatabase({ kind: 'pglite' });
  const server = await createServerDatabase();
  const database = await openDatabase({ kind: 'postgres', url: server.url });
  return {
    ...database,
    close: async () => {
      await database.close();
      await server.drop();
    },
  };
}
