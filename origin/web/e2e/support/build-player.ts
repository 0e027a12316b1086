// Builds the player app into origin/web/dist (which the origin serves) once, when sources changed.
// Test files run in parallel, so the build is guarded by a lock directory.
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = [
  path.join(WEB_ROOT, 'src'),
  path.join(WEB_ROOT, 'index.html'),
  path.join(WEB_ROOT, 'vite.config.ts'),
  path.join(WEB_ROOT, '../../shared/src/renderer'),
  path.join(WEB_ROOT, '../../shared/src/player'),
  path.join(WEB_ROOT, '../../shared/src/api'),
  path.join(WEB_ROOT, '../../shared/src/events'),
];
const LOCK = path.join(WEB_ROOT, '.build-lock');

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of await readdir(target, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const m = (await stat(path.join(entry.parentPath, entry.name))).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

export async function buildPlayerApp(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${LOCK} held for 2 minutes; remove it if no build is running`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    const built = (await stat(path.join(WEB_ROOT, 'dist/index.html')).catch(() => null))?.mtimeMs ?? 0;
    let newest = 0;
    for (const source of SOURCES) newest = Math.max(newest, await newestMtime(source));
    if (built > newest) return;
    await build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { sourcemap: false } });
  } finally {
    await rmdir(LOCK);
  }
}
