// Builds the player (origin/web) before `npm start` when its sources are newer than the build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'origin', 'web');
const built = path.join(web, 'dist', 'index.html');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'e2e') continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const sources = [web, path.join(root, 'shared', 'src')];
let builtAt = 0;
try {
  builtAt = statSync(built).mtimeMs;
} catch {
  builtAt = 0;
}
if (builtAt > 0 && sources.every((dir) => newest(dir) < builtAt)) process.exit(0);
console.log('Building the player (origin/web)…');
const result = spawnSync('npm', ['run', 'build', '-w', 'origin', '--silent'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
