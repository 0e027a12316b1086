// Runs every *.test.ts in the workspaces with Node's own test runner (through tsx).
// Usage: npm test [-- <path-substring> ...]  e.g. `npm test -- origin/src/auth`
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const roots = ['shared/src', 'origin/src', 'origin/web', 'tracker/src', 'studio/src', 'bench', 'scripts'];
const skip = new Set(['node_modules', 'dist', 'generated', 'dist-types', 'fixture']);

function findTests(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(entry.name)) findTests(full, out);
    } else if (entry.name.endsWith('.test.ts')) {
      out.push(path.relative(root, full));
    }
  }
  return out;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((dir) => findTests(path.join(root, dir), []))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// TAP on stdout as before; the spec reporter's account goes to a file, and when something failed its
// closing "failing tests" section (each failure with its error) is printed last, where a CI log's tail
// shows it.
const specDir = mkdtempSync(path.join(tmpdir(), 'spherecast-tests-'));
const specFile = path.join(specDir, 'spec.txt');
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=600000',
    // A file whose tests and hooks all finished ends even if a library left a handle open (a keep-alive
    // socket, a timer): it must not sit until the 10-minute timeout and fail a passing run.
    '--test-force-exit',
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    '--test-reporter=spec',
    `--test-reporter-destination=${specFile}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
if (result.status !== 0) {
  let spec = '';
  try {
    spec = readFileSync(specFile, 'utf8');
  } catch {
    // No spec output: the runner itself failed to start; its own error is above.
  }
  const failing = spec.lastIndexOf('failing tests:');
  // Node's own frames say nothing about the failure: left out, so the tail stays short.
  const lines = spec
    .slice(failing)
    .split('\n')
    .filter((line) => !/\((node:|node:internal)|at node:/.test(line));
  if (failing >= 0) console.log(`\n# ${lines.join('\n# ')}`);
}
rmSync(specDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
