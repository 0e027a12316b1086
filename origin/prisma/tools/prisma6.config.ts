// Configuration for prisma@6.19 (installed as `prisma6`), used only to WRITE migration SQL and to
// compare a migrated database with schema.prisma. It runs fully offline: the JS schema engine talks
// to an embedded PGlite database through the driver adapter. See origin/scripts/migration-tool.ts.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { defineConfig } from 'prisma6/config';

const dataDir = process.env.SPHERECAST_MIGRATION_PGLITE_DIR;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(import.meta.dirname, '..', 'schema.prisma'),
  adapter: () => Promise.resolve(new PrismaPGlite(new PGlite(dataDir))),
});
