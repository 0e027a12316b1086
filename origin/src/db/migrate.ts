import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the SQL migrations live, in Prisma's folder format: `<name>/migration.sql`. */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

/**
 * The little a migration needs from a database driver. Both `pg` and PGlite provide it:
 * `exec` runs a multi-statement script, `query` a single parameterised statement.
 */
export interface MigrationConnection {
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/** Kept outside the `public` schema so it never shows up as drift against schema.prisma. */
const LEDGER = 'spherecast_meta.migrations';
/** Any constant: serialises concurrent origins starting against one database. */
const ADVISORY_LOCK_KEY = 720_360;

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Applies pending migrations, each in its own transaction together with its ledger row, so a
 * failing migration leaves the database exactly as it was before it.
 */
export async function applyMigrations(conn: MigrationConnection, migrations: Migration[]): Promise<MigrationResult> {
  await conn.exec(`
    CREATE SCHEMA IF NOT EXISTS spherecast_meta;
    CREATE TABLE IF NOT EXISTS ${LEDGER} (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    );`);
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const migration of migrations) {
    await conn.exec('BEGIN');
    try {
      await conn.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
      const rows = await conn.query<{ checksum: string }>(`SELECT checksum FROM ${LEDGER} WHERE name = $1`, [migration.name]);
      const existing = rows[0];
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was changed after it was applied to this database. ` +
              'Never edit an applied migration: restore its original SQL and add a new migration instead.',
          );
        }
        alreadyApplied += 1;
        await conn.exec('COMMIT');
        continue;
      }
      await conn.exec(migration.sql);
      await conn.query(`INSERT INTO ${LEDGER} (name, checksum) VALUES ($1, $2)`, [migration.name, migration.checksum]);
      await conn.exec('COMMIT');
      applied.push(migration.name);
    } catch (error) {
      await conn.exec('ROLLBACK').catch(() => undefined);
      if (error instanceof MigrationError) throw error;
      throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return { applied, alreadyApplied };
}
