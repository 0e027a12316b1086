import { defineConfig } from 'prisma/config';

// Only `prisma generate` uses this file: the origin applies migrations itself at start-up.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
