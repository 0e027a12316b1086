// Generates the Prisma client for the origin after `npm install`.
// `prisma generate` would try to download a schema engine it does not need for generation;
// pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file stops that (no network here or in CI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const originDir = path.join(root, 'origin');
const prismaCli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(path.join(originDir, 'prisma', 'schema.prisma')) || !existsSync(prismaCli)) {
  console.log('prisma-generate: nothing to generate yet');
  process.exit(0);
}
const result = spawnSync(process.execPath, [prismaCli, 'generate'], {
  cwd: originDir,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
process.exit(result.status ?? 1);
